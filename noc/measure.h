/* noc/measure.h — one point of a latency-load sweep under synthetic
 * traffic, measured with a BookSim-like protocol.
 *
 * Contract
 *   noc_measure_point() builds a fresh engine, network and traffic source
 *   for the offered load `rate` (traffic.rate_unit per node per cycle) and
 *   runs, with P = traffic.measure.sample_period:
 *     1. warm-up: sample periods of P until the mean latency of the packets
 *        ejected in a period and the accepted throughput both change by
 *        less than warmup_threshold from the previous period (a change in
 *        throughput within 3 standard deviations of its counting noise also
 *        counts as converged), at most max_warmup_samples periods;
 *     2. measurement: `samples` periods; packets created in them are the
 *        measured packets; throughput and link counters cover this window;
 *     3. drain: traffic goes on until every measured packet has arrived,
 *        at most max_drain.
 *   The point is saturated (and the reason given) when a period's mean
 *   packet latency exceeds latency_threshold (the run stops there), when the
 *   accepted throughput is below the generated one by more than
 *   accept_tolerance, or when the measured packets do not drain.
 *   Latency statistics are over measured packets: packet latency (creation
 *   to tail ejection, source queueing included), network latency (head
 *   injection to tail ejection), flit latency (injection to ejection of
 *   each flit), mean and percentiles (GSL), a histogram (gsl_histogram),
 *   mean hops. Throughput per node (flits per node per cycle over the
 *   measurement window): mean, min and max over nodes, generated and
 *   accepted. Little's law: the time-average number of packets in the
 *   system over the window against (measured packets / window) x mean
 *   packet latency.
 *   Returns WS_EXIT_BAD_INPUT after printing why to stall_out when the
 *   network cannot be built (noc_network_new), else WS_EXIT_OK, or
 *   WS_EXIT_NO_PROGRESS after printing the engine's
 *   stall report to stall_out (deadlock or watchdog).
 */
#ifndef NOC_MEASURE_H
#define NOC_MEASURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <gsl/gsl_histogram.h>

#include "core/config.h"
#include "noc/network.h"

typedef struct noc_point {
    double offered_flits;                    /* configured load, flits/node/cycle */
    double generated_mean, generated_min, generated_max;
    double accepted_mean, accepted_min, accepted_max;
    double packet_latency_mean, packet_latency_p50, packet_latency_p99, packet_latency_max;
    double network_latency_mean, flit_latency_mean, hops_mean;
    uint64_t measured_packets;
    bool saturated;
    const char *reason;                      /* why saturated, or "" */
    bool warmup_converged;
    int warmup_periods;
    double little_packets_in_system, little_lambda_w;
    ws_tick window_ticks, end_tick;
    gsl_histogram *histogram;                /* packet latency, cycles; NULL if no packets */
    noc_link_stats *links;
    size_t n_links;
} noc_point;

int noc_measure_point(const ws_config *cfg, double rate, FILE *stall_out, noc_point *out);
void noc_point_free(noc_point *p);

#endif
