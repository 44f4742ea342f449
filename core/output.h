/* core/output.h — tabular results with provenance, as table, CSV or JSON.
 *
 * Contract
 *   A ws_table is a titled grid of typed cells. Column names carry their
 *   unit in the name (e.g. "decode_time_us", "throughput_tokens_per_s");
 *   the table does not invent units. Cells are strings, signed 64-bit
 *   integers, doubles (written with the shortest round-trip decimal) or
 *   empty (missing). Rows are appended with ws_table_add_row() and filled
 *   by column index; an unfilled cell is empty.
 *
 *   ws_table_write() renders the table with its provenance in one of three
 *   formats and writes it atomically (core/atomic_file.h) to out_path, or to
 *   stdout when out_path is NULL or "-":
 *     table  aligned columns for people: a "# key: value" provenance block,
 *            the title, a header line and the rows; doubles are shown with
 *            6 significant digits (CSV and JSON keep every digit);
 *     csv    RFC 4180 (fields quoted when they hold , " or newlines), the
 *            provenance as leading "# key: value" comment lines, then one
 *            header line and the rows (pandas: read_csv(comment='#'));
 *     json   one object {"provenance": {...}, "title": ..., "columns": [...],
 *            "rows": [{column: value, ...}, ...]}; empty cells are null,
 *            non-finite doubles are null.
 *   Output depends only on the table and the provenance: two equal inputs
 *   give byte-identical files.
 *
 *   ws_format_parse() maps "table", "csv", "json" to the enum;
 *   ws_format_default() is table when stdout is a terminal, csv otherwise.
 */
#ifndef WS_OUTPUT_H
#define WS_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum ws_format { WS_FORMAT_TABLE, WS_FORMAT_CSV, WS_FORMAT_JSON } ws_format;

/* Where a result came from. Every field is printed; NULL strings print as
 * "unknown". */
typedef struct ws_provenance {
    const char *command;      /* e.g. "wafersim options"                  */
    const char *version;      /* PACKAGE_VERSION                          */
    const char *revision;     /* source revision (git describe) or NULL   */
    const char *config_path;  /* the experiment file, or NULL             */
    char config_hash[17];     /* 16 hex digits of the resolved config, or "" */
    bool has_seed;
    uint64_t seed;
    char date[32];            /* ISO 8601 UTC, see ws_provenance_init()   */
} ws_provenance;

/* Fills version, revision and date. The date is the current UTC time, or
 * SOURCE_DATE_EPOCH when that environment variable holds a valid integer
 * (reproducible-builds convention: pins the only field that varies between
 * two otherwise identical runs). */
void ws_provenance_init(ws_provenance *p, const char *command);

/* Calls fn(key, value, ctx) for every provenance field, in the order and
 * with the text every format prints (for writers of other formats). */
void ws_provenance_each(const ws_provenance *p, void (*fn)(const char *key, const char *value, void *ctx),
                        void *ctx);

typedef struct ws_table ws_table;

ws_table *ws_table_new(const char *title, size_t n_columns, const char *const *column_names);
void ws_table_free(ws_table *t);
size_t ws_table_add_row(ws_table *t);                      /* returns row index */
void ws_table_set_str(ws_table *t, size_t row, size_t col, const char *value);
void ws_table_set_int(ws_table *t, size_t row, size_t col, int64_t value);
void ws_table_set_double(ws_table *t, size_t row, size_t col, double value);
size_t ws_table_rows(const ws_table *t);
/* Appends copies of every row of src to dst (same number of columns;
 * the column names are not compared). */
void ws_table_append(ws_table *dst, const ws_table *src);

/* One typed value, for code that builds rows before it has a table (a
 * results row, a row read back from JSON); ws_table_set_cell() stores it
 * (a WS_CELL_EMPTY cell leaves the table's cell as it is). */
typedef enum ws_cell_kind { WS_CELL_EMPTY, WS_CELL_STR, WS_CELL_INT, WS_CELL_DOUBLE } ws_cell_kind;
typedef struct ws_cell {
    ws_cell_kind kind;
    const char *s;
    int64_t i;
    double d;
} ws_cell;
void ws_table_set_cell(ws_table *t, size_t row, size_t col, const ws_cell *c);

/* Renders into an open stream (no atomicity); used by ws_table_write. */
void ws_table_render(const ws_table *t, const ws_provenance *p, ws_format fmt, FILE *out);

/* Returns 0 on success, -1 with a message in err on I/O failure. */
int ws_table_write(const ws_table *t, const ws_provenance *p, ws_format fmt,
                   const char *out_path, char *err, size_t err_len);

int ws_format_parse(const char *name, ws_format *out);   /* 0 ok, -1 unknown */
ws_format ws_format_default(void);

#endif
