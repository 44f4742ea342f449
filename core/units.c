/* core/units.c — parsing and printing of physical quantities ("200 ns",
 * "1.7 TB/s", "64 MiB", "10%") for the configuration reader and the result
 * writers. Each kind of quantity has one static table of accepted unit names
 * and their scales; ws_units_parse() validates the number by hand, looks the
 * unit up in the table of the requested kind and scales to the canonical SI
 * unit, and ws_units_format() prints a value in the display unit of its kind
 * so that it reads back exactly. The contract (accepted units, errors,
 * round trip) is in core/units.h.
 */
#include "core/units.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ unit tables */

/* How a unit depends on the clock frequency. */
typedef enum clock_use {
    CLOCK_NONE,      /* fixed scale                                  */
    CLOCK_DIVIDE,    /* "cycles": value / clock_hz seconds            */
    CLOCK_MULTIPLY   /* "B/cycle": value * clock_hz bytes per second  */
} clock_use;

/* The scale of a unit, value_si = number * 10^pow10 * 2^pow2 (then divided
 * or multiplied by the clock). The scale is kept as exponents rather than a
 * double so that it can be applied exactly: a decimal power is folded into
 * the exponent of the number before strtod rounds it once, and a binary power
 * is an exact ldexp. */
typedef struct unit_scale {
    int pow10;
    int pow2;
    clock_use clock;
} unit_scale;

typedef struct unit_def {
    const char *name;
    unit_scale scale;
} unit_def;

#define DEC(n, p) { (n), { (p), 0, CLOCK_NONE } }
#define BIN(n, p) { (n), { 0, (p), CLOCK_NONE } }

static const unit_def time_units[] = {
    DEC("ps", -12), DEC("ns", -9), DEC("us", -6), DEC("ms", -3), DEC("s", 0),
    { "cycles", { 0, 0, CLOCK_DIVIDE } },
    { "cycle", { 0, 0, CLOCK_DIVIDE } },
};
static const unit_def frequency_units[] = {
    DEC("Hz", 0), DEC("kHz", 3), DEC("MHz", 6), DEC("GHz", 9),
};
static const unit_def bandwidth_units[] = {
    DEC("B/s", 0), DEC("KB/s", 3), DEC("MB/s", 6), DEC("GB/s", 9), DEC("TB/s", 12),
    BIN("KiB/s", 10), BIN("MiB/s", 20), BIN("GiB/s", 30), BIN("TiB/s", 40),
    { "B/cycle", { 0, 0, CLOCK_MULTIPLY } },
};
static const unit_def size_units[] = {
    DEC("B", 0), DEC("KB", 3), DEC("MB", 6), DEC("GB", 9), DEC("TB", 12),
    BIN("KiB", 10), BIN("MiB", 20), BIN("GiB", 30), BIN("TiB", 40),
};
static const unit_def compute_units[] = {
    DEC("FLOPS", 0), DEC("GFLOPS", 9), DEC("TFLOPS", 12), DEC("PFLOPS", 15),
    DEC("FLOP/s", 0), DEC("GFLOP/s", 9), DEC("TFLOP/s", 12), DEC("PFLOP/s", 15),
};
static const unit_def percent_units[] = {
    DEC("%", -2),
};

#undef DEC
#undef BIN

typedef struct kind_def {
    const char *name;        /* "time"                                     */
    const char *units_list;  /* accepted units, for messages and docs      */
    const char *example;     /* a valid quantity, for messages             */
    const unit_def *units;
    size_t n_units;
    const char *display;     /* unit of ws_units_format (pure power of 10) */
    const char *si;          /* canonical unit, fallback of the formatter
                                (NULL: none, the display unit is exact)    */
    double max;              /* largest accepted value after scaling       */
    const char *max_text;    /* max, as written in messages                */
    const char *whole;       /* if set, the value must be a whole number
                                of these ("bytes")                         */
} kind_def;

#define UNITS(a) (a), sizeof(a) / sizeof((a)[0])

static const kind_def kinds[] = {
    [WS_UNIT_TIME] = { "time", "ps, ns, us, ms, s, cycles", "200 ns", UNITS(time_units),
                       "ns", "s", WS_UNITS_MAX_VALUE, "1e+30 s", NULL },
    [WS_UNIT_FREQUENCY] = { "frequency", "Hz, kHz, MHz, GHz", "2 GHz", UNITS(frequency_units),
                            "GHz", "Hz", WS_UNITS_MAX_VALUE, "1e+30 Hz", NULL },
    [WS_UNIT_BANDWIDTH] = { "bandwidth",
                            "B/s, KB/s, MB/s, GB/s, TB/s, KiB/s, MiB/s, GiB/s, TiB/s, B/cycle",
                            "1.7 TB/s", UNITS(bandwidth_units), "GB/s", "B/s",
                            WS_UNITS_MAX_VALUE, "1e+30 B/s", NULL },
    [WS_UNIT_SIZE] = { "size", "B, KB, MB, GB, TB, KiB, MiB, GiB, TiB", "64 MiB",
                       UNITS(size_units), "B", "B", WS_UNITS_MAX_VALUE, "1e+30 B", "bytes" },
    [WS_UNIT_COMPUTE] = { "compute rate",
                          "FLOPS, GFLOPS, TFLOPS, PFLOPS, FLOP/s, GFLOP/s, TFLOP/s, PFLOP/s",
                          "400 TFLOPS", UNITS(compute_units), "TFLOPS", "FLOPS",
                          WS_UNITS_MAX_VALUE, "1e+30 FLOPS", NULL },
    [WS_UNIT_PERCENT] = { "percentage", "%", "10%", UNITS(percent_units), "%", NULL, 1.0,
                          "100%", NULL },
};

#undef UNITS

_Static_assert(sizeof kinds / sizeof kinds[0] == WS_UNIT_KIND_COUNT,
               "one kind_def per ws_unit_kind");

static const kind_def *kind_get(ws_unit_kind kind)
{
    return (unsigned)kind < WS_UNIT_KIND_COUNT ? &kinds[kind] : NULL;
}

static const unit_def *unit_find(const kind_def *k, const char *s, size_t n)
{
    for (size_t i = 0; i < k->n_units; i++)
        if (strlen(k->units[i].name) == n && !memcmp(k->units[i].name, s, n))
            return &k->units[i];
    return NULL;
}

/* ------------------------------------------------------------ small helpers */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_blank(char c) { return c == ' ' || c == '\t'; }

static const char *skip_blanks(const char *p)
{
    while (is_blank(*p))
        p++;
    return p;
}

static char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void set_err(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || err_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

/* Longest part of the user's text quoted in a message, and the size of a
 * buffer that holds it quoted (each byte may become "\xHH"). */
#define SHOWN_MAX 48
#define QUOTED_SIZE (4 * SHOWN_MAX + 8)

/* Writes s[0..n) into dst (QUOTED_SIZE bytes) as a double-quoted, one-line
 * string: quotes and backslashes are escaped, control bytes become \n, \t or
 * \xHH, and a long text is cut (never inside a UTF-8 sequence) with "...". */
static void quote(const char *s, size_t n, char dst[QUOTED_SIZE])
{
    size_t lim = n < SHOWN_MAX ? n : SHOWN_MAX;
    while (lim > 0 && lim < n && ((unsigned char)s[lim] & 0xC0) == 0x80)
        lim--;
    size_t o = 0;
    dst[o++] = '"';
    for (size_t i = 0; i < lim; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            dst[o++] = '\\';
            dst[o++] = (char)c;
        } else if (c == '\n') {
            dst[o++] = '\\';
            dst[o++] = 'n';
        } else if (c == '\t') {
            dst[o++] = '\\';
            dst[o++] = 't';
        } else if (c < 0x20 || c == 0x7f) {
            static const char hex[] = "0123456789abcdef";
            dst[o++] = '\\';
            dst[o++] = 'x';
            dst[o++] = hex[c >> 4];
            dst[o++] = hex[c & 15];
        } else {
            dst[o++] = (char)c;
        }
    }
    if (lim < n) {
        memcpy(dst + o, "...", 3);
        o += 3;
    }
    dst[o++] = '"';
    dst[o] = '\0';
}

/* ------------------------------------------------------------ numbers */

/* A validated decimal number: [+-] digits [. digits] [(e|E) [+-] digits],
 * with at least one mantissa digit. */
typedef struct number_scan {
    const char *mant;   /* the mantissa, without sign: digits and '.' */
    size_t mant_len;
    long exp;           /* explicit exponent, saturated at +-999999999 */
    bool negative;
    bool nonzero;       /* the mantissa has a digit other than 0 */
    const char *end;    /* first byte after the number */
} number_scan;

static bool scan_number(const char *p, number_scan *ns)
{
    ns->negative = false;
    ns->nonzero = false;
    ns->exp = 0;
    if (*p == '+' || *p == '-') {
        ns->negative = *p == '-';
        p++;
    }
    ns->mant = p;
    size_t digits = 0;
    while (is_digit(*p)) {
        ns->nonzero |= *p != '0';
        digits++;
        p++;
    }
    if (*p == '.') {
        p++;
        while (is_digit(*p)) {
            ns->nonzero |= *p != '0';
            digits++;
            p++;
        }
    }
    if (digits == 0)
        return false;
    ns->mant_len = (size_t)(p - ns->mant);
    if (*p == 'e' || *p == 'E') {
        /* No unit starts with e or E, so an exponent marker must be one. */
        p++;
        bool neg_exp = false;
        if (*p == '+' || *p == '-') {
            neg_exp = *p == '-';
            p++;
        }
        if (!is_digit(*p))
            return false;
        long e = 0;
        while (is_digit(*p)) {
            if (e < 100000000L)
                e = e * 10 + (*p - '0');
            p++;
        }
        ns->exp = neg_exp ? -e : e;
    }
    ns->end = p;
    return true;
}

/* The number times 10^pow10, rounded once by strtod: the mantissa is copied
 * with the combined exponent, so "1.7" and TB (10^12) read as "1.7e12".
 * Returns false if the text could not be converted (out of memory, or a
 * locale whose decimal point is not '.'). */
static bool number_value(const number_scan *ns, int pow10, double *v)
{
    char small[128];
    size_t need = ns->mant_len + 24;
    char *buf = need <= sizeof small ? small : malloc(need);
    if (!buf)
        return false;
    memcpy(buf, ns->mant, ns->mant_len);
    snprintf(buf + ns->mant_len, need - ns->mant_len, "e%ld", ns->exp + pow10);
    char *end;
    *v = strtod(buf, &end);
    bool ok = *end == '\0';
    if (buf != small)
        free(buf);
    return ok;
}

/* ------------------------------------------------------------ parsing */

/* A hint for a unit that is not in the table of kind k: the same name with
 * another case, or a unit of another kind. Writes "" when there is none. */
static void unit_hint(const kind_def *k, const char *u, size_t n, char *hint, size_t hint_len)
{
    hint[0] = '\0';
    for (size_t i = 0; i < k->n_units; i++) {
        const char *name = k->units[i].name;
        if (strlen(name) != n)
            continue;
        bool same = true, bits = false;
        for (size_t j = 0; j < n && same; j++) {
            same = ascii_lower(name[j]) == ascii_lower(u[j]);
            bits |= name[j] == 'B' && u[j] == 'b';
        }
        if (same && !bits) {
            snprintf(hint, hint_len, " (unit names are case-sensitive: did you mean \"%s\"?)", name);
            return;
        }
        if (same)
            return; /* "Mb" is megabits, not a miscased "MB": no guess */
    }
    for (int kk = 0; kk < WS_UNIT_KIND_COUNT; kk++) {
        const kind_def *other = &kinds[kk];
        if (other != k && unit_find(other, u, n)) {
            char q[QUOTED_SIZE];
            quote(u, n, q);
            snprintf(hint, hint_len, " (%s is a %s unit)", q, other->name);
            return;
        }
    }
}

static ws_units_status parse_text(const char *text, ws_unit_kind kind, double clock_hz,
                                  double *out, char *err, size_t err_len);

ws_units_status ws_units_parse(const char *text, ws_unit_kind kind, double clock_hz,
                               double *out, char *err, size_t err_len)
{
    /* Trailing line breaks count as blanks (a YAML block scalar, ">\n  1 ms",
     * reads "1 ms\n"): parse a copy without them. */
    size_t len = text ? strlen(text) : 0, keep = len;
    bool line_break = false;
    while (keep > 0 && (is_blank(text[keep - 1]) || text[keep - 1] == '\n' || text[keep - 1] == '\r')) {
        line_break |= text[keep - 1] != ' ' && text[keep - 1] != '\t';
        keep--;
    }
    if (!line_break)
        return parse_text(text, kind, clock_hz, out, err, err_len);
    char small[128];
    char *copy = keep < sizeof small ? small : malloc(keep + 1);
    if (!copy) {
        set_err(err, err_len, "out of memory reading a %s", ws_units_kind_name(kind));
        return WS_UNITS_BAD_NUMBER;
    }
    memcpy(copy, text, keep);
    copy[keep] = '\0';
    ws_units_status st = parse_text(copy, kind, clock_hz, out, err, err_len);
    if (copy != small)
        free(copy);
    return st;
}

static ws_units_status parse_text(const char *text, ws_unit_kind kind, double clock_hz,
                                  double *out, char *err, size_t err_len)
{
    const kind_def *k = kind_get(kind);
    if (!k) {
        set_err(err, err_len, "internal error: unknown quantity kind %d", (int)kind);
        return WS_UNITS_UNKNOWN_UNIT;
    }
    if (!text)
        text = "";

    /* The text as shown in messages: without the surrounding blanks. */
    const char *start = skip_blanks(text);
    const char *stop = start + strlen(start);
    while (stop > start && is_blank(stop[-1]))
        stop--;
    char shown[QUOTED_SIZE];
    quote(start, (size_t)(stop - start), shown);

    if (start == stop) {
        set_err(err, err_len, "expected a %s with a unit (%s), found an empty value", k->name,
                k->units_list);
        return WS_UNITS_EMPTY;
    }

    number_scan ns;
    bool number_ok = scan_number(start, &ns);
    if (number_ok) {
        /* The number must end at a blank or at the start of a unit: "1..2",
         * "1,5", "1-2", "0x10" and "1e3e4" are malformed numbers, not units. */
        const char *p = ns.end;
        if (*p == '.' || *p == ',' || *p == '+' || *p == '-' || *p == '_' || *p == 'x' ||
            *p == 'X')
            number_ok = false;
        for (; number_ok && *p && !is_blank(*p); p++)
            if (is_digit(*p))
                number_ok = false;
    }
    if (!number_ok) {
        set_err(err, err_len, "malformed number in %s; expected a %s as a decimal number and a "
                "unit (%s), e.g. \"%s\"", shown, k->name, k->units_list, k->example);
        return WS_UNITS_BAD_NUMBER;
    }
    if (ns.negative) {
        set_err(err, err_len, "expected a non-negative %s, found %s", k->name, shown);
        return WS_UNITS_NEGATIVE;
    }

    const char *unit = skip_blanks(ns.end);
    const char *unit_end = unit;
    while (*unit_end && !is_blank(*unit_end))
        unit_end++;
    size_t unit_len = (size_t)(unit_end - unit);
    if (unit_len == 0) {
        set_err(err, err_len, "expected a %s with a unit (%s), found %s", k->name, k->units_list,
                shown);
        return WS_UNITS_MISSING_UNIT;
    }
    const char *rest = skip_blanks(unit_end);
    const unit_def *u = unit_find(k, unit, unit_len);
    if (!u) {
        /* With text after the first word, quote all of it ("B / s"). */
        size_t shown_len = *rest ? (size_t)(stop - unit) : unit_len;
        char q[QUOTED_SIZE], hint[QUOTED_SIZE + 64];
        quote(unit, shown_len, q);
        unit_hint(k, unit, shown_len, hint, sizeof hint);
        set_err(err, err_len, "unknown %s unit %s; expected one of %s%s", k->name, q,
                k->units_list, hint);
        return WS_UNITS_UNKNOWN_UNIT;
    }
    if (*rest) {
        char q[QUOTED_SIZE];
        quote(rest, (size_t)(stop - rest), q);
        set_err(err, err_len, "unexpected %s after the unit in %s; expected a %s such as \"%s\" "
                "and nothing after it", q, shown, k->name, k->example);
        return WS_UNITS_UNKNOWN_UNIT;
    }
    if (u->scale.clock != CLOCK_NONE && !(clock_hz > 0 && isfinite(clock_hz))) {
        set_err(err, err_len, "found %s, but the unit \"%s\" needs the clock frequency and none "
                "is known here; give the %s in another unit", shown, u->name, k->name);
        return WS_UNITS_NEEDS_CLOCK;
    }

    int saved_errno = errno; /* strtod sets ERANGE; the checks below use the value */
    double v;
    bool converted = number_value(&ns, u->scale.pow10, &v);
    errno = saved_errno;
    if (!converted) {
        set_err(err, err_len, "cannot convert the number in %s; expected a %s such as \"%s\"",
                shown, k->name, k->example);
        return WS_UNITS_BAD_NUMBER;
    }
    if (u->scale.pow2)
        v = ldexp(v, u->scale.pow2);
    if (u->scale.clock == CLOCK_DIVIDE)
        v /= clock_hz;
    else if (u->scale.clock == CLOCK_MULTIPLY)
        v *= clock_hz;

    if (!(v <= k->max)) { /* also NaN and infinity */
        set_err(err, err_len, "expected a %s of at most %s, found %s", k->name, k->max_text, shown);
        return WS_UNITS_OVERFLOW;
    }
    if (v == 0 && ns.nonzero) {
        set_err(err, err_len, "the %s %s is too small to represent (it would round to 0)",
                k->name, shown);
        return WS_UNITS_BAD_NUMBER;
    }
    if (k->whole && floor(v) != v) {
        char num[32];
        set_err(err, err_len, "expected a %s that is a whole number of %s, found %s (%s %s)",
                k->name, k->whole, shown, ws_format_double(v, num, sizeof num), k->whole);
        return WS_UNITS_NOT_INTEGRAL;
    }
    if (out)
        *out = v;
    return WS_UNITS_OK;
}

/* ------------------------------------------------------------ formatting */

char *ws_format_double(double v, char *buf, size_t buf_len)
{
    char tmp[40];
    if (isnan(v)) {
        strcpy(tmp, "nan");
    } else if (isinf(v)) {
        strcpy(tmp, v < 0 ? "-inf" : "inf");
    } else {
        int saved_errno = errno; /* strtod may set ERANGE for subnormals */
        bool done = false;
        if (floor(v) == v && fabs(v) < 1e16) {
            snprintf(tmp, sizeof tmp, "%.0f", v);
            done = strtod(tmp, NULL) == v;
        }
        for (int prec = 1; !done && prec <= 17; prec++) {
            snprintf(tmp, sizeof tmp, "%.*g", prec, v);
            done = strtod(tmp, NULL) == v;
        }
        errno = saved_errno;
    }
    if (buf && buf_len > 0)
        snprintf(buf, buf_len, "%s", tmp);
    return buf;
}

/* Writes v / 10^pow10 in decimal (plain for moderate exponents, like %g
 * otherwise) by moving the decimal point of the shortest round-trip digits
 * of v: no arithmetic, so the printed number times 10^pow10 is exactly the
 * decimal that reads back to v. The text is at most about 30 bytes. */
static void format_shifted(double v, int pow10, char *dst, size_t dst_len)
{
    char s[40], digits[40];
    ws_format_double(v, s, sizeof s);
    const char *c = s;
    bool neg = *c == '-';
    if (neg)
        c++;
    size_t n = 0;
    long q = 0; /* |v| = digits * 10^q */
    bool frac = false;
    for (; *c && *c != 'e' && *c != 'E'; c++) {
        if (*c == '.') {
            frac = true;
            continue;
        }
        if (n < sizeof digits - 1)
            digits[n++] = *c;
        if (frac)
            q--;
    }
    if (*c)
        q += strtol(c + 1, NULL, 10);
    size_t lead = 0;
    while (lead < n && digits[lead] == '0')
        lead++;
    memmove(digits, digits + lead, n - lead);
    n -= lead;
    while (n > 0 && digits[n - 1] == '0') {
        n--;
        q++;
    }
    if (n == 0) {
        snprintf(dst, dst_len, "0");
        return;
    }
    q -= pow10;
    long x = q + (long)n - 1; /* exponent of the leading digit */

    char o[64];
    size_t k = 0;
    if (neg)
        o[k++] = '-';
    if (x >= -4 && x < 17) {
        if (q >= 0) {           /* 1700, 200 */
            memcpy(o + k, digits, n);
            k += n;
            for (long i = 0; i < q; i++)
                o[k++] = '0';
        } else if (x >= 0) {    /* 333333333.3333333 */
            memcpy(o + k, digits, (size_t)x + 1);
            k += (size_t)x + 1;
            o[k++] = '.';
            memcpy(o + k, digits + x + 1, n - (size_t)x - 1);
            k += n - (size_t)x - 1;
        } else {                /* 0.001 */
            o[k++] = '0';
            o[k++] = '.';
            for (long i = 0; i < -x - 1; i++)
                o[k++] = '0';
            memcpy(o + k, digits, n);
            k += n;
        }
        o[k] = '\0';
    } else {                    /* 1.5e+20, 2e-07 */
        o[k++] = digits[0];
        if (n > 1) {
            o[k++] = '.';
            memcpy(o + k, digits + 1, n - 1);
            k += n - 1;
        }
        snprintf(o + k, sizeof o - k, "e%c%02ld", x < 0 ? '-' : '+', x < 0 ? -x : x);
    }
    snprintf(dst, dst_len, "%s", o);
}

static bool reads_back(const char *text, ws_unit_kind kind, double v)
{
    double back;
    return ws_units_parse(text, kind, 0.0, &back, NULL, 0) == WS_UNITS_OK && back == v;
}

char *ws_units_format(double value, ws_unit_kind kind, char *buf, size_t buf_len)
{
    const kind_def *k = kind_get(kind);
    if (!buf || buf_len == 0)
        return buf;
    if (!k)
        return ws_format_double(value, buf, buf_len);
    char num[64], text[96];
    if (!isfinite(value)) {
        snprintf(buf, buf_len, "%s %s", ws_format_double(value, num, sizeof num), k->display);
        return buf;
    }
    if (value == 0)
        value = 0.0; /* -0 prints as 0, which reads back equal */
    const unit_def *disp = unit_find(k, k->display, strlen(k->display));
    format_shifted(value, disp->scale.pow10, num, sizeof num);
    snprintf(text, sizeof text, "%s %s", num, k->display);
    /* Check the magnitude (the parser rejects a sign). The shift is exact,
     * so this fails only for values the parser refuses (above the maximum,
     * fractional bytes); those are written in the canonical unit, whose
     * number is the shortest round-trip text of the value itself, rather
     * than shifted past the range of a double ("-1e+309 ns"). A percentage
     * above 100% keeps "%". */
    if (!reads_back(value < 0 ? text + 1 : text, kind, fabs(value)) && k->si)
        snprintf(text, sizeof text, "%s %s", ws_format_double(value, num, sizeof num), k->si);
    snprintf(buf, buf_len, "%s", text);
    return buf;
}

/* The largest plain unit (a pure power of ten, or of two with `binary`, and
 * no clock) of kind k whose scale is at most |v|, or the smallest if none
 * is; NULL when the kind has no such unit. */
static const unit_def *readable_unit(const kind_def *k, double v, bool binary)
{
    const unit_def *best = NULL, *smallest = NULL;
    double best_scale = 0, smallest_scale = 0;
    for (size_t i = 0; i < k->n_units; i++) {
        const unit_def *u = &k->units[i];
        if (u->scale.clock != CLOCK_NONE || (binary ? u->scale.pow10 != 0 || u->scale.pow2 == 0
                                                    : u->scale.pow2 != 0))
            continue;
        double scale = ldexp(pow(10, u->scale.pow10), u->scale.pow2);
        /* the first name of a scale wins ("FLOPS" over "FLOP/s") */
        if (!smallest || scale < smallest_scale) {
            smallest = u;
            smallest_scale = scale;
        }
        if (scale <= fabs(v) && (!best || scale > best_scale)) {
            best = u;
            best_scale = scale;
        }
    }
    return best ? best : smallest;
}

/* v in unit u as "NUMBER UNIT" ("%" without the space); false if the text
 * would not read back to exactly v. */
static bool format_in(double v, ws_unit_kind kind, const unit_def *u, char *text, size_t text_len)
{
    char num[64];
    if (u->scale.pow2) {
        double x = ldexp(v, -u->scale.pow2);   /* exact: a power of two */
        ws_format_double(x, num, sizeof num);
        if (strchr(num, 'e'))
            return false;
    } else {
        format_shifted(v, u->scale.pow10, num, sizeof num);
    }
    snprintf(text, text_len, "%s%s%s", num, strcmp(u->name, "%") ? " " : "", u->name);
    return reads_back(v < 0 ? text + 1 : text, kind, fabs(v));
}

char *ws_units_format_readable(double value, ws_unit_kind kind, char *buf, size_t buf_len)
{
    const kind_def *k = kind_get(kind);
    if (!buf || buf_len == 0)
        return buf;
    if (!k || !isfinite(value))
        return ws_units_format(value, kind, buf, buf_len);
    char text[96] = "", alt[96];
    /* zero in the display unit ("0 ns"), anything else in the largest unit
     * it is at least 1 of */
    const unit_def *u = value == 0 ? unit_find(k, k->display, strlen(k->display))
                                   : readable_unit(k, value, false);
    if (value == 0)
        value = 0.0;
    bool ok = u && format_in(value, kind, u, text, sizeof text);
    /* a binary unit when it is shorter: 64 MiB rather than 67.108864 MB */
    const unit_def *b = readable_unit(k, value, true);
    if (b && value != 0 && ldexp(1.0, b->scale.pow2) <= fabs(value) &&
        format_in(value, kind, b, alt, sizeof alt) && (!ok || strlen(alt) < strlen(text))) {
        memcpy(text, alt, sizeof text);
        ok = true;
    }
    if (!ok)
        return ws_units_format(value, kind, buf, buf_len);
    snprintf(buf, buf_len, "%s", text);
    return buf;
}

/* ------------------------------------------------------------ names */

const char *ws_units_kind_name(ws_unit_kind kind)
{
    const kind_def *k = kind_get(kind);
    return k ? k->name : "unknown quantity";
}

const char *ws_units_kind_units(ws_unit_kind kind)
{
    const kind_def *k = kind_get(kind);
    return k ? k->units_list : "";
}
