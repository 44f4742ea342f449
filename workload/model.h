/* workload/model.h — MoE model specifications (the model zoo) and the
 * quantities derived from them.
 *
 * Contract
 *   A model file is a YAML mapping read with its own schema
 *   (wl_model_schema, same machinery and positioned errors as the
 *   experiment config: unknown keys, ranges and cross-checks are errors with
 *   file:line:column and key path):
 *
 *     name            model name, [A-Za-z0-9._-]{1,31} (stored in traces)
 *     description     free text
 *     layers          transformer layers, numbered 0..layers-1
 *     moe_layers      {first, last, step}: layers first, first+step, ...,
 *                     up to last, are MoE layers; every other layer is dense
 *     routed_experts  E, routed experts per MoE layer (ids 0..E-1, E <= 65535)
 *     top_k           k experts chosen per token and MoE layer (k <= E)
 *     groups          expert groups for group-limited routing (1 = none);
 *                     must divide E
 *     groups_kept     groups kept before the top-k (<= groups, and
 *                     top_k <= groups_kept * E / groups)
 *     shared_experts  always-on experts per MoE layer (not routed)
 *     hidden          model (hidden) dimension
 *     expert_ffn      intermediate dimension of one routed expert
 *     dtype           weight type: fp32, bf16, fp16, fp8, int4
 *
 *   wl_model_load() reads NAME_OR_PATH: an argument with a '/' or ending in
 *   ".yaml" is a path; anything else names a shipped model
 *   <ws_config_dir()>/models/NAME.yaml (WAFERSIM_CONFIG_DIR, the source tree
 *   or the installed data). Errors go to the diag; returns 0 or -1 (the
 *   model is then empty and needs no free). On success the derived
 *   quantities are filled in once:
 *     matrix_bytes      hidden * expert_ffn * dtype size (one of the three
 *                       matrices gate/up/down); DeepSeek-V3: 28 MiB
 *     expert_bytes      3 * matrix_bytes
 *     flops_per_token_matrix  2 * hidden * expert_ffn
 *     flops_per_token_expert  3 * flops_per_token_matrix
 *     n_moe, moe_layer[] the MoE layer numbers in ascending order, and
 *     moe_index[layer]   its position in moe_layer[], or -1 for a dense layer
 *     experts_per_group  E / groups
 *     routed_bytes_per_layer  E * expert_bytes (all routed experts of a layer)
 *
 *   wl_model_load_reporting() is wl_model_load() for a command line: it
 *   collects the errors (up to WS_DIAG_DEFAULT_LIMIT) and on failure prints
 *   them to err_stream (ws_diag_print: file:line:column, one per line);
 *   returns 0 or -1 like wl_model_load (nothing to free on -1).
 *
 *   wl_model_list() returns the names of the shipped models (sorted; caller
 *   frees with wl_model_list_free); wl_model_write() prints the model as
 *   YAML that reads back to the same model. No global mutable state.
 */
#ifndef WL_MODEL_H
#define WL_MODEL_H

#include <stdint.h>
#include <stdio.h>

#include "core/config_schema.h"
#include "core/diag.h"

#define WL_MODEL_NAME_MAX 31        /* characters, without the NUL */
#define WL_MODEL_MAX_EXPERTS 65535  /* ids are stored as uint16 */
#define WL_MODEL_MAX_TOP_K 64
#define WL_MODEL_MAX_LAYERS 4096

typedef enum wl_dtype { WL_DTYPE_FP32, WL_DTYPE_BF16, WL_DTYPE_FP16, WL_DTYPE_FP8, WL_DTYPE_INT4 } wl_dtype;

typedef struct wl_moe_range {
    int64_t first, last, step;
} wl_moe_range;

typedef struct wl_model {
    /* as written in the file */
    char *name;
    char *description;
    int64_t layers;
    wl_moe_range moe_layers;
    int64_t routed_experts;
    int64_t top_k;
    int64_t groups;
    int64_t groups_kept;
    int64_t shared_experts;
    int64_t hidden;
    int64_t expert_ffn;
    int dtype;                      /* wl_dtype */
    /* derived by wl_model_load */
    char *path;                     /* the file it was read from */
    uint32_t dtype_bits;
    uint64_t matrix_bytes;
    uint64_t expert_bytes;
    uint64_t routed_bytes_per_layer;
    uint64_t flops_per_token_matrix;
    uint64_t flops_per_token_expert;
    uint32_t experts_per_group;
    uint32_t n_moe;
    uint32_t *moe_layer;            /* [n_moe] */
    int32_t *moe_index;             /* [layers] */
} wl_model;

extern const ws_cschema wl_model_schema;

int wl_model_load(wl_model *m, const char *name_or_path, ws_diag *d);
int wl_model_load_reporting(wl_model *m, const char *name_or_path, FILE *err_stream);
void wl_model_free(wl_model *m);

/* The path wl_model_load would read for this argument (caller frees). */
char *wl_model_path(const char *name_or_path);

/* Shipped model names, sorted; *n set to their count. */
char **wl_model_list(size_t *n);
void wl_model_list_free(char **names, size_t n);

void wl_model_write(const wl_model *m, FILE *out);
const char *wl_dtype_name(wl_dtype t);

#endif
