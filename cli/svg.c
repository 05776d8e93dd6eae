/* SVG charts for the reports: scales and ticks, text safety, and the drawing primitives. */
#include "svg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const COLORS[SVG_NCOLORS] = {"#0072b2", "#d55e00", "#009e73", "#cc79a7",
                                                "#e69f00", "#56b4e9", "#7f7f7f", "#000000"};

const char *svg_color(int i) { return COLORS[((i % SVG_NCOLORS) + SVG_NCOLORS) % SVG_NCOLORS]; }

#define FONT 12.0  /* px: tick labels, legend, point labels */
#define TFONT 14.0 /* px: chart title */

/* ---- text ------------------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when the bytes are not one. */
static size_t utf8_len(const unsigned char *s)
{
    size_t n;
    unsigned cp;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2, cp = s[0] & 0x1fu;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3, cp = s[0] & 0x0fu;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4, cp = s[0] & 0x07u;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3fu);
    }
    /* overlong forms, surrogates, beyond U+10FFFF, and U+FFFE/U+FFFF (not XML characters) */
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) ||
        cp > 0x10ffff || cp == 0xfffe || cp == 0xffff)
        return 0;
    return n;
}

void svg_escape(lln_text_t *t, const char *s, size_t max_bytes)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t used = 0;
    while (*p) {
        if (max_bytes > 0 && used >= max_bytes) {
            lln_text_put(t, "...");
            return;
        }
        size_t n = utf8_len(p);
        if (n == 0 || (n == 1 && *p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f) {
            lln_text_put(t, "?");
            n = 1;
        } else if (*p == '&') {
            lln_text_put(t, "&amp;");
        } else if (*p == '<') {
            lln_text_put(t, "&lt;");
        } else if (*p == '>') {
            lln_text_put(t, "&gt;");
        } else if (*p == '"') {
            lln_text_put(t, "&quot;");
        } else if (*p == '\'') {
            lln_text_put(t, "&#39;");
        } else {
            lln_text_put(t, "%.*s", (int)n, (const char *)p);
        }
        p += n;
        used += n;
    }
}

double svg_text_width(const char *s, double font_px)
{
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        chars += (*p & 0xc0) != 0x80; /* code points, not bytes */
    return 0.6 * font_px * (double)chars;
}

/* ---- numbers --------------------------------------------------------------------------- */

/* Drops trailing zeros of a decimal fraction ("1.500" -> "1.5", "2.0" -> "2"). */
static void trim_zeros(char *s)
{
    char *dot = strchr(s, '.');
    if (dot == NULL)
        return;
    char *end = s + strlen(s);
    while (end > dot + 1 && end[-1] == '0')
        *--end = '\0';
    if (end == dot + 1)
        *dot = '\0';
}

void svg_fmt(char *buf, size_t n, double v, int sig)
{
    if (n == 0)
        return;
    if (!isfinite(v)) {
        snprintf(buf, n, "-");
        return;
    }
    sig = sig < 1 ? 1 : sig > 9 ? 9 : sig;
    double a = fabs(v);
    if (a == 0) {
        snprintf(buf, n, "0");
        return;
    }
    /* rounded to sig digits first, so 999.97 with 3 digits is judged as 1000 */
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*e", sig - 1, v);
    double r = fabs(strtod(tmp, NULL));
    if (r >= 1e-3 && r < 1e6) {
        int mag = (int)floor(log10(r));
        int dec = sig - 1 - mag;
        dec = dec < 0 ? 0 : dec > 9 ? 9 : dec;
        snprintf(tmp, sizeof tmp, "%.*f", dec, v);
        trim_zeros(tmp);
    } else {
        char mant[40];
        int e = 0;
        snprintf(mant, sizeof mant, "%.*e", sig - 1, v);
        char *ep = strchr(mant, 'e');
        if (ep != NULL) {
            e = (int)strtol(ep + 1, NULL, 10);
            *ep = '\0';
        }
        trim_zeros(mant);
        snprintf(tmp, sizeof tmp, "%se%d", mant, e);
    }
    if (strcmp(tmp, "-0") == 0)
        snprintf(tmp, sizeof tmp, "0");
    snprintf(buf, n, "%s", tmp);
}

void svg_fmt_tick(char *buf, size_t n, double v)
{
    static const char SUFFIX[] = "kMGTP";
    double a = fabs(v);
    if (isfinite(v) && a >= 1e4 && a < 1e18) {
        int k = 0;
        while (a >= 1e3 * 1000 && k < 4) {
            a /= 1e3;
            k++;
        }
        a /= 1e3;
        char num[24];
        svg_fmt(num, sizeof num, v < 0 ? -a : a, 3);
        snprintf(buf, n, "%s%c", num, SUFFIX[k]);
        return;
    }
    svg_fmt(buf, n, v, 4);
}

/* ---- axes ------------------------------------------------------------------------------ */

void svg_axis_init(svg_axis_t *a, const char *label, int log, int zero)
{
    memset(a, 0, sizeof *a);
    a->label = label;
    a->log = log;
    a->zero = zero;
}

void svg_axis_add(svg_axis_t *a, double v)
{
    if (!isfinite(v) || (a->log && v <= 0))
        return;
    if (!a->have || v < a->lo)
        a->lo = v;
    if (!a->have || v > a->hi)
        a->hi = v;
    a->have = 1;
}

/* 10^e, correctly rounded: exact products (10^22 is the largest exact power) and one
 * division for |e| <= 22; pow() beyond. glibc's pow(10, e) is correctly rounded, mingw-w64's
 * is not for e < 0 (pow(10, -2) = 0.010000000000000002), and an axis then started an ulp
 * above its lowest value. */
static double pow10i(int e)
{
    if (e < -22 || e > 22)
        return pow(10, e);
    double p = 1;
    for (int i = 0; i < (e < 0 ? -e : e); i++)
        p *= 10;
    return e < 0 ? 1 / p : p;
}

/* 1, 2 or 5 times a power of ten, near x (round) or at least x. */
static double nice(double x, int round)
{
    double e = floor(log10(x)), f = x / pow10i((int)e), nf;
    if (round)
        nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    else
        nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    return nf * pow10i((int)e);
}

static void fit_linear(svg_axis_t *a)
{
    double lo = a->have ? a->lo : 0, hi = a->have ? a->hi : 1;
    if (a->zero) {
        lo = lo > 0 ? 0 : lo;
        hi = hi < 0 ? 0 : hi;
    }
    if (hi - lo <= fabs(hi) * 1e-12) { /* one value: a range around it */
        double d = lo == 0 ? 1 : fabs(lo) * 0.1;
        lo = a->zero && lo >= 0 ? 0 : lo - d;
        hi += d;
    }
    double step = nice(nice(hi - lo, 0) / 5, 1);
    a->lo = floor(lo / step + 1e-9) * step;
    a->hi = ceil(hi / step - 1e-9) * step;
    a->nticks = 0;
    for (int i = 0; a->nticks < SVG_MAX_TICKS; i++) {
        double t = a->lo + i * step;
        if (t > a->hi + step * 1e-6)
            break;
        a->ticks[a->nticks++] = fabs(t) < step * 1e-9 ? 0 : t;
    }
}

static void fit_log(svg_axis_t *a)
{
    double lo = a->have ? a->lo : 1, hi = a->have ? a->hi : 10;
    int e0 = (int)floor(log10(lo) + 1e-9), e1 = (int)ceil(log10(hi) - 1e-9);
    if (e1 <= e0)
        e1 = e0 + 1;
    /* narrow ranges start and end at 2 or 5 times a decade when the data allow */
    static const double STEPS[] = {1, 2, 5};
    double flo = pow10i(e0), fhi = pow10i(e1);
    int decades = e1 - e0;
    if (decades <= 2) {
        for (int k = 2; k >= 0; k--)
            if (STEPS[k] * pow10i(e0) <= lo * (1 + 1e-9)) {
                flo = STEPS[k] * pow10i(e0);
                break;
            }
        for (int k = 0; k < 3; k++)
            if (STEPS[k] * pow10i(e1 - 1) >= hi * (1 - 1e-9)) {
                fhi = STEPS[k] * pow10i(e1 - 1);
                break;
            }
    }
    a->lo = flo;
    a->hi = fhi;
    a->nticks = 0;
    int every = decades > 12 ? (decades + 5) / 6 : 1; /* at most ~7 decade labels */
    for (int e = e0; e <= e1 && a->nticks < SVG_MAX_TICKS; e++) {
        for (int k = 0; k < 3; k++) {
            if (k > 0 && decades > 2)
                continue;
            if (k == 0 && (e - e0) % every != 0)
                continue;
            double t = STEPS[k] * pow10i(e);
            if (t >= flo * (1 - 1e-9) && t <= fhi * (1 + 1e-9) && a->nticks < SVG_MAX_TICKS)
                a->ticks[a->nticks++] = t;
        }
    }
}

void svg_axis_fit(svg_axis_t *a)
{
    if (a->log)
        fit_log(a);
    else
        fit_linear(a);
}

/* Position in [0, 1] of v on the axis. */
static double axis_frac(const svg_axis_t *a, double v)
{
    if (a->log)
        return (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo));
    return (v - a->lo) / (a->hi - a->lo);
}

/* ---- chart ----------------------------------------------------------------------------- */

double svg_px(const svg_chart_t *c, double x)
{
    if (c->ncat > 0) /* category index: the middle of its slot */
        return c->x0 + (x + 0.5) * (c->x1 - c->x0) / c->ncat;
    return c->x0 + axis_frac(&c->x, x) * (c->x1 - c->x0);
}

double svg_py(const svg_chart_t *c, double y)
{
    return c->y1 - axis_frac(&c->y, y) * (c->y1 - c->y0);
}

static void text(svg_chart_t *c, double x, double y, const char *anchor, double size,
                 const char *extra, const char *s)
{
    lln_text_put(c->out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%.0f\"%s%s>",
                 x, y, anchor, size, extra[0] ? " " : "", extra);
    svg_escape(c->out, s, 200);
    lln_text_put(c->out, "</text>\n");
}

static double max_tick_width(const svg_axis_t *a)
{
    double w = 0;
    char buf[32];
    for (int i = 0; i < a->nticks; i++) {
        svg_fmt_tick(buf, sizeof buf, a->ticks[i]);
        double tw = svg_text_width(buf, FONT);
        w = tw > w ? tw : w;
    }
    return w;
}

void svg_axes(svg_chart_t *c)
{
    char buf[32];
    lln_text_put(c->out, "<g stroke=\"#e4e4e4\" stroke-width=\"1\">\n");
    for (int i = 0; i < c->y.nticks; i++) {
        double y = svg_py(c, c->y.ticks[i]);
        lln_text_put(c->out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", c->x0, y,
                     c->x1, y);
    }
    for (int i = 0; c->ncat == 0 && i < c->x.nticks; i++) {
        double x = svg_px(c, c->x.ticks[i]);
        lln_text_put(c->out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", x, c->y0,
                     x, c->y1);
    }
    lln_text_put(c->out,
                 "</g>\n<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                 "fill=\"none\" stroke=\"#444\" stroke-width=\"1\"/>\n",
                 c->x0, c->y0, c->x1 - c->x0, c->y1 - c->y0);
    lln_text_put(c->out, "<g fill=\"#222\" font-family=\"sans-serif\">\n");
    for (int i = 0; i < c->y.nticks; i++) {
        svg_fmt_tick(buf, sizeof buf, c->y.ticks[i]);
        text(c, c->x0 - 6, svg_py(c, c->y.ticks[i]) + 4, "end", FONT, "", buf);
    }
    for (int i = 0; c->ncat == 0 && i < c->x.nticks; i++) {
        svg_fmt_tick(buf, sizeof buf, c->x.ticks[i]);
        text(c, svg_px(c, c->x.ticks[i]), c->y1 + 16, "middle", FONT, "", buf);
    }
    if (c->x.label != NULL && c->ncat == 0)
        text(c, (c->x0 + c->x1) / 2, c->y1 + 36, "middle", FONT + 1, "", c->x.label);
    if (c->y.label != NULL) {
        char tr[96];
        double lx = c->x0 - max_tick_width(&c->y) - 16, ly = (c->y0 + c->y1) / 2;
        snprintf(tr, sizeof tr, "transform=\"rotate(-90 %.1f %.1f)\"", lx, ly);
        text(c, lx, ly, "middle", FONT + 1, tr, c->y.label);
    }
    lln_text_put(c->out, "</g>\n");
}

void svg_begin(svg_chart_t *c, lln_text_t *out, const char *id, const char *title, double w,
               double h, const svg_axis_t *x, const svg_axis_t *y, int ncat, int xml_decl)
{
    memset(c, 0, sizeof *c);
    c->out = out;
    c->w = w;
    c->h = h;
    c->x = *x;
    c->y = *y;
    c->ncat = ncat;
    c->x0 = max_tick_width(&c->y) + 40;
    c->x1 = w - 20;
    c->y0 = 38;
    c->y1 = h - (ncat > 0 ? 30 : 50);
    if (xml_decl)
        lln_text_put(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    lln_text_put(out,
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" id=\"%s\" "
                 "class=\"lln-plot\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
                 "font-family=\"sans-serif\">\n<title>",
                 id, w, h, w, h);
    svg_escape(out, title, 300);
    lln_text_put(out, "</title>\n<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n");
    /* the title shrinks to fit the width (bold text is about 10% wider) */
    double tsize = TFONT, tw = 1.1 * svg_text_width(title, TFONT), room = w - 24;
    if (tw > room)
        tsize = TFONT * room / tw < 10 ? 10 : TFONT * room / tw;
    lln_text_put(out,
                 "<text x=\"12\" y=\"24\" font-size=\"%.1f\" font-weight=\"bold\" "
                 "fill=\"#111\">",
                 tsize);
    svg_escape(out, title, 160);
    lln_text_put(out, "</text>\n");
}

void svg_end(svg_chart_t *c) { lln_text_put(c->out, "</svg>\n"); }

void svg_line(svg_chart_t *c, const double *x, const double *y, int n, int color, int dash,
              double width)
{
    int open = 0;
    for (int i = 0; i < n; i++) {
        int ok = isfinite(x[i]) && isfinite(y[i]) && (!c->y.log || y[i] > 0) &&
                 (c->ncat > 0 || !c->x.log || x[i] > 0);
        if (!ok) {
            if (open)
                lln_text_put(c->out, "\"/>\n");
            open = 0;
            continue;
        }
        if (!open)
            lln_text_put(c->out,
                         "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\"%s "
                         "stroke-linejoin=\"round\" points=\"",
                         svg_color(color), width, dash ? " stroke-dasharray=\"6 4\"" : "");
        lln_text_put(c->out, "%s%.1f,%.1f", open ? " " : "", svg_px(c, x[i]), svg_py(c, y[i]));
        open = 1;
    }
    if (open)
        lln_text_put(c->out, "\"/>\n");
}

void svg_marker(svg_chart_t *c, double x, double y, int color, int filled, const char *tip)
{
    lln_text_put(c->out,
                 "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%s\" stroke=\"%s\" "
                 "stroke-width=\"1.5\">",
                 svg_px(c, x), svg_py(c, y), filled ? 5 : 4, filled ? svg_color(color) : "#fff",
                 svg_color(color));
    if (tip != NULL) {
        lln_text_put(c->out, "<title>");
        svg_escape(c->out, tip, 300);
        lln_text_put(c->out, "</title>");
    }
    lln_text_put(c->out, "</circle>\n");
}

static int overlaps(const svg_chart_t *c, const double b[4])
{
    for (int i = 0; i < c->nlab; i++)
        if (b[0] < c->lab[i][2] && c->lab[i][0] < b[2] && b[1] < c->lab[i][3] &&
            c->lab[i][1] < b[3])
            return 1;
    return 0;
}

void svg_point_label(svg_chart_t *c, double x, double y, const char *s)
{
    double px = svg_px(c, x), py = svg_py(c, y), w = svg_text_width(s, FONT), h = FONT;
    /* candidates: right, left, above, below, then further out to the right and left */
    const double dx[] = {8, -8 - w, -w / 2, -w / 2, 8, -8 - w, 8, -8 - w};
    const double dy[] = {4, 4, -9, 17, 18, 18, -10, -10};
    double best[4] = {px + 8, py + 4 - h, px + 8 + w, py + 6}; /* fallback: right, clipped */
    int inside = 0;
    for (int k = 0; k < 8; k++) {
        double b[4] = {px + dx[k], py + dy[k] - h, px + dx[k] + w, py + dy[k] + 2};
        if (b[0] < 2 || b[2] > c->w - 2 || b[1] < c->y0 || b[3] > c->y1)
            continue;
        if (!inside) { /* the first place inside the canvas, should all overlap */
            memcpy(best, b, sizeof best);
            inside = 1;
        }
        if (!overlaps(c, b)) {
            memcpy(best, b, sizeof best);
            break;
        }
    }
    if (c->nlab < (int)(sizeof c->lab / sizeof c->lab[0]))
        memcpy(c->lab[c->nlab++], best, sizeof best);
    lln_text_put(c->out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" fill=\"#222\">", best[0],
                 best[3] - 2, FONT);
    svg_escape(c->out, s, 80);
    lln_text_put(c->out, "</text>\n");
}

void svg_legend(svg_chart_t *c, const svg_key_t *keys, int n)
{
    if (n <= 0)
        return;
    /* entries left to right under the title, wrapping; the plot area moves down */
    double x = c->x0, y = c->y0 + 4, avail = c->w - 10;
    lln_text_put(c->out, "<g class=\"legend\">\n");
    for (int i = 0; i < n; i++) {
        const svg_key_t *k = &keys[i];
        double tw = svg_text_width(k->name, FONT);
        tw = tw > 300 ? 300 : tw;
        if (x + 36 + tw > avail && x > c->x0) {
            x = c->x0;
            y += 18;
        }
        const char *col = svg_color(k->color);
        if (k->dash == -2)
            ; /* marker only */
        else if (k->dash < 0)
            lln_text_put(c->out,
                         "<rect x=\"%.1f\" y=\"%.1f\" width=\"22\" height=\"10\" fill=\"%s\"/>\n",
                         x, y - 5, col);
        else if (k->dash == 2)
            lln_text_put(c->out,
                         "<rect x=\"%.1f\" y=\"%.1f\" width=\"22\" height=\"10\" fill=\"none\" "
                         "stroke=\"%s\" stroke-dasharray=\"3 2\"/>\n",
                         x, y - 5, col);
        else
            lln_text_put(c->out,
                         "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                         "stroke-width=\"2\"%s/>\n",
                         x, y, x + 22, y, col, k->dash ? " stroke-dasharray=\"6 4\"" : "");
        if (k->marker)
            lln_text_put(c->out,
                         "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" stroke=\"%s\" "
                         "stroke-width=\"1.5\"/>\n",
                         x + 11, y, k->marker == 1 ? col : "#fff", col);
        lln_text_put(c->out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" fill=\"#222\">",
                     x + 28, y + 4, FONT);
        svg_escape(c->out, k->name, 50);
        lln_text_put(c->out, "</text>\n");
        x += 36 + tw + 12;
    }
    lln_text_put(c->out, "</g>\n");
    c->y0 = y + 16;
}

/* ---- grouped bars ---------------------------------------------------------------------- */

/* Category names under the slots: horizontal when they fit, else turned 35 degrees. */
static void category_labels(svg_chart_t *c, const char *const *groups, int ngroups, int turn)
{
    double slot = (c->x1 - c->x0) / ngroups;
    lln_text_put(c->out, "<g fill=\"#222\" font-family=\"sans-serif\">\n");
    for (int g = 0; g < ngroups; g++) {
        double x = c->x0 + (g + 0.5) * slot;
        if (turn) {
            char tr[96];
            snprintf(tr, sizeof tr, "transform=\"rotate(-35 %.1f %.1f)\"", x, c->y1 + 14);
            text(c, x, c->y1 + 14, "end", FONT, tr, groups[g]);
        } else {
            text(c, x, c->y1 + 18, "middle", FONT, "", groups[g]);
        }
    }
    lln_text_put(c->out, "</g>\n");
}

/* Begins a chart over categories on x: whether their names must turn to fit their slots; the
 * height turned names take is added below the plot. Returns whether they turn. */
static int begin_categories(svg_chart_t *c, lln_text_t *out, const char *id, const char *title,
                            double w, double h, const svg_axis_t *x, const svg_axis_t *y,
                            const char *const *groups, int ngroups, int xml_decl)
{
    double maxw = 0;
    for (int g = 0; g < ngroups; g++) {
        double tw = svg_text_width(groups[g], FONT);
        maxw = tw > maxw ? tw : maxw;
    }
    double slot_est = (w - 100) / (ngroups > 0 ? ngroups : 1);
    int turn = maxw > slot_est - 6;
    double extra = turn ? (maxw > 160 ? 160 : maxw) * 0.6 : 0;
    svg_begin(c, out, id, title, w, h + extra, x, y, ngroups, xml_decl);
    c->y1 -= extra;
    return turn;
}

void svg_bars(lln_text_t *out, const svg_bars_t *b, double w, double h, int xml_decl)
{
    svg_axis_t x, y;
    svg_axis_init(&x, NULL, 0, 0);
    svg_axis_init(&y, b->ylabel, b->log, !b->log);
    int nv = b->ngroups * b->nseries;
    for (int i = 0; i < nv; i++) {
        svg_axis_add(&y, b->value[i]);
        if (b->capacity != NULL)
            svg_axis_add(&y, b->capacity[i]);
    }
    svg_axis_fit(&y);
    /* long category names turn and take room from the plot */
    svg_chart_t c;
    int turn =
        begin_categories(&c, out, b->id, b->title, w, h, &x, &y, b->groups, b->ngroups, xml_decl);
    svg_key_t keys[SVG_NCOLORS + 1];
    int nk = 0;
    for (int s = 0; b->nseries > 1 && s < b->nseries && nk < SVG_NCOLORS; s++)
        keys[nk++] = (svg_key_t){b->series[s], s, -1, 0};
    if (b->capacity != NULL && b->capacity_key != NULL)
        keys[nk++] = (svg_key_t){b->capacity_key, 6, 2, 0};
    svg_legend(&c, keys, nk);
    svg_axes(&c);
    category_labels(&c, b->groups, b->ngroups, turn);
    double slot = (c.x1 - c.x0) / b->ngroups, bw = slot * 0.8 / b->nseries;
    double base = b->log ? c.y1 : svg_py(&c, 0);
    char num[32];
    for (int g = 0; g < b->ngroups; g++) {
        for (int s = 0; s < b->nseries; s++) {
            double v = b->value[g * b->nseries + s];
            double bx = c.x0 + g * slot + slot * 0.1 + s * bw;
            if (b->capacity != NULL) {
                double cap = b->capacity[g * b->nseries + s];
                if (isfinite(cap) && (!b->log || cap > 0))
                    lln_text_put(out,
                                 "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                                 "fill=\"none\" stroke=\"%s\" stroke-dasharray=\"3 2\"/>\n",
                                 bx + 1, svg_py(&c, cap), bw - 2, base - svg_py(&c, cap),
                                 svg_color(s));
            }
            if (!isfinite(v) || (b->log && v <= 0))
                continue;
            double top = svg_py(&c, v);
            svg_fmt(num, sizeof num, v, b->sig > 0 ? b->sig : 3);
            lln_text_put(out,
                         "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                         "fill=\"%s\"><title>",
                         bx + 3, top < base ? top : base, bw - 6, fabs(base - top), svg_color(s));
            svg_escape(out, b->groups[g], 100);
            if (b->nseries > 1) {
                lln_text_put(out, ", ");
                svg_escape(out, b->series[s], 100);
            }
            lln_text_put(out, ": %s</title></rect>\n", num);
            if (svg_text_width(num, FONT - 2) < bw + 8)
                lln_text_put(
                    out,
                    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"%.0f\" "
                    "fill=\"#222\">%s</text>\n",
                    bx + bw / 2, (top < base ? top : base) - 4, FONT - 2, num);
        }
    }
    svg_end(&c);
}

/* ---- lines over categories ------------------------------------------------------------- */

/* Series s of n sits this far (in slots) beside its category's middle, so equal values of
 * different series stay visible side by side. */
static double dodge(int s, int n) { return n > 1 ? 0.5 * (s - 0.5 * (n - 1)) / n : 0; }

void svg_cat_lines(lln_text_t *out, const svg_cat_lines_t *l, double w, double h, int xml_decl)
{
    svg_axis_t x, y;
    svg_axis_init(&x, NULL, 0, 0);
    svg_axis_init(&y, l->ylabel, 0, 1);
    int nv = l->ngroups * l->nseries;
    for (int i = 0; i < nv; i++)
        svg_axis_add(&y, l->value[i]);
    svg_axis_add(&y, l->ylo); /* NaN: skipped */
    svg_axis_add(&y, l->yhi);
    svg_axis_fit(&y);
    svg_chart_t c;
    int turn =
        begin_categories(&c, out, l->id, l->title, w, h, &x, &y, l->groups, l->ngroups, xml_decl);
    svg_key_t keys[SVG_NCOLORS];
    int nk = 0;
    for (int s = 0; l->nseries > 1 && s < l->nseries && nk < SVG_NCOLORS; s++)
        keys[nk++] = (svg_key_t){l->series[s], s, 0, 1};
    svg_legend(&c, keys, nk);
    svg_axes(&c);
    category_labels(&c, l->groups, l->ngroups, turn);
    /* x: category indices, with a NaN gap before every group not joined to the one before */
    double *px = malloc((size_t)(2 * l->ngroups) * sizeof *px);
    double *py = malloc((size_t)(2 * l->ngroups) * sizeof *py);
    if (px == NULL || py == NULL) {
        out->oom = 1;
        free(px);
        free(py);
        return;
    }
    char num[32], tip[320];
    for (int s = 0; s < l->nseries; s++) {
        int n = 0;
        for (int g = 0; g < l->ngroups; g++) {
            if (g > 0 && l->join != NULL && !l->join[g]) {
                px[n] = NAN;
                py[n++] = NAN;
            }
            px[n] = g + dodge(s, l->nseries);
            py[n++] = l->value[g * l->nseries + s];
        }
        svg_line(&c, px, py, n, s, 0, 2.0);
        for (int g = 0; g < l->ngroups; g++) {
            double v = l->value[g * l->nseries + s];
            if (!isfinite(v))
                continue;
            svg_fmt(num, sizeof num, v, 3);
            snprintf(tip, sizeof tip, "%.100s, %.100s: %s", l->groups[g], l->series[s], num);
            svg_marker(&c, g + dodge(s, l->nseries), v, s, 1, tip);
        }
    }
    free(px);
    free(py);
    svg_end(&c);
}
