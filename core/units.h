/* core/units.h — physical quantities with units.
 *
 * Contract
 *   ws_units_parse() reads a quantity written as "<number> <unit>" (the space
 *   is optional, e.g. "200 ns", "1.7TB/s", "10%") and returns its value in
 *   the canonical SI unit of its kind:
 *
 *     kind        canonical   accepted units
 *     TIME        seconds     ps ns us ms s cycles
 *     FREQUENCY   hertz       Hz kHz MHz GHz
 *     BANDWIDTH   bytes/s     B/s KB/s MB/s GB/s TB/s KiB/s MiB/s GiB/s TiB/s B/cycle
 *     SIZE        bytes       B KB MB GB TB KiB MiB GiB TiB
 *     COMPUTE     FLOP/s      FLOPS GFLOPS TFLOPS PFLOPS (also FLOP/s, TFLOP/s, ...)
 *     PERCENT     fraction    %   (so "10%" -> 0.10)
 *
 *   Decimal prefixes are powers of ten (GB = 10^9 B, as the HBM and link
 *   vendors use them); binary prefixes are powers of two (GiB = 2^30 B).
 *   Unit names are case-sensitive (MB is megabytes, Mb is not accepted).
 *   "cycles" and "B/cycle" need the clock frequency: the caller passes it
 *   (hertz) in clock_hz; a value <= 0 makes those units an error.
 *
 *   Blanks (spaces, tabs) around the text are ignored, and so are trailing
 *   line breaks (a YAML block scalar, ">\n  1 ms", reads as "1 ms\n").
 *
 *   The number is a decimal (optionally with exponent) >= 0; it must be
 *   finite and the scaled value must stay below 1e30 (overflow is an error).
 *   SIZE values must come out as a whole number of bytes.
 *
 *   On error the function returns a ws_units_status other than WS_UNITS_OK,
 *   leaves *out untouched and writes a one-line human explanation of what
 *   was expected and what was found into err (if err_len > 0).
 *
 *   ws_units_format() writes a value in a canonical display unit of its kind
 *   (time in ns, frequency in GHz, bandwidth in GB/s, size in B, compute in
 *   TFLOPS, percent in %), using the shortest decimal that reads back to
 *   the same double. ws_units_parse(ws_units_format(v)) == v exactly.
 *
 *   ws_units_format_readable() writes a value for people (ranges in error
 *   messages, the reference table): in the largest unit of its kind (among
 *   the units that are a power of ten, clock units excluded) of which it is
 *   at least 1, or the smallest when it is below all of them ("1 MHz",
 *   "100 GHz", "1 s", "250 ns"); a binary unit (KiB, MiB/s, ...) instead when
 *   the value is at least 1 of it and that reads shorter ("64 MiB" rather
 *   than "67.108864 MB"); zero in the display unit ("0 ns"); a percentage
 *   without the space ("99%"). The text reads back to exactly the value;
 *   where no such unit exists it falls back to ws_units_format(). Its
 *   output may change between versions: never hash it (ws_units_format()
 *   is the stable, hashed form of `config show`).
 *
 *   ws_units_kind_name() and ws_units_kind_units() name a kind and list its
 *   accepted units, for error messages and documentation.
 *
 *   Pure functions; no global state.
 */
#ifndef WS_UNITS_H
#define WS_UNITS_H

#include <stddef.h>

typedef enum ws_unit_kind {
    WS_UNIT_TIME,
    WS_UNIT_FREQUENCY,
    WS_UNIT_BANDWIDTH,
    WS_UNIT_SIZE,
    WS_UNIT_COMPUTE,
    WS_UNIT_PERCENT,
    WS_UNIT_KIND_COUNT
} ws_unit_kind;

typedef enum ws_units_status {
    WS_UNITS_OK = 0,
    WS_UNITS_EMPTY,          /* nothing (or only blanks) given             */
    WS_UNITS_BAD_NUMBER,     /* the number part is malformed               */
    WS_UNITS_MISSING_UNIT,   /* a bare number where a unit is required     */
    WS_UNITS_UNKNOWN_UNIT,   /* a unit that does not belong to this kind   */
    WS_UNITS_NEGATIVE,       /* a value below zero                         */
    WS_UNITS_OVERFLOW,       /* infinite, NaN or too large                 */
    WS_UNITS_NOT_INTEGRAL,   /* a size that is not a whole number of bytes */
    WS_UNITS_NEEDS_CLOCK     /* cycles or B/cycle without a clock          */
} ws_units_status;

/* Largest magnitude accepted after scaling to the canonical unit. */
#define WS_UNITS_MAX_VALUE 1e30

ws_units_status ws_units_parse(const char *text, ws_unit_kind kind, double clock_hz,
                               double *out, char *err, size_t err_len);

/* Writes the canonical text ("200 ns") into buf; returns buf. */
char *ws_units_format(double value, ws_unit_kind kind, char *buf, size_t buf_len);
/* Writes the readable text ("1 MHz", "64 MiB") into buf; returns buf. */
char *ws_units_format_readable(double value, ws_unit_kind kind, char *buf, size_t buf_len);

const char *ws_units_kind_name(ws_unit_kind kind);   /* "time", "size", ... */
const char *ws_units_kind_units(ws_unit_kind kind);  /* "ps, ns, us, ms, s, cycles" */

/* Shortest "%.*g" text of v that reads back to exactly v (helper shared by
 * every writer of numbers). Returns buf. */
char *ws_format_double(double v, char *buf, size_t buf_len);

#endif
