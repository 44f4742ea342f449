/* noc/measure.c — warm-up, measurement and drain of one offered load;
 * contract in noc/measure.h. */
#include "noc/measure.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "core/xalloc.h"
#include "noc/noc_schema.h"
#include "noc/traffic.h"

typedef struct run_state {
    ws_engine *e;
    noc_network *net;
    ws_tick t;              /* next tick to simulate */
    FILE *stall_out;
} run_state;

/* Simulates ticks [t, t + len). */
static int advance(run_state *s, ws_tick len)
{
    ws_run_status st = ws_engine_run(s->e, s->t + len - 1);
    s->t += len;
    if (st == WS_RUN_NO_PROGRESS) {
        ws_engine_report_stall(s->e, s->stall_out);
        return -1;
    }
    return 0;
}

static bool close_enough(double cur, double prev, double threshold, double noise)
{
    double d = fabs(cur - prev);
    return d <= threshold * fabs(cur) || d <= noise;
}

static void fill_throughput(const noc_window *w, int nodes, noc_point *out)
{
    double len = (double)w->length;
    out->generated_min = out->accepted_min = INFINITY;
    out->generated_max = out->accepted_max = 0;
    double gsum = 0, asum = 0;
    for (int i = 0; i < nodes; i++) {
        double g = (double)w->created_flits[i] / len, a = (double)w->ejected_flits[i] / len;
        gsum += g;
        asum += a;
        if (g < out->generated_min) out->generated_min = g;
        if (g > out->generated_max) out->generated_max = g;
        if (a < out->accepted_min) out->accepted_min = a;
        if (a > out->accepted_max) out->accepted_max = a;
    }
    out->generated_mean = gsum / nodes;
    out->accepted_mean = asum / nodes;
}

static void fill_links(const noc_network *net, noc_point *out)
{
    out->n_links = noc_network_link_count(net);
    out->links = ws_xmalloc((out->n_links ? out->n_links : 1) * sizeof *out->links);
    for (size_t i = 0; i < out->n_links; i++)
        noc_network_link_stats(net, i, &out->links[i]);
}

static void fill_latency(const noc_network *net, noc_point *out)
{
    noc_measured m;
    noc_network_measured(net, &m);
    out->measured_packets = m.n;
    if (!m.n)
        return;
    double *sorted = ws_xmalloc(m.n * sizeof *sorted);
    memcpy(sorted, m.packet_latency, m.n * sizeof *sorted);
    gsl_sort(sorted, 1, m.n);
    out->packet_latency_mean = gsl_stats_mean(sorted, 1, m.n);
    out->packet_latency_p50 = gsl_stats_quantile_from_sorted_data(sorted, 1, m.n, 0.5);
    out->packet_latency_p99 = gsl_stats_quantile_from_sorted_data(sorted, 1, m.n, 0.99);
    out->packet_latency_max = sorted[m.n - 1];
    out->network_latency_mean = gsl_stats_mean(m.network_latency, 1, m.n);
    out->hops_mean = gsl_stats_mean(m.hops, 1, m.n);
    out->flit_latency_mean = m.flits ? m.flit_latency_sum / (double)m.flits : 0;
    double top = sorted[m.n - 1] + 1;
    size_t bins = top < 50 ? (size_t)top : 50;
    double width = ceil(top / (double)bins);
    out->histogram = gsl_histogram_alloc(bins);
    gsl_histogram_set_ranges_uniform(out->histogram, 0, width * (double)bins);
    for (size_t i = 0; i < m.n; i++)
        gsl_histogram_increment(out->histogram, sorted[i]);
    free(sorted);
}

int noc_measure_point(const ws_config *cfg, double rate, FILE *stall_out, noc_point *out)
{
    memset(out, 0, sizeof *out);
    out->reason = "";
    const ws_measure_config *mc = &cfg->traffic.measure;
    uint64_t seed = (uint64_t)cfg->sim.seed;
    run_state s = { ws_engine_new(seed), NULL, 0, stall_out };
    ws_engine_set_skipping(s.e, cfg->sim.activity_skipping);
    ws_engine_set_watchdog(s.e, noc_config_ticks(cfg, cfg->sim.watchdog_s));
    char err[256];
    s.net = noc_network_new(s.e, cfg, NULL, err, sizeof err);
    if (!s.net) {
        fprintf(stall_out, "wafersim noc: %s\n", err);
        ws_engine_free(s.e);
        return WS_EXIT_BAD_INPUT;
    }
    noc_traffic *tr = noc_traffic_new(cfg, rate, seed);
    noc_network_set_traffic(s.net, tr);
    int nodes = noc_network_nodes(s.net);
    out->offered_flits = cfg->traffic.rate_unit == WS_RATE_FLITS ? rate : rate * noc_traffic_mean_flits(tr);

    ws_tick period = noc_config_ticks(cfg, mc->sample_period_s);
    if (period < 1)
        period = 1;
    double lat_thr = (double)noc_config_ticks(cfg, mc->latency_threshold_s);
    int status = WS_EXIT_OK;
    noc_window w;

    /* 1. warm-up */
    double prev_lat = 0, prev_acc = 0;
    uint64_t prev_flits = 0;
    for (int i = 0; i < mc->max_warmup_samples; i++) {
        noc_network_window_reset(s.net, s.t);
        if (advance(&s, period) != 0) {
            status = WS_EXIT_NO_PROGRESS;
            goto done;
        }
        noc_network_window(s.net, s.t, &w);
        uint64_t flits = 0;
        for (int k = 0; k < nodes; k++)
            flits += w.ejected_flits[k];
        double acc = (double)flits / ((double)nodes * (double)period);
        double lat = w.ejected_packets ? w.ejected_latency_sum / (double)w.ejected_packets : 0;
        out->warmup_periods = i + 1;
        if (lat > lat_thr) {
            out->saturated = true;
            out->reason = "latency above threshold during warm-up";
            out->window_ticks = w.length;
            fill_throughput(&w, nodes, out);
            fill_links(s.net, out);
            goto finish;
        }
        double noise = 3 * sqrt((double)(flits + prev_flits)) / ((double)nodes * (double)period);
        if (i > 0 && close_enough(lat, prev_lat, mc->warmup_threshold, 0) &&
            close_enough(acc, prev_acc, mc->warmup_threshold, noise)) {
            out->warmup_converged = true;
            break;
        }
        prev_lat = lat;
        prev_acc = acc;
        prev_flits = flits;
    }

    /* 2. measurement */
    noc_network_window_reset(s.net, s.t);
    noc_network_set_measuring(s.net, true);
    for (int i = 0; i < mc->samples; i++) {
        noc_network_window(s.net, s.t, &w);
        uint64_t pk0 = w.ejected_packets;
        double lat0 = w.ejected_latency_sum;
        if (advance(&s, period) != 0) {
            status = WS_EXIT_NO_PROGRESS;
            goto done;
        }
        noc_network_window(s.net, s.t, &w);
        uint64_t pk = w.ejected_packets - pk0;
        if (pk && (w.ejected_latency_sum - lat0) / (double)pk > lat_thr) {
            out->saturated = true;
            out->reason = "latency above threshold while measuring";
            break;
        }
    }
    noc_network_set_measuring(s.net, false);
    noc_network_window(s.net, s.t, &w);
    out->window_ticks = w.length;
    fill_throughput(&w, nodes, out);
    out->little_packets_in_system = w.packets_in_system_area / (double)w.length;
    fill_links(s.net, out);

    /* 3. drain */
    if (!out->saturated) {
        ws_tick limit = s.t + noc_config_ticks(cfg, mc->max_drain_s);
        while (noc_network_measured_outstanding(s.net) && s.t < limit) {
            ws_tick step = limit - s.t < period ? limit - s.t : period;
            if (advance(&s, step) != 0) {
                status = WS_EXIT_NO_PROGRESS;
                goto done;
            }
        }
        if (noc_network_measured_outstanding(s.net)) {
            out->saturated = true;
            out->reason = "measured packets did not drain";
        }
    }
    if (!out->saturated && out->accepted_mean < out->generated_mean * (1 - mc->accept_tolerance)) {
        out->saturated = true;
        out->reason = "accepted throughput below offered";
    }
finish:
    fill_latency(s.net, out);
    if (out->window_ticks)
        out->little_lambda_w = (double)out->measured_packets / (double)out->window_ticks * out->packet_latency_mean;
done:
    out->end_tick = s.t;
    noc_network_free(s.net);
    noc_traffic_free(tr);
    ws_engine_free(s.e);
    return status;
}

void noc_point_free(noc_point *p)
{
    if (p->histogram)
        gsl_histogram_free(p->histogram);
    free(p->links);
    memset(p, 0, sizeof *p);
}
