/* core/table_read.h — reads back a table that ws_table_write() wrote as
 * JSON or CSV (core/output.h), e.g. the per-point results of a sweep or
 * the per-link profile of `wafersim run --links`.
 *
 * Contract
 *   ws_table_read_json() parses the file at `path` into a ws_table_data:
 *   the provenance values by key (strings as written, numbers as their
 *   text, null as NULL), the column names and the rows, each cell a string,
 *   an integer (a JSON number without fraction or exponent), a double or
 *   empty (null). Doubles are read with strtod from the shortest round-trip
 *   text ws_table_write() gives them, so writing a cell back
 *   (ws_table_set_cell) gives the same text. Returns 0, or -1 with a
 *   one-line reason in err (cannot read, not JSON, not a table: a missing
 *   "provenance", "columns" or "rows", a row whose keys are not the
 *   columns in order). Files larger than 64 MiB are refused.
 *
 *   ws_table_read_csv() reads the CSV format into the same ws_table_data,
 *   with the same return convention and size limit: RFC 4180 fields
 *   (quoted fields may hold commas, "" for a quote and line breaks), LF or
 *   CRLF line ends. A line starting with '#' is a comment; the "# key:
 *   value" comments before the header are the provenance (values as
 *   written, e.g. "none"). Blank lines are skipped. The first other line
 *   is the header (the column names), every later record a row with as
 *   many fields. CSV has no types, so a field is an integer or a double
 *   only when writing that value back gives its text exactly (e.g. "42",
 *   "0.1", "1e-300", "nan"; not "042", "+1" or "1.50"), empty when empty,
 *   and a string otherwise: the text of every cell is kept. Malformed
 *   input is refused with "PATH:LINE:COLUMN: reason" (1-based; the column
 *   counts bytes): an unterminated quoted field (at its opening quote), a
 *   quote inside an unquoted field, text after a closing quote, a carriage
 *   return not followed by a line feed, a NUL byte, a row with more or
 *   fewer fields than the header, no header at all.
 *   ws_table_read_csv_stream() does the same on an open stream, naming it
 *   `name` in messages (for callers with their own message for a file that
 *   cannot be opened).
 *
 *   ws_table_data_prov() returns a provenance value (NULL when absent or
 *   null); ws_table_data_column() a column's index, or -1;
 *   ws_table_data_cell() the cell of a row and column;
 *   ws_table_data_text() the text ws_table_write() gives that cell in CSV
 *   (for a cell read from CSV: the field's text), in buf when it is a
 *   number; ws_table_data_line() the 1-based line of the file a row starts
 *   on (CSV), or 0 (JSON). header_line is the header's line (CSV), or 0.
 */
#ifndef WS_TABLE_READ_H
#define WS_TABLE_READ_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "core/output.h"

typedef struct ws_table_data {
    size_t n_prov;
    char **prov_keys, **prov_values;
    size_t n_columns, n_rows;
    char **columns;
    ws_cell *cells;            /* n_rows x n_columns; strings owned */
    size_t header_line;        /* CSV: the header's line; JSON: 0 */
    size_t *row_lines;         /* CSV: n_rows lines; JSON: NULL */
} ws_table_data;

/* Big enough for the text of any number cell (ws_table_data_text). */
#define WS_TABLE_CELL_TEXT_MAX 48

int ws_table_read_json(const char *path, ws_table_data *t, char *err, size_t err_len);
int ws_table_read_csv(const char *path, ws_table_data *t, char *err, size_t err_len);
int ws_table_read_csv_stream(FILE *f, const char *name, ws_table_data *t, char *err, size_t err_len);
void ws_table_data_free(ws_table_data *t);
const char *ws_table_data_prov(const ws_table_data *t, const char *key);
ssize_t ws_table_data_column(const ws_table_data *t, const char *name);
const ws_cell *ws_table_data_cell(const ws_table_data *t, size_t row, size_t col);
const char *ws_table_data_text(const ws_table_data *t, size_t row, size_t col,
                               char buf[WS_TABLE_CELL_TEXT_MAX]);
size_t ws_table_data_line(const ws_table_data *t, size_t row);

#endif
