/* SVG charts for lln report / lln plot: axes with nice ticks (linear or log10), lines,
 * labelled markers, grouped bars with capacity outlines, legends. Output is plain SVG 1.1
 * with presentation attributes only (no CSS, no scripts, no fonts to fetch, no ids but the
 * root's), so the same text is a standalone file for rsvg-convert and an inline element of
 * the HTML report. Every user string goes through svg_escape. */
#ifndef LLN_CLI_SVG_H
#define LLN_CLI_SVG_H

#include <stddef.h>

#include "lln/util.h"

/* Colours of the series, in order (Okabe-Ito: distinguishable with colour blindness). */
#define SVG_NCOLORS 8
const char *svg_color(int i);

/* Appends s as XML character data / attribute text: & < > " ' escaped, control characters
 * and invalid UTF-8 bytes replaced by '?' (XML 1.0 forbids them), at most max_bytes input
 * bytes (0: no limit; longer text ends in "..."). */
void svg_escape(lln_text_t *t, const char *s, size_t max_bytes);

/* v with at most `sig` (1..9) significant digits, no trailing zeros, never "-0"; plain
 * decimals for 1e-3 <= |v| < 1e6, otherwise "1.5e-5". NaN prints as "-". */
void svg_fmt(char *buf, size_t n, double v, int sig);
/* A tick label: like svg_fmt, but values of 10^4 and more with k/M/G suffixes ("20k"). */
void svg_fmt_tick(char *buf, size_t n, double v);

/* One axis. Fill lo/hi with svg_axis_add, then svg_axis_fit picks the range and ticks. */
#define SVG_MAX_TICKS 40
typedef struct svg_axis {
    const char *label; /* title under / beside the axis (escaped on output) */
    int log;           /* log10 scale: values <= 0 cannot be shown */
    int zero;          /* linear: the range includes 0 (bars) */
    double lo, hi;     /* data range, then the axis range */
    int have;          /* a value was added */
    int nticks;
    double ticks[SVG_MAX_TICKS];
} svg_axis_t;

void svg_axis_init(svg_axis_t *a, const char *label, int log, int zero);
/* Widens the data range to v; non-finite values (and v <= 0 on a log axis) are skipped. */
void svg_axis_add(svg_axis_t *a, double v);
/* Chooses a range covering the data with 1-2-5 ticks (decades, with 2 and 5 between when
 * the range spans fewer than three, on a log axis). */
void svg_axis_fit(svg_axis_t *a);

/* A chart: a canvas, a plot area and two axes (x categorical for bars). */
typedef struct svg_chart {
    lln_text_t *out;
    double w, h;           /* canvas, px */
    double x0, x1, y0, y1; /* plot area: x0 left, x1 right, y0 top, y1 bottom */
    svg_axis_t x, y;       /* fitted axes (x unused when ncat > 0) */
    int ncat;              /* categories on x (bars), or 0 */
    double lab[64][4];     /* boxes of the point labels placed so far */
    int nlab;
} svg_chart_t;

/* Starts the <svg> (id: the root's id attribute, also the figure's name; title: its
 * heading and <title>) and lays out the plot area. x must be fitted unless ncat > 0; y must
 * be fitted. xml_decl: a standalone file (an <?xml?> line first). */
void svg_begin(svg_chart_t *c, lln_text_t *out, const char *id, const char *title, double w,
               double h, const svg_axis_t *x, const svg_axis_t *y, int ncat, int xml_decl);
/* Draws the grid, the frame, the tick labels and the axis titles. */
void svg_axes(svg_chart_t *c);
void svg_end(svg_chart_t *c);

/* Data to canvas coordinates. */
double svg_px(const svg_chart_t *c, double x);
double svg_py(const svg_chart_t *c, double y);

/* A polyline through the finite points (a gap where a value is missing). dash: 0 solid,
 * 1 dashed. */
void svg_line(svg_chart_t *c, const double *x, const double *y, int n, int color, int dash,
              double width);
/* A marker (circle, filled or hollow) with an optional tooltip (<title>). */
void svg_marker(svg_chart_t *c, double x, double y, int color, int filled, const char *tip);
/* A text label beside the point (x, y), placed where it overlaps no earlier label if it can. */
void svg_point_label(svg_chart_t *c, double x, double y, const char *text);

/* Legend entries, in rows between the title and the plot area (which moves down: call it
 * before svg_axes and the data). */
typedef struct svg_key {
    const char *name;
    int color;
    int dash;   /* 0 solid line, 1 dashed line, 2 dashed outline box, -1 filled box, -2 none */
    int marker; /* 0 none, 1 filled circle, 2 hollow circle */
} svg_key_t;
void svg_legend(svg_chart_t *c, const svg_key_t *keys, int n);

/* Grouped bars: ngroups categories on x, nseries bars each. value[g * nseries + s] (NaN:
 * no bar); capacity (optional, same layout): an outline bar behind each value. */
typedef struct svg_bars {
    const char *id, *title;
    const char *ylabel;
    int log;
    int ngroups, nseries;
    const char *const *groups; /* category names, under the axis */
    const char *const *series; /* legend names (no legend when nseries == 1) */
    const double *value;
    const double *capacity;   /* NULL: none */
    const char *capacity_key; /* legend text of the outlines */
    int sig;                  /* significant digits of the value labels on the bars */
} svg_bars_t;
void svg_bars(lln_text_t *out, const svg_bars_t *b, double w, double h, int xml_decl);

/* Lines over categories: ngroups categories on x, one line with markers per series through
 * value[g * nseries + s] (NaN: no point). join (optional): join[g] == 0 breaks the lines
 * between categories g - 1 and g. The y axis (linear) covers the values and ylo, yhi (NaN:
 * not used). */
typedef struct svg_cat_lines {
    const char *id, *title;
    const char *ylabel;
    int ngroups, nseries;
    const char *const *groups; /* category names, under the axis */
    const char *const *series; /* legend names (no legend when nseries == 1) */
    const double *value;
    const int *join;
    double ylo, yhi;
} svg_cat_lines_t;
void svg_cat_lines(lln_text_t *out, const svg_cat_lines_t *l, double w, double h, int xml_decl);

/* Width in px of text at a font size (an estimate: 0.6 em a character). */
double svg_text_width(const char *s, double font_px);

#endif
