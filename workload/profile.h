/* workload/profile.h — the parameters of the synthetic trace generator (a
 * "profile", one YAML file per calibrated model in configs/profiles/) and
 * the statistics it is calibrated against.
 *
 * Contract
 *   A profile is a YAML mapping read with its own schema (wl_profile_schema,
 *   core/config_schema.h: unknown keys, types and ranges are errors with
 *   file:line:column and key path). doc/traces.md explains every key in
 *   terms of the generative model (workload/generator.h). A "ramp" is
 *   {first: X, last: Y}: X at the first MoE layer, Y at the last, linear in
 *   between (wl_ramp_at).
 *
 *   wl_profile_load() reads NAME_OR_PATH (a '/' or a ".yaml" suffix makes it
 *   a path; otherwise <ws_config_dir()>/profiles/NAME.yaml) and checks it
 *   against the model it will drive: layer_gini has one value per MoE layer
 *   (or none), degenerate_layers are MoE layer indices below n_moe,
 *   kernel_width and partner_width do not exceed the experts. Errors go to
 *   the diag with their position; returns 0 or -1 (nothing to free then).
 *   wl_profile_default() fills the schema defaults (a profile for a model
 *   that has none); wl_profile_free() frees either. p->path is the file
 *   wl_profile_load read (NULL for the defaults).
 *
 *   targets: the calibration targets, each {stat, layer, value, tolerance,
 *   source}: `stat` is a column of `wafersim trace stats` (workload/stats.h)
 *   read on the "mean" row (layer -1, the default) or on MoE layer index
 *   `layer`; the calibration test checks |measured - value| <= tolerance,
 *   unless `enforced: false` (a known gap of the generator, reported by the
 *   test and doc/traces.md but not checked), and doc/traces.md tabulates
 *   them with their source. wl_profile_load
 *   checks that every stat names a column and every layer exists.
 */
#ifndef WL_PROFILE_H
#define WL_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config_schema.h"
#include "core/diag.h"
#include "workload/model.h"

typedef struct wl_ramp {
    double first, last;
} wl_ramp;

typedef struct wl_prompt_dist {
    double median;          /* lognormal median, tokens */
    double sigma;           /* lognormal sigma (0 = always the median) */
    int64_t min, max;       /* clamp */
} wl_prompt_dist;

typedef struct wl_target {
    char *stat;             /* a `trace stats` column */
    int64_t layer;          /* MoE layer index, or -1 for the mean row */
    double value, tolerance;
    char *source;           /* where the value comes from */
    bool enforced;          /* false: a known gap, reported but not checked */
} wl_target;

typedef struct wl_profile {
    char *name;
    char *model;                /* the model it was calibrated for */
    char *description;
    /* popularity */
    wl_ramp skew;               /* lognormal sigma of expert popularity per layer */
    ws_clist layer_gini;        /* double[n_moe] target Gini per layer (overrides skew) */
    double skew_gain;           /* multiplies the sigma derived from layer_gini */
    int64_t hot_experts;        /* per layer, the most popular experts get ... */
    double hot_boost;           /* ... this much added to their logit (heavier top tail) */
    ws_clist degenerate_layers; /* int64_t MoE layer indices sending most tokens to one expert */
    double degenerate_share;    /* share of those layers' picks on their one expert */
    /* topics */
    int64_t topics;             /* topics (subjects/languages) a request draws one of */
    double topic_spread;        /* sigma of a topic's logit perturbation */
    double decode_shift;        /* sigma of the decode-phase logit perturbation */
    /* sequence structure */
    wl_ramp stickiness;         /* P(a pick copies an expert of the previous token) */
    wl_ramp layer_follow;       /* P(a pick follows the kernel from the previous MoE layer) */
    int64_t kernel_width;       /* successors per expert in the layer kernel */
    double kernel_concentration;/* Dirichlet alpha of the kernel weights */
    double coactivation;        /* P(pick j >= 1 is a partner of an earlier pick) */
    int64_t partner_width;      /* partners per expert */
    double partner_concentration;
    /* lengths */
    wl_prompt_dist prompt;
    int64_t decode_tokens;
    ws_clist targets;           /* wl_target[] */
    char *path;                 /* the file wl_profile_load read (NULL: defaults) */
} wl_profile;

extern const ws_cschema wl_profile_schema;

int wl_profile_load(wl_profile *p, const char *name_or_path, const wl_model *m, ws_diag *d);
void wl_profile_default(wl_profile *p);
void wl_profile_free(wl_profile *p);

/* The path wl_profile_load reads for this argument (caller frees). */
char *wl_profile_path(const char *name_or_path);

static inline double wl_ramp_at(const wl_ramp *r, uint32_t m, uint32_t n_moe)
{
    if (n_moe <= 1)
        return r->first;
    return r->first + (r->last - r->first) * (double)m / (double)(n_moe - 1);
}

/* wl_profile_pick() (workload/profile_pick.c) chooses and loads the
 * profile that drives the generator for model m: NAME_OR_PATH when not
 * NULL; else the model's shipped profile (wl_profile_path(m->name)) when
 * that file exists; else the defaults (wl_profile_default) with the note
 * "WHO: no shipped profile for MODEL: using the default profile". A
 * profile loaded for another model than the one it was calibrated for
 * gets "WHO: warning: profile P was calibrated for X, not Y". Notes and
 * warnings go to err_stream unless quiet; load errors always go there
 * (ws_diag_print). Returns 0 (free with wl_profile_free) or -1 (nothing
 * to free). */
#include <stdio.h>
int wl_profile_pick(wl_profile *p, const char *name_or_path, const wl_model *m, const char *who, bool quiet,
                    FILE *err_stream);

#endif
