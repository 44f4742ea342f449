/* tests/unit/test_units.c — unit tests of core/units.c: every accepted unit
 * of every kind with its exact value, spacing variants, each error status
 * (and that *out is left alone), the content of error messages, and the
 * round trip ws_units_parse(ws_units_format(v)) == v over many values,
 * trailing line breaks read as blanks, and ws_units_format_readable().
 */
#include "core/units.h"
#include "tests/unit/check_main.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T WS_UNIT_TIME
#define F WS_UNIT_FREQUENCY
#define BW WS_UNIT_BANDWIDTH
#define SZ WS_UNIT_SIZE
#define C WS_UNIT_COMPUTE
#define P WS_UNIT_PERCENT

static const char *status_name(ws_units_status s)
{
    static const char *const names[] = { "OK", "EMPTY", "BAD_NUMBER", "MISSING_UNIT",
                                         "UNKNOWN_UNIT", "NEGATIVE", "OVERFLOW",
                                         "NOT_INTEGRAL", "NEEDS_CLOCK" };
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

/* Distance in representable doubles between two finite non-negative values. */
static uint64_t ulps_apart(double a, double b)
{
    uint64_t ua, ub;
    memcpy(&ua, &a, sizeof ua);
    memcpy(&ub, &b, sizeof ub);
    return ua > ub ? ua - ub : ub - ua;
}

/* ------------------------------------------------------------ accepted */

typedef struct ok_case {
    const char *text;
    ws_unit_kind kind;
    double clock_hz;
    double expect;
    unsigned ulps; /* allowed distance from expect (0: exact) */
} ok_case;

static const ok_case ok_cases[] = {
    /* time */
    { "1 ps", T, 0, 1e-12, 0 },
    { "1 ns", T, 0, 1e-9, 0 },
    { "200 ns", T, 0, 200e-9, 0 },
    { "3 us", T, 0, 3e-6, 0 },
    { "2.5 ms", T, 0, 2.5e-3, 0 },
    { "7 s", T, 0, 7.0, 0 },
    { "0.1 s", T, 0, 0.1, 0 },
    { "1.7 ns", T, 0, 1.7e-9, 0 },
    { "200 cycles", T, 1e9, 200e-9, 1 },
    { "1 cycle", T, 2e9, 0.5e-9, 1 },
    { "3 cycles", T, 1.1e9, 3 / 1.1e9, 1 },
    /* frequency */
    { "100 Hz", F, 0, 100.0, 0 },
    { "3 kHz", F, 0, 3e3, 0 },
    { "1.5 MHz", F, 0, 1.5e6, 0 },
    { "2 GHz", F, 0, 2e9, 0 },
    { "1.1 GHz", F, 0, 1.1e9, 0 },
    /* bandwidth */
    { "5 B/s", BW, 0, 5.0, 0 },
    { "2 KB/s", BW, 0, 2e3, 0 },
    { "3 MB/s", BW, 0, 3e6, 0 },
    { "900 GB/s", BW, 0, 900e9, 0 },
    { "1.7 TB/s", BW, 0, 1.7e12, 0 },
    { "3.35 TB/s", BW, 0, 3.35e12, 0 },
    { "1 KiB/s", BW, 0, 1024.0, 0 },
    { "1 MiB/s", BW, 0, 1048576.0, 0 },
    { "1 GiB/s", BW, 0, 1073741824.0, 0 },
    { "1 TiB/s", BW, 0, 1099511627776.0, 0 },
    { "4 B/cycle", BW, 2e9, 8e9, 1 },
    { "1.5 B/cycle", BW, 1e9, 1.5e9, 1 },
    /* size */
    { "1 B", SZ, 0, 1.0, 0 },
    { "4 KB", SZ, 0, 4e3, 0 },
    { "2 MB", SZ, 0, 2e6, 0 },
    { "40 GB", SZ, 0, 40e9, 0 },
    { "1 TB", SZ, 0, 1e12, 0 },
    { "1 KiB", SZ, 0, 1024.0, 0 },
    { "1.5 KiB", SZ, 0, 1536.0, 0 },
    { "64 MiB", SZ, 0, 67108864.0, 0 },
    { "2 GiB", SZ, 0, 2147483648.0, 0 },
    { "1 TiB", SZ, 0, 1099511627776.0, 0 },
    { "0.1 KB", SZ, 0, 100.0, 0 },
    { "1e30 B", SZ, 0, 1e30, 0 },
    /* compute */
    { "5 FLOPS", C, 0, 5.0, 0 },
    { "7 GFLOPS", C, 0, 7e9, 0 },
    { "362 TFLOPS", C, 0, 362e12, 0 },
    { "1.2 PFLOPS", C, 0, 1.2e15, 0 },
    { "5 FLOP/s", C, 0, 5.0, 0 },
    { "7 GFLOP/s", C, 0, 7e9, 0 },
    { "362 TFLOP/s", C, 0, 362e12, 0 },
    { "1.2 PFLOP/s", C, 0, 1.2e15, 0 },
    /* percent */
    { "10%", P, 0, 0.1, 0 },
    { "10 %", P, 0, 0.1, 0 },
    { "0%", P, 0, 0.0, 0 },
    { "100%", P, 0, 1.0, 0 },
    { "12.5%", P, 0, 0.125, 0 },
    { "33.3%", P, 0, 0.333, 0 },
    /* spacing and number forms */
    { "200ns", T, 0, 200e-9, 0 },
    { "  200 ns  ", T, 0, 200e-9, 0 },
    { "\t200\tns\t", T, 0, 200e-9, 0 },
    { "200    ns", T, 0, 200e-9, 0 },
    { "1.7TB/s", BW, 0, 1.7e12, 0 },
    { "+200 ns", T, 0, 200e-9, 0 },
    { ".5 ns", T, 0, 0.5e-9, 0 },
    { "5. ns", T, 0, 5e-9, 0 },
    { "1e3 ns", T, 0, 1e-6, 0 },
    { "1e3ns", T, 0, 1e-6, 0 },
    { "2.5E-3 s", T, 0, 2.5e-3, 0 },
    { "2.5e+3 s", T, 0, 2.5e3, 0 },
    { "0200 ns", T, 0, 200e-9, 0 },
    { "0 s", T, 0, 0.0, 0 },
    { "0.000 B", SZ, 0, 0.0, 0 },
    { "0e999999999999 B", SZ, 0, 0.0, 0 },
    { "100000000000000000000000000000000e-30 s", T, 0, 100.0, 0 },
    { "1e-310 s", T, 0, 1e-310, 0 }, /* subnormal, still representable */
    /* trailing line breaks are blanks: a YAML block scalar (">\n  1 ms")
     * reads "1 ms\n" (regression: unknown unit "ms\n") */
    { "1 ms\n", T, 0, 1e-3, 0 },
    { "1 ms\n\n", T, 0, 1e-3, 0 },
    { "200 ns \r\n", T, 0, 200e-9, 0 },
    { "\t10%\n", P, 0, 0.1, 0 },
    { "64 MiB\n", SZ, 0, 67108864.0, 0 },
};

START_TEST(test_parse_ok)
{
    const ok_case *c = &ok_cases[_i];
    double v = -1.0;
    char err[256] = "";
    ws_units_status s = ws_units_parse(c->text, c->kind, c->clock_hz, &v, err, sizeof err);
    ck_assert_msg(s == WS_UNITS_OK, "\"%s\": status %s (%s)", c->text, status_name(s), err);
    ck_assert_msg(ulps_apart(v, c->expect) <= c->ulps, "\"%s\": got %.17g, expected %.17g",
                  c->text, v, c->expect);
}
END_TEST

START_TEST(test_parse_null_out_and_err)
{
    /* out and err are optional */
    ck_assert_int_eq(ws_units_parse("5 ns", T, 0, NULL, NULL, 0), WS_UNITS_OK);
    ck_assert_int_eq(ws_units_parse("5 parsec", T, 0, NULL, NULL, 0), WS_UNITS_UNKNOWN_UNIT);
    ck_assert_int_eq(ws_units_parse(NULL, T, 0, NULL, NULL, 0), WS_UNITS_EMPTY);
}
END_TEST

/* Every unit named by ws_units_kind_units() is accepted with its kind. */
START_TEST(test_listed_units_accepted)
{
    for (int k = 0; k < WS_UNIT_KIND_COUNT; k++) {
        char list[256];
        snprintf(list, sizeof list, "%s", ws_units_kind_units((ws_unit_kind)k));
        int n = 0;
        for (char *u = strtok(list, ", "); u; u = strtok(NULL, ", ")) {
            char text[64];
            double v = -1.0;
            char err[256] = "";
            snprintf(text, sizeof text, "1 %s", u);
            ws_units_status s = ws_units_parse(text, (ws_unit_kind)k, 1e9, &v, err, sizeof err);
            ck_assert_msg(s == WS_UNITS_OK, "%s \"%s\": %s (%s)",
                          ws_units_kind_name((ws_unit_kind)k), text, status_name(s), err);
            ck_assert_msg(v > 0, "\"%s\" gave %g", text, v);
            n++;
        }
        ck_assert_int_gt(n, 0);
    }
}
END_TEST

START_TEST(test_kind_names)
{
    ck_assert_str_eq(ws_units_kind_name(T), "time");
    ck_assert_str_eq(ws_units_kind_name(F), "frequency");
    ck_assert_str_eq(ws_units_kind_name(BW), "bandwidth");
    ck_assert_str_eq(ws_units_kind_name(SZ), "size");
    ck_assert_str_eq(ws_units_kind_name(C), "compute rate");
    ck_assert_str_eq(ws_units_kind_name(P), "percentage");
    ck_assert_str_eq(ws_units_kind_units(T), "ps, ns, us, ms, s, cycles");
    ck_assert_str_eq(ws_units_kind_units(F), "Hz, kHz, MHz, GHz");
    ck_assert_str_eq(ws_units_kind_units(BW),
                     "B/s, KB/s, MB/s, GB/s, TB/s, KiB/s, MiB/s, GiB/s, TiB/s, B/cycle");
    ck_assert_str_eq(ws_units_kind_units(SZ), "B, KB, MB, GB, TB, KiB, MiB, GiB, TiB");
    ck_assert_str_eq(ws_units_kind_units(C),
                     "FLOPS, GFLOPS, TFLOPS, PFLOPS, FLOP/s, GFLOP/s, TFLOP/s, PFLOP/s");
    ck_assert_str_eq(ws_units_kind_units(P), "%");
    ck_assert_ptr_nonnull(ws_units_kind_name(WS_UNIT_KIND_COUNT));
    ck_assert_ptr_nonnull(ws_units_kind_units(WS_UNIT_KIND_COUNT));
}
END_TEST

/* ------------------------------------------------------------ rejected */

typedef struct err_case {
    const char *text;
    ws_unit_kind kind;
    double clock_hz;
    ws_units_status expect;
    const char *contains[3]; /* substrings the message must hold */
} err_case;

static const err_case err_cases[] = {
    /* empty */
    { "", T, 0, WS_UNITS_EMPTY, { "ps, ns, us, ms, s, cycles" } },
    { "   ", T, 0, WS_UNITS_EMPTY, { "empty" } },
    { "\t", SZ, 0, WS_UNITS_EMPTY, { NULL } },
    { "\n", T, 0, WS_UNITS_EMPTY, { NULL } },
    { "1\nms", T, 0, WS_UNITS_UNKNOWN_UNIT, { NULL } },   /* only trailing line breaks are blanks */
    /* malformed numbers */
    { "ns", T, 0, WS_UNITS_BAD_NUMBER, { "\"ns\"", "ps, ns, us, ms, s, cycles" } },
    { "abc ns", T, 0, WS_UNITS_BAD_NUMBER, { "\"abc ns\"" } },
    { "1..2 ns", T, 0, WS_UNITS_BAD_NUMBER, { "\"1..2 ns\"" } },
    { "1.2.3 ns", T, 0, WS_UNITS_BAD_NUMBER, { NULL } },
    { "1e ns", T, 0, WS_UNITS_BAD_NUMBER, { NULL } },
    { "1e+ ns", T, 0, WS_UNITS_BAD_NUMBER, { NULL } },
    { "1ens", T, 0, WS_UNITS_BAD_NUMBER, { NULL } },
    { "0x10 B", SZ, 0, WS_UNITS_BAD_NUMBER, { NULL } },
    { "0x1p3 s", T, 0, WS_UNITS_BAD_NUMBER, { NULL } },
    { "0X10 B", SZ, 0, WS_UNITS_BAD_NUMBER, { NULL } },
    { "0xff B", SZ, 0, WS_UNITS_BAD_NUMBER, { NULL } }, /* hex without a decimal digit */
    { "inf ns", T, 0, WS_UNITS_BAD_NUMBER, { NULL } },
    { "infinity ns", T, 0, WS_UNITS_BAD_NUMBER, { NULL } },
    { "nan ns", T, 0, WS_UNITS_BAD_NUMBER, { NULL } },
    { "NaN ns", T, 0, WS_UNITS_BAD_NUMBER, { NULL } },
    { "1,5 ns", T, 0, WS_UNITS_BAD_NUMBER, { NULL } },
    { "--3 ns", T, 0, WS_UNITS_BAD_NUMBER, { NULL } },
    { "+-3 ns", T, 0, WS_UNITS_BAD_NUMBER, { NULL } },
    { "- 3 ns", T, 0, WS_UNITS_BAD_NUMBER, { NULL } },
    { ". ns", T, 0, WS_UNITS_BAD_NUMBER, { NULL } },
    { ".e3 ns", T, 0, WS_UNITS_BAD_NUMBER, { NULL } },
    { "1-2 ns", T, 0, WS_UNITS_BAD_NUMBER, { NULL } },
    { "1_000 B", SZ, 0, WS_UNITS_BAD_NUMBER, { NULL } },
    { "1e3e4 s", T, 0, WS_UNITS_BAD_NUMBER, { NULL } },
    { "5ns2", T, 0, WS_UNITS_BAD_NUMBER, { NULL } },
    { "1e-400 s", T, 0, WS_UNITS_BAD_NUMBER, { "too small to represent" } },
    { "1e-320 ps", T, 0, WS_UNITS_BAD_NUMBER, { "too small to represent" } },
    /* missing unit, for every kind */
    { "200", T, 0, WS_UNITS_MISSING_UNIT, { "\"200\"", "ps, ns, us, ms, s, cycles", "time" } },
    { "200", F, 0, WS_UNITS_MISSING_UNIT, { "\"200\"", "Hz, kHz, MHz, GHz", "frequency" } },
    { "200", BW, 0, WS_UNITS_MISSING_UNIT, { "\"200\"", "TB/s", "bandwidth" } },
    { "200", SZ, 0, WS_UNITS_MISSING_UNIT, { "\"200\"", "B, KB, MB, GB, TB, KiB, MiB, GiB, TiB" } },
    { "200", C, 0, WS_UNITS_MISSING_UNIT, { "\"200\"", "TFLOPS", "compute rate" } },
    { "200", P, 0, WS_UNITS_MISSING_UNIT, { "\"200\"", "%", "percentage" } },
    { "  1e3  ", T, 0, WS_UNITS_MISSING_UNIT, { "\"1e3\"" } },
    /* unknown unit */
    { "5 parsec", T, 0, WS_UNITS_UNKNOWN_UNIT, { "\"parsec\"", "ps, ns, us, ms, s, cycles" } },
    { "5 Mb", SZ, 0, WS_UNITS_UNKNOWN_UNIT,
      { "unknown size unit \"Mb\"; expected one of B, KB, MB, GB, TB, KiB, MiB, GiB, TiB" } },
    { "5 mb", SZ, 0, WS_UNITS_UNKNOWN_UNIT, { "\"mb\"" } },
    { "5 ghz", F, 0, WS_UNITS_UNKNOWN_UNIT, { "\"ghz\"", "case-sensitive", "\"GHz\"" } },
    { "5 NS", T, 0, WS_UNITS_UNKNOWN_UNIT, { "\"NS\"" } },
    { "5 GB", T, 0, WS_UNITS_UNKNOWN_UNIT, { "\"GB\"", "size unit" } },
    { "5 GB", BW, 0, WS_UNITS_UNKNOWN_UNIT, { "\"GB\"", "size unit" } },
    { "5 GB/s", SZ, 0, WS_UNITS_UNKNOWN_UNIT, { "bandwidth unit" } },
    { "5 ns", SZ, 0, WS_UNITS_UNKNOWN_UNIT, { "time unit" } },
    { "5 cycles", BW, 1e9, WS_UNITS_UNKNOWN_UNIT, { NULL } },
    { "5 B/cycle", SZ, 1e9, WS_UNITS_UNKNOWN_UNIT, { NULL } },
    { "5 %", T, 0, WS_UNITS_UNKNOWN_UNIT, { NULL } },
    { "5 us", F, 0, WS_UNITS_UNKNOWN_UNIT, { NULL } },
    { "5 TFLOPs", C, 0, WS_UNITS_UNKNOWN_UNIT, { NULL } },
    { "5 nsx", T, 0, WS_UNITS_UNKNOWN_UNIT, { "\"nsx\"" } },
    { "10%%", P, 0, WS_UNITS_UNKNOWN_UNIT, { NULL } },
    { "5 B / s", BW, 0, WS_UNITS_UNKNOWN_UNIT, { "\"B / s\"" } },
    /* trailing garbage */
    { "5 ns x", T, 0, WS_UNITS_UNKNOWN_UNIT, { "\"x\"", "\"5 ns x\"" } },
    { "5 ns ns", T, 0, WS_UNITS_UNKNOWN_UNIT, { NULL } },
    { "10 % 5", P, 0, WS_UNITS_UNKNOWN_UNIT, { NULL } },
    /* negative */
    { "-3 ns", T, 0, WS_UNITS_NEGATIVE, { "\"-3 ns\"", "non-negative" } },
    { "-0.5 GHz", F, 0, WS_UNITS_NEGATIVE, { NULL } },
    { "-1e400 B", SZ, 0, WS_UNITS_NEGATIVE, { NULL } },
    { "-0 ns", T, 0, WS_UNITS_NEGATIVE, { NULL } },
    /* overflow */
    { "1e400 B", SZ, 0, WS_UNITS_OVERFLOW, { "\"1e400 B\"" } },
    { "1e29 TB", SZ, 0, WS_UNITS_OVERFLOW, { NULL } },
    { "1e308 GB/s", BW, 0, WS_UNITS_OVERFLOW, { NULL } },
    { "1.0000001e30 s", T, 0, WS_UNITS_OVERFLOW, { NULL } },
    { "1e16 PFLOPS", C, 0, WS_UNITS_OVERFLOW, { NULL } },
    { "1e300 cycles", T, 1e9, WS_UNITS_OVERFLOW, { NULL } },
    { "1e30 B/cycle", BW, 2e9, WS_UNITS_OVERFLOW, { NULL } },
    { "1e20 TiB", SZ, 0, WS_UNITS_OVERFLOW, { NULL } },
    { "150%", P, 0, WS_UNITS_OVERFLOW, { "at most 100%", "\"150%\"" } },
    { "100.1%", P, 0, WS_UNITS_OVERFLOW, { "at most 100%" } },
    /* not integral */
    { "1.5 B", SZ, 0, WS_UNITS_NOT_INTEGRAL, { "\"1.5 B\"", "whole number of bytes" } },
    { "0.0001 KB", SZ, 0, WS_UNITS_NOT_INTEGRAL, { "0.1" } },
    { "1.0001 KiB", SZ, 0, WS_UNITS_NOT_INTEGRAL, { NULL } },
    { "1e-310 B", SZ, 0, WS_UNITS_NOT_INTEGRAL, { NULL } },
    /* needs clock */
    { "5 cycles", T, 0, WS_UNITS_NEEDS_CLOCK, { "\"cycles\"", "clock" } },
    { "5 cycle", T, -1e9, WS_UNITS_NEEDS_CLOCK, { NULL } },
    { "5 cycles", T, NAN, WS_UNITS_NEEDS_CLOCK, { NULL } },
    { "5 cycles", T, INFINITY, WS_UNITS_NEEDS_CLOCK, { NULL } },
    { "4 B/cycle", BW, 0, WS_UNITS_NEEDS_CLOCK, { "\"B/cycle\"" } },
};

START_TEST(test_parse_error)
{
    const err_case *c = &err_cases[_i];
    const double sentinel = 12345.5;
    double v = sentinel;
    char err[256];
    memset(err, 'Z', sizeof err);
    err[sizeof err - 1] = '\0';
    ws_units_status s = ws_units_parse(c->text, c->kind, c->clock_hz, &v, err, sizeof err);
    ck_assert_msg(s == c->expect, "\"%s\" as %s: status %s, expected %s (%s)", c->text,
                  ws_units_kind_name(c->kind), status_name(s), status_name(c->expect), err);
    ck_assert_msg(v == sentinel, "\"%s\": *out changed to %g on error", c->text, v);
    ck_assert_msg(err[0] != 'Z' && err[0] != '\0', "\"%s\": no message", c->text);
    ck_assert_msg(strchr(err, '\n') == NULL, "\"%s\": message not one line: %s", c->text, err);
    for (int j = 0; j < 3 && c->contains[j]; j++)
        ck_assert_msg(strstr(err, c->contains[j]) != NULL, "\"%s\": message \"%s\" lacks \"%s\"",
                      c->text, err, c->contains[j]);
}
END_TEST

START_TEST(test_error_messages)
{
    char err[256];
    /* the example wording of the contract */
    ck_assert_int_eq(ws_units_parse("200", T, 0, NULL, err, sizeof err), WS_UNITS_MISSING_UNIT);
    ck_assert_str_eq(err, "expected a time with a unit (ps, ns, us, ms, s, cycles), found \"200\"");
    /* the found text is shown without the surrounding blanks */
    ck_assert_int_eq(ws_units_parse("  200 ", SZ, 0, NULL, err, sizeof err), WS_UNITS_MISSING_UNIT);
    ck_assert_str_eq(err, "expected a size with a unit (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB), "
                          "found \"200\"");
    /* control characters are escaped, the message stays on one line */
    ck_assert_int_eq(ws_units_parse("5 n\ns", T, 0, NULL, err, sizeof err), WS_UNITS_UNKNOWN_UNIT);
    ck_assert_ptr_null(strchr(err, '\n'));
    ck_assert_ptr_nonnull(strstr(err, "\\n"));
    /* a very long text is cut */
    char longtext[1000];
    memset(longtext, 'q', sizeof longtext);
    longtext[0] = '5';
    longtext[1] = ' ';
    longtext[sizeof longtext - 1] = '\0';
    ck_assert_int_eq(ws_units_parse(longtext, T, 0, NULL, err, sizeof err), WS_UNITS_UNKNOWN_UNIT);
    ck_assert_ptr_nonnull(strstr(err, "...\""));
    ck_assert_uint_lt(strlen(err), sizeof err - 1);
    /* position-free: no line/column */
    ck_assert_ptr_null(strstr(err, "line"));
}
END_TEST

START_TEST(test_error_buffer_limits)
{
    char err[8];
    memset(err, 'Z', sizeof err);
    /* err_len 0: not written */
    ck_assert_int_eq(ws_units_parse("200", T, 0, NULL, err, 0), WS_UNITS_MISSING_UNIT);
    for (size_t i = 0; i < sizeof err; i++)
        ck_assert_int_eq(err[i], 'Z');
    /* short buffer: truncated and terminated */
    ck_assert_int_eq(ws_units_parse("200", T, 0, NULL, err, 5), WS_UNITS_MISSING_UNIT);
    ck_assert_str_eq(err, "expe");
    ck_assert_int_eq(err[5], 'Z');
    /* success leaves err alone */
    memset(err, 'Z', sizeof err);
    double v;
    ck_assert_int_eq(ws_units_parse("200 ns", T, 0, &v, err, sizeof err), WS_UNITS_OK);
    ck_assert_int_eq(err[0], 'Z');
}
END_TEST

START_TEST(test_long_number)
{
    /* a mantissa longer than any internal buffer still converts exactly:
     * 0.(598 zeros)1e599 ns = 1 ns */
    char text[700];
    size_t n = 0;
    text[n++] = '0';
    text[n++] = '.';
    while (n < 600)
        text[n++] = '0';
    text[n++] = '1';
    snprintf(text + n, sizeof text - n, "e599 ns");
    double v = 0;
    char err[256] = "";
    ck_assert_msg(ws_units_parse(text, T, 0, &v, err, sizeof err) == WS_UNITS_OK, "%s", err);
    ck_assert_msg(v == 1e-9, "got %.17g", v);
}
END_TEST

/* ------------------------------------------------------------ formatting */

START_TEST(test_format_double_exact)
{
    char buf[64];
    ck_assert_str_eq(ws_format_double(0.1, buf, sizeof buf), "0.1");
    ck_assert_str_eq(ws_format_double(200, buf, sizeof buf), "200");
    ck_assert_str_eq(ws_format_double(80000000000.0, buf, sizeof buf), "80000000000");
    ck_assert_str_eq(ws_format_double(1.7e12, buf, sizeof buf), "1700000000000");
    ck_assert_str_eq(ws_format_double(0.0, buf, sizeof buf), "0");
    ck_assert_str_eq(ws_format_double(-2.5, buf, sizeof buf), "-2.5");
    ck_assert_str_eq(ws_format_double(-3.0, buf, sizeof buf), "-3");
    ck_assert_str_eq(ws_format_double(1.5, buf, sizeof buf), "1.5");
    ck_assert_str_eq(ws_format_double(1e16, buf, sizeof buf), "1e+16");
    ck_assert_str_eq(ws_format_double(1e30, buf, sizeof buf), "1e+30");
    ck_assert_str_eq(ws_format_double(2e-7, buf, sizeof buf), "2e-07");
    ck_assert_str_eq(ws_format_double(1.0 / 3, buf, sizeof buf), "0.3333333333333333");
    ck_assert_str_eq(ws_format_double(9007199254740992.0, buf, sizeof buf), "9007199254740992");
    ck_assert_str_eq(ws_format_double(INFINITY, buf, sizeof buf), "inf");
    ck_assert_str_eq(ws_format_double(-INFINITY, buf, sizeof buf), "-inf");
    ck_assert_str_eq(ws_format_double(NAN, buf, sizeof buf), "nan");
    ck_assert_str_eq(ws_format_double(-NAN, buf, sizeof buf), "nan");
    /* returns buf; a short buffer is truncated and terminated */
    ck_assert_ptr_eq(ws_format_double(1.25, buf, 3), buf);
    ck_assert_str_eq(buf, "1.");
    ck_assert_ptr_eq(ws_format_double(1.25, buf, 0), buf);
}
END_TEST

/* Deterministic pseudo-random doubles (xorshift64*), no global state. */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static double rand_bits_double(uint64_t *s)
{
    uint64_t u = next_rand(s);
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

START_TEST(test_format_double_round_trip)
{
    static const double fixed[] = { 0.0, -0.0, 1.0, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 3.35e12,
                                    1.7e12, 200e-9, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
                                    9007199254740993.0, 123456789012345678.0, -1e-5, 4.35 };
    char buf[64];
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        ws_format_double(fixed[i], buf, sizeof buf);
        ck_assert_msg(strtod(buf, NULL) == fixed[i], "%.17g printed as %s", fixed[i], buf);
    }
    uint64_t seed = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < 20000; i++) {
        double d = rand_bits_double(&seed);
        if (!isfinite(d))
            continue;
        ws_format_double(d, buf, sizeof buf);
        ck_assert_msg(strtod(buf, NULL) == d, "%.17g printed as %s", d, buf);
        ck_assert_msg(strlen(buf) <= 24, "%.17g printed as long %s", d, buf);
    }
}
END_TEST

START_TEST(test_format_exact)
{
    char buf[64];
    ck_assert_str_eq(ws_units_format(200e-9, T, buf, sizeof buf), "200 ns");
    ck_assert_str_eq(ws_units_format(1e-12, T, buf, sizeof buf), "0.001 ns");
    ck_assert_str_eq(ws_units_format(1.0 / 3, T, buf, sizeof buf), "333333333.3333333 ns");
    ck_assert_str_eq(ws_units_format(0.0, T, buf, sizeof buf), "0 ns");
    ck_assert_str_eq(ws_units_format(-0.0, T, buf, sizeof buf), "0 ns");
    ck_assert_str_eq(ws_units_format(2e9, F, buf, sizeof buf), "2 GHz");
    ck_assert_str_eq(ws_units_format(1.1e9, F, buf, sizeof buf), "1.1 GHz");
    ck_assert_str_eq(ws_units_format(1.7e12, BW, buf, sizeof buf), "1700 GB/s");
    ck_assert_str_eq(ws_units_format(3.35e12, BW, buf, sizeof buf), "3350 GB/s");
    ck_assert_str_eq(ws_units_format(67108864, SZ, buf, sizeof buf), "67108864 B");
    ck_assert_str_eq(ws_units_format(1e30, SZ, buf, sizeof buf), "1e+30 B");
    ck_assert_str_eq(ws_units_format(362e12, C, buf, sizeof buf), "362 TFLOPS");
    ck_assert_str_eq(ws_units_format(0.1, P, buf, sizeof buf), "10 %");
    ck_assert_str_eq(ws_units_format(1.0, P, buf, sizeof buf), "100 %");
    ck_assert_str_eq(ws_units_format(0.125, P, buf, sizeof buf), "12.5 %");
    ck_assert_str_eq(ws_units_format(INFINITY, T, buf, sizeof buf), "inf ns");
    ck_assert_str_eq(ws_units_format(NAN, SZ, buf, sizeof buf), "nan B");
    ck_assert_str_eq(ws_units_format(-200e-9, T, buf, sizeof buf), "-200 ns");
    /* values the parser refuses: readable text, in the canonical unit when
     * the display unit would leave the range of a double */
    ck_assert_str_eq(ws_units_format(-1e300, T, buf, sizeof buf), "-1e+300 s");
    ck_assert_str_eq(ws_units_format(2e30, BW, buf, sizeof buf), "2e+30 B/s");
    ck_assert_str_eq(ws_units_format(0.5, SZ, buf, sizeof buf), "0.5 B");
    ck_assert_str_eq(ws_units_format(1.5, P, buf, sizeof buf), "150 %");
    /* returns buf; short buffers are truncated and terminated */
    ck_assert_ptr_eq(ws_units_format(200e-9, T, buf, 4), buf);
    ck_assert_str_eq(buf, "200");
    ck_assert_ptr_eq(ws_units_format(200e-9, T, buf, 0), buf);
}
END_TEST

static void check_round_trip(double v, ws_unit_kind kind)
{
    char buf[64], err[256] = "";
    double back = -1.0;
    ws_units_format(v, kind, buf, sizeof buf);
    ws_units_status s = ws_units_parse(buf, kind, 0.0, &back, err, sizeof err);
    ck_assert_msg(s == WS_UNITS_OK, "%s %.17g formatted as \"%s\": %s (%s)",
                  ws_units_kind_name(kind), v, buf, status_name(s), err);
    ck_assert_msg(back == v, "%s %.17g formatted as \"%s\" reads back as %.17g",
                  ws_units_kind_name(kind), v, buf, back);
}

START_TEST(test_format_round_trip)
{
    static const double fixed[] = { 0.0, 1.0, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 3.35e12, 1.7e12,
                                    200e-9, 1e-9, 1e-12, 0.5e-9, 3 / 1.1e9, 1.1e9, 2e9, 900e9,
                                    67108864.0, 1e30, 9.999999999999999e29, 5e-324, 1e-300,
                                    2.2250738585072014e-308, 4.35e-9, 123456.789, 1e16, 1e17,
                                    9007199254740993.0, 362e12, 1.2e15 };
    for (int k = 0; k < WS_UNIT_KIND_COUNT; k++) {
        for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
            double v = fixed[i];
            if (k == SZ)
                v = floor(v);
            if (k == P && v > 1.0)
                v = 1.0 / v;
            check_round_trip(v, (ws_unit_kind)k);
        }
    }
    /* random bit patterns over the whole accepted range of every kind */
    uint64_t seed = 0x0123456789ABCDEFULL;
    int tried = 0;
    while (tried < 60000) {
        double v = fabs(rand_bits_double(&seed));
        if (!isfinite(v) || v > WS_UNITS_MAX_VALUE)
            continue;
        ws_unit_kind k = (ws_unit_kind)(tried % WS_UNIT_KIND_COUNT);
        if (k == SZ)
            v = floor(v);
        if (k == P && v > 1.0)
            continue;
        check_round_trip(v, k);
        tried++;
    }
    /* values near typical magnitudes: random mantissas times powers of ten */
    for (int i = 0; i < 20000; i++) {
        double m = (double)(next_rand(&seed) >> 11) / 9007199254740992.0; /* [0,1) */
        int e = (int)(next_rand(&seed) % 40) - 20;
        double v = m * pow(10.0, e);
        ws_unit_kind k = (ws_unit_kind)(i % WS_UNIT_KIND_COUNT);
        if (k == SZ)
            v = floor(v * 1e6);
        if (k == P && v > 1.0)
            v = m;
        check_round_trip(v, k);
    }
    /* integral sizes of every magnitude */
    for (int i = 0; i < 20000; i++) {
        uint64_t u = next_rand(&seed) >> (next_rand(&seed) % 64);
        check_round_trip((double)u, SZ);
    }
}
END_TEST

/* Limits in messages and the reference table: the largest unit the value
 * is at least 1 of (regression: "[0.001 GHz, 100 GHz]", "1000000000 ns"). */
START_TEST(test_format_readable)
{
    static const struct { double v; ws_unit_kind k; const char *text; } cases[] = {
        { 1e6, F, "1 MHz" },         { 1e11, F, "100 GHz" },      { 1.5e9, F, "1.5 GHz" },
        { 1e3, F, "1 kHz" },         { 1, F, "1 Hz" },            { 0.5, F, "0.5 Hz" },
        { 0, T, "0 ns" },            { 1, T, "1 s" },             { 1e-9, T, "1 ns" },
        { 1e3, T, "1000 s" },        { 200e-9, T, "200 ns" },     { 2.5e-3, T, "2.5 ms" },
        { 1e-15, T, "0.001 ps" },    { 1, SZ, "1 B" },            { 1e9, SZ, "1 GB" },
        { 1e12, SZ, "1 TB" },        { 1e18, SZ, "1000000 TB" },  { 67108864, SZ, "64 MiB" },
        { 1024, SZ, "1 KiB" },       { 1536, SZ, "1.5 KiB" },     { 1e6, SZ, "1 MB" },
        { 1000, SZ, "1 KB" },        { 0, SZ, "0 B" },            { 1.7e12, BW, "1.7 TB/s" },
        { 1, BW, "1 B/s" },          { 1048576, BW, "1 MiB/s" },  { 989e12, C, "989 TFLOPS" },
        { 1, C, "1 FLOPS" },         { 1e20, C, "100000 PFLOPS" }, { 0.99, P, "99%" },
        { 0, P, "0%" },              { 1, P, "100%" },            { 0.125, P, "12.5%" },
    };
    char buf[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ws_units_format_readable(cases[i].v, cases[i].k, buf, sizeof buf);
        ck_assert_msg(!strcmp(buf, cases[i].text), "%s %.17g: \"%s\", expected \"%s\"",
                      ws_units_kind_name(cases[i].k), cases[i].v, buf, cases[i].text);
    }
    /* returns buf, truncates like ws_units_format */
    ck_assert_ptr_eq(ws_units_format_readable(1e6, F, buf, 2), buf);
    ck_assert_str_eq(buf, "1");
    /* non-finite values as ws_units_format writes them */
    ck_assert_str_eq(ws_units_format_readable(INFINITY, T, buf, sizeof buf), "inf ns");
    /* it reads back exactly, like ws_units_format */
    uint64_t seed = 0xFEEDFACECAFEBEEFULL;
    for (int i = 0; i < 30000; i++) {
        double m = (double)(next_rand(&seed) >> 11) / 9007199254740992.0;
        int e = (int)(next_rand(&seed) % 40) - 20;
        double v = m * pow(10.0, e);
        ws_unit_kind k = (ws_unit_kind)(i % WS_UNIT_KIND_COUNT);
        if (k == SZ)
            v = floor(v * 1e6);
        if (k == P && v > 1.0)
            v = m;
        char err[256] = "";
        double back = -1;
        ws_units_format_readable(v, k, buf, sizeof buf);
        ws_units_status st = ws_units_parse(buf, k, 0.0, &back, err, sizeof err);
        ck_assert_msg(st == WS_UNITS_OK && back == v, "%s %.17g written \"%s\" reads back as %.17g (%s)",
                      ws_units_kind_name(k), v, buf, back, err);
    }
}
END_TEST

/* ------------------------------------------------------------ runner */

static Suite *units_suite(void)
{
    Suite *s = suite_create("units");

    TCase *tc = tcase_create("parse_ok");
    tcase_add_loop_test(tc, test_parse_ok, 0, (int)(sizeof ok_cases / sizeof ok_cases[0]));
    tcase_add_test(tc, test_parse_null_out_and_err);
    tcase_add_test(tc, test_listed_units_accepted);
    tcase_add_test(tc, test_kind_names);
    tcase_add_test(tc, test_long_number);
    suite_add_tcase(s, tc);

    tc = tcase_create("parse_error");
    tcase_add_loop_test(tc, test_parse_error, 0, (int)(sizeof err_cases / sizeof err_cases[0]));
    tcase_add_test(tc, test_error_messages);
    tcase_add_test(tc, test_error_buffer_limits);
    suite_add_tcase(s, tc);

    tc = tcase_create("format");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_format_double_exact);
    tcase_add_test(tc, test_format_double_round_trip);
    tcase_add_test(tc, test_format_exact);
    tcase_add_test(tc, test_format_round_trip);
    tcase_add_test(tc, test_format_readable);
    suite_add_tcase(s, tc);

    return s;
}

int main(void)
{
    return ws_check_run(units_suite());
}
