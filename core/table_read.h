/* core/table_read.h — reads back a table that ws_table_write() wrote as
 * JSON (core/output.h), e.g. the per-point results of a sweep.
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
 *   ws_table_data_prov() returns a provenance value (NULL when absent or
 *   null); ws_table_data_column() a column's index, or -1;
 *   ws_table_data_cell() the cell of a row and column.
 */
#ifndef WS_TABLE_READ_H
#define WS_TABLE_READ_H

#include <stddef.h>
#include <sys/types.h>

#include "core/output.h"

typedef struct ws_table_data {
    size_t n_prov;
    char **prov_keys, **prov_values;
    size_t n_columns, n_rows;
    char **columns;
    ws_cell *cells;            /* n_rows x n_columns; strings owned */
} ws_table_data;

int ws_table_read_json(const char *path, ws_table_data *t, char *err, size_t err_len);
void ws_table_data_free(ws_table_data *t);
const char *ws_table_data_prov(const ws_table_data *t, const char *key);
ssize_t ws_table_data_column(const ws_table_data *t, const char *name);
const ws_cell *ws_table_data_cell(const ws_table_data *t, size_t row, size_t col);

#endif
