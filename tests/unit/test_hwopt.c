/* tests/unit/test_hwopt.c — pins the hardware-option registry
 * (arch/hwopt.h): every option of arch/hwopt_list.h is listed with its
 * configure switch, `impl` matches what configure compiled in, and the
 * `options` config section follows the registry. */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "arch/hwopt.h"
#include "tests/unit/check_main.h"

START_TEST(registry_lists_the_three_options)
{
    ck_assert_uint_eq(ws_hwopt_count, 3);
    ck_assert_str_eq(ws_hwopt_registry[0].name, "expert_affine");
    ck_assert_str_eq(ws_hwopt_registry[0].configure_switch, "--enable-expert-affine");
    ck_assert_str_eq(ws_hwopt_registry[1].name, "link_widening");
    ck_assert_str_eq(ws_hwopt_registry[1].configure_switch, "--enable-link-widening");
    ck_assert_str_eq(ws_hwopt_registry[2].name, "migration");
    ck_assert_str_eq(ws_hwopt_registry[2].configure_switch, "--enable-migration");
    ck_assert_ptr_null(ws_hwopt_find("teleportation"));
    ck_assert_ptr_eq(ws_hwopt_find("migration"), &ws_hwopt_registry[2]);
}
END_TEST

START_TEST(compiled_in_matches_configure)
{
#ifdef WS_HAVE_OPT_EXPERT_AFFINE
    ck_assert_ptr_nonnull(ws_hwopt_find("expert_affine")->impl);
#else
    ck_assert_ptr_null(ws_hwopt_find("expert_affine")->impl);
#endif
#ifdef WS_HAVE_OPT_LINK_WIDENING
    ck_assert_ptr_nonnull(ws_hwopt_find("link_widening")->impl);
#else
    ck_assert_ptr_null(ws_hwopt_find("link_widening")->impl);
#endif
#ifdef WS_HAVE_OPT_MIGRATION
    ck_assert_ptr_nonnull(ws_hwopt_find("migration")->impl);
#else
    ck_assert_ptr_null(ws_hwopt_find("migration")->impl);
#endif
    for (size_t i = 0; i < ws_hwopt_count; i++) {
        const ws_cfield *f = &ws_hwopt_options_schema.fields[i];
        ck_assert_str_eq(f->key, ws_hwopt_registry[i].name);
        ck_assert_int_eq(f->type, WS_CT_OPTION);
        ck_assert_str_eq(f->configure_switch, ws_hwopt_registry[i].configure_switch);
        /* a compiled-in option has a schema; a compiled-out one has none */
        ck_assert((f->sub != NULL) == (ws_hwopt_registry[i].impl != NULL));
        if (ws_hwopt_registry[i].impl)
            ck_assert_ptr_eq(f->sub, ws_hwopt_registry[i].impl->schema);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hwopt");
    TCase *tc = tcase_create("registry");
    tcase_add_test(tc, registry_lists_the_three_options);
    tcase_add_test(tc, compiled_in_matches_configure);
    suite_add_tcase(s, tc);
    return ws_check_run(s);
}
