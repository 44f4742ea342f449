/* core/cmd_noc.c — `wafersim noc`: the latency-load sweep of the network
 * under synthetic traffic (noc/measure.h), as a result table, with
 * optional per-link and latency-histogram CSV files. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cli.h"
#include "core/commands.h"
#include "core/config.h"
#include "core/hash.h"
#include "core/progress.h"
#include "core/xalloc.h"
#include "noc/measure.h"

typedef struct noc_extra {
    const char *rates, *links, *histogram;
} noc_extra;

static const char *const columns[] = {
    "offered_flits_per_node_cycle",
    "generated_flits_per_node_cycle", "generated_min_flits_per_node_cycle", "generated_max_flits_per_node_cycle",
    "accepted_flits_per_node_cycle", "accepted_min_flits_per_node_cycle", "accepted_max_flits_per_node_cycle",
    "packet_latency_mean_cycles", "packet_latency_p50_cycles", "packet_latency_p99_cycles",
    "packet_latency_max_cycles", "network_latency_mean_cycles", "flit_latency_mean_cycles", "hops_mean",
    "measured_packets", "little_packets_in_system", "little_lambda_w_packets", "saturated", "saturation_reason",
    "warmup_converged", "warmup_periods", "window_cycles", "end_cycle",
};
#define N_COLUMNS (sizeof columns / sizeof columns[0])

static void add_point(ws_table *t, const noc_point *p)
{
    size_t r = ws_table_add_row(t), c = 0;
    ws_table_set_double(t, r, c++, p->offered_flits);
    ws_table_set_double(t, r, c++, p->generated_mean);
    ws_table_set_double(t, r, c++, p->generated_min);
    ws_table_set_double(t, r, c++, p->generated_max);
    ws_table_set_double(t, r, c++, p->accepted_mean);
    ws_table_set_double(t, r, c++, p->accepted_min);
    ws_table_set_double(t, r, c++, p->accepted_max);
    if (p->measured_packets) {
        ws_table_set_double(t, r, c++, p->packet_latency_mean);
        ws_table_set_double(t, r, c++, p->packet_latency_p50);
        ws_table_set_double(t, r, c++, p->packet_latency_p99);
        ws_table_set_double(t, r, c++, p->packet_latency_max);
        ws_table_set_double(t, r, c++, p->network_latency_mean);
        ws_table_set_double(t, r, c++, p->flit_latency_mean);
        ws_table_set_double(t, r, c++, p->hops_mean);
    } else {
        c += 7;
    }
    ws_table_set_int(t, r, c++, (int64_t)p->measured_packets);
    ws_table_set_double(t, r, c++, p->little_packets_in_system);
    ws_table_set_double(t, r, c++, p->little_lambda_w);
    ws_table_set_str(t, r, c++, p->saturated ? "yes" : "no");
    ws_table_set_str(t, r, c++, p->reason);
    ws_table_set_str(t, r, c++, p->warmup_converged ? "yes" : "no");
    ws_table_set_int(t, r, c++, p->warmup_periods);
    ws_table_set_int(t, r, c++, (int64_t)p->window_ticks);
    ws_table_set_int(t, r, c++, (int64_t)p->end_tick);
}

static void add_links(ws_table *t, const noc_point *p)
{
    for (size_t i = 0; i < p->n_links; i++) {
        const noc_link_stats *l = &p->links[i];
        char name[64];
        snprintf(name, sizeof name, "%d,%d>%d,%d", l->from_x, l->from_y, l->to_x, l->to_y);
        size_t r = ws_table_add_row(t), c = 0;
        ws_table_set_double(t, r, c++, p->offered_flits);
        ws_table_set_str(t, r, c++, name);
        ws_table_set_str(t, r, c++, l->direction);
        ws_table_set_int(t, r, c++, (int64_t)l->flits);
        ws_table_set_double(t, r, c++, l->bytes);
        ws_table_set_int(t, r, c++, (int64_t)l->busy_ticks);
        ws_table_set_double(t, r, c++, p->window_ticks ? (double)l->busy_ticks / (double)p->window_ticks : 0);
        ws_table_set_int(t, r, c++, l->peak_buffer_flits);
        ws_table_set_double(t, r, c++, l->bytes_per_tick);
        ws_table_set_int(t, r, c++, (int64_t)l->latency_ticks);
    }
}

static void add_histogram(ws_table *t, const noc_point *p)
{
    if (!p->histogram)
        return;
    for (size_t i = 0; i < gsl_histogram_bins(p->histogram); i++) {
        double lo, hi;
        gsl_histogram_get_range(p->histogram, i, &lo, &hi);
        size_t r = ws_table_add_row(t);
        ws_table_set_double(t, r, 0, p->offered_flits);
        ws_table_set_double(t, r, 1, lo);
        ws_table_set_double(t, r, 2, hi);
        ws_table_set_int(t, r, 3, (int64_t)gsl_histogram_get(p->histogram, i));
    }
}

static int write_table(const ws_table *t, const ws_provenance *p, ws_format fmt, const char *path)
{
    char err[512];
    if (ws_table_write(t, p, fmt, path, err, sizeof err) != 0) {
        fprintf(stderr, "wafersim noc: %s\n", err);
        return WS_EXIT_RUNTIME;
    }
    return WS_EXIT_OK;
}

int ws_cmd_noc(int argc, char **argv)
{
    const ws_command *cmd = ws_command_find("noc");
    noc_extra x = { NULL, NULL, NULL };
    const ws_cli_extra extra[] = {
        { .name = "rates", .value = &x.rates },
        { .name = "links", .value = &x.links },
        { .name = "histogram", .value = &x.histogram },
    };
    ws_cli_opts o;
    int rc = ws_cli_parse_ex(argc, argv, cmd, WS_OPT_FORMAT | WS_OPT_OUT | WS_OPT_SET | WS_OPT_QUIET,
                             extra, sizeof extra / sizeof extra[0], &o);
    if (rc)
        return rc > 0 ? WS_EXIT_OK : WS_EXIT_BAD_INPUT;
    if (o.n_args != 1) {
        fprintf(stderr, "wafersim noc: expected exactly one config file, found %zu\n", o.n_args);
        ws_cli_opts_free(&o);
        return WS_EXIT_BAD_INPUT;
    }
    /* --rates 0.1,0.2 is --set traffic.rates=[0.1,0.2]: checked by the schema */
    char *rates_set = NULL;
    const char **sets = ws_xmalloc((o.n_sets + 1) * sizeof *sets);
    if (o.n_sets)   /* o.sets is NULL when no --set was given */
        memcpy(sets, o.sets, o.n_sets * sizeof *sets);
    size_t n_sets = o.n_sets;
    if (x.rates) {
        size_t len = strlen(x.rates) + 32;
        rates_set = ws_xmalloc(len);
        snprintf(rates_set, len, "traffic.rates=[%s]", x.rates);
        sets[n_sets++] = rates_set;
    }
    ws_diag d;
    ws_diag_init(&d, WS_DIAG_DEFAULT_LIMIT);
    ws_config cfg;
    int status = WS_EXIT_OK;
    if (ws_config_load(&cfg, o.args[0], sets, n_sets, &d) != 0) {
        ws_diag_print(&d, stderr);
        status = WS_EXIT_BAD_INPUT;
        goto out;
    }

    ws_provenance prov;
    ws_cli_provenance(&prov, "wafersim noc");
    prov.config_path = o.args[0];
    ws_hash64_hex(ws_config_hash(&cfg), prov.config_hash);
    prov.has_seed = true;
    prov.seed = (uint64_t)cfg.sim.seed;

    ws_table *t = ws_table_new("latency vs offered load", N_COLUMNS, columns);
    static const char *const link_cols[] = { "offered_flits_per_node_cycle", "link", "direction", "flits", "bytes",
                                             "busy_cycles", "utilisation", "peak_buffer_flits",
                                             "bandwidth_bytes_per_cycle", "latency_cycles" };
    ws_table *lt = x.links ? ws_table_new("per-link load over the measurement window", 10, link_cols) : NULL;
    static const char *const hist_cols[] = { "offered_flits_per_node_cycle", "latency_from_cycles",
                                             "latency_to_cycles", "packets" };
    ws_table *ht = x.histogram ? ws_table_new("packet latency histogram", 4, hist_cols) : NULL;

    const double *rates = cfg.traffic.rates.items;
    ws_progress pm;
    ws_progress_begin(&pm, stderr, !o.quiet, "noc", "points", cfg.traffic.rates.n);
    for (size_t i = 0; i < cfg.traffic.rates.n && status == WS_EXIT_OK; i++) {
        noc_point p;
        int st = noc_measure_point(&cfg, rates[i], stderr, &p);
        if (st == WS_EXIT_BAD_INPUT) {
            ws_progress_end(&pm);
            status = st;
        } else if (st != WS_EXIT_OK) {
            ws_progress_end(&pm);
            fprintf(stderr, "wafersim noc: no progress at offered load %g (exit status 3)\n", rates[i]);
            status = WS_EXIT_NO_PROGRESS;
        } else {
            add_point(t, &p);
            if (lt)
                add_links(lt, &p);
            if (ht)
                add_histogram(ht, &p);
        }
        noc_point_free(&p);
        ws_progress_update(&pm, i + 1);
    }
    ws_progress_end(&pm);
    if (status == WS_EXIT_OK) {
        status = write_table(t, &prov, o.format, o.out);
        if (status == WS_EXIT_OK && lt)
            status = write_table(lt, &prov, WS_FORMAT_CSV, x.links);
        if (status == WS_EXIT_OK && ht)
            status = write_table(ht, &prov, WS_FORMAT_CSV, x.histogram);
    }
    ws_table_free(t);
    if (lt)
        ws_table_free(lt);
    if (ht)
        ws_table_free(ht);
    ws_config_free(&cfg);
out:
    ws_diag_free(&d);
    free(rates_set);
    free(sets);
    ws_cli_opts_free(&o);

    return status;
}
