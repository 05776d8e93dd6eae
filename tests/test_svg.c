/* The SVG chart module of lln report / lln plot (cli/svg.c, from the CLI object library): number
 * formatting, tick labels, axis ranges and ticks (linear and log), and the escaping that
 * keeps any user string from breaking the XML. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "svg.h"

static void check_fmt(double v, int sig, const char *want)
{
    char buf[64];
    svg_fmt(buf, sizeof buf, v, sig);
    CHECK_MSG(strcmp(buf, want) == 0, "svg_fmt(%.17g, %d) = '%s', expected '%s'", v, sig, buf,
              want);
}

static void check_tick(double v, const char *want)
{
    char buf[64];
    svg_fmt_tick(buf, sizeof buf, v);
    CHECK_MSG(strcmp(buf, want) == 0, "svg_fmt_tick(%.17g) = '%s', expected '%s'", v, buf, want);
}

static void test_numbers(void)
{
    check_fmt(0, 3, "0");
    check_fmt(-0.0, 3, "0");
    check_fmt(-1e-12, 3, "-1e-12");
    check_fmt(12, 4, "12");
    check_fmt(0.1, 4, "0.1");
    check_fmt(-3.14159, 3, "-3.14");
    check_fmt(999.97, 3, "1000"); /* rounds up into the next decade */
    check_fmt(0.000123456, 3, "1.23e-4");
    check_fmt(2.5e-5, 3, "2.5e-5");
    check_fmt(1e6, 3, "1e6");
    check_fmt(123456.7, 9, "123456.7");
    check_fmt(NAN, 3, "-");
    check_fmt(INFINITY, 3, "-");
    check_tick(500, "500");
    check_tick(0.02, "0.02");
    check_tick(20000, "20k");
    check_tick(2097152, "2.1M");
    check_tick(1e9, "1G");
    check_tick(-50000, "-50k");
}

/* The axis covers the data; ticks rise by one step (linear) or lie in [lo, hi] (log). */
static void check_axis(double a, double b, int log, int zero, double want_lo, double want_hi,
                       int want_n)
{
    svg_axis_t ax;
    svg_axis_init(&ax, "x", log, zero);
    svg_axis_add(&ax, a);
    svg_axis_add(&ax, NAN); /* skipped */
    svg_axis_add(&ax, b);
    svg_axis_fit(&ax);
    CHECK_MSG(fabs(ax.lo - want_lo) <= 1e-9 * fabs(want_hi) &&
                  fabs(ax.hi - want_hi) <= 1e-9 * fabs(want_hi) && ax.nticks == want_n,
              "axis of [%g, %g] log %d: [%.17g, %.17g] %d ticks, expected [%g, %g] %d", a, b, log,
              ax.lo, ax.hi, ax.nticks, want_lo, want_hi, want_n);
    CHECK(ax.lo <= fmin(a, b) && ax.hi >= fmax(a, b));
    for (int i = 1; i < ax.nticks; i++) {
        CHECK(ax.ticks[i] > ax.ticks[i - 1]);
        CHECK(ax.ticks[i] >= ax.lo * (1 - 1e-9) && ax.ticks[i] <= ax.hi * (1 + 1e-9));
        if (!log && i > 1)
            CHECK_NEAR(ax.ticks[i] - ax.ticks[i - 1], ax.ticks[1] - ax.ticks[0], 1e-9);
    }
}

static void test_axes(void)
{
    check_axis(0.84, 0.94, 0, 0, 0.84, 0.94, 6);
    check_axis(9.5, 55, 0, 0, 0, 60, 7);
    check_axis(34.4, 430, 0, 1, 0, 500, 6); /* bars start at 0 */
    check_axis(-3, 7, 0, 0, -4, 8, 7);
    check_axis(5, 5, 0, 0, 4.4, 5.6, 7);         /* one value: +-10 % around it */
    check_axis(0, 0, 0, 1, 0, 1, 6);             /* all zero */
    check_axis(434, 2097152, 1, 0, 100, 1e7, 6); /* decades only */
    check_axis(9.5, 55, 1, 0, 5, 100, 5);        /* 5 10 20 50 100 */
    check_axis(1e-3, 1e30, 1, 0, 1e-3, 1e30, 6); /* 33 decades: every 6th labelled */
    /* a log axis skips values <= 0 */
    svg_axis_t ax;
    svg_axis_init(&ax, "y", 1, 0);
    svg_axis_add(&ax, 0);
    svg_axis_add(&ax, -5);
    CHECK(!ax.have);
    svg_axis_add(&ax, 3);
    CHECK(ax.have && ax.lo == 3 && ax.hi == 3);
}

static void check_escape(const char *in, size_t max, const char *want)
{
    lln_text_t t = {0};
    svg_escape(&t, in, max);
    const char *got = t.s ? t.s : "";
    CHECK_MSG(strcmp(got, want) == 0, "escape gave '%s', expected '%s'", got, want);
    free(t.s);
}

static void test_escape(void)
{
    check_escape("plain", 0, "plain");
    check_escape("a<b>&\"c'", 0, "a&lt;b&gt;&amp;&quot;c&#39;");
    check_escape("\x01x\x7f\x1b", 0, "?x??");                            /* control characters */
    check_escape("tab\tnl\n", 0, "tab\tnl\n");                           /* allowed in XML */
    check_escape("\xc2\xb5s \xe2\x86\x92", 0, "\xc2\xb5s \xe2\x86\x92"); /* µs → */
    check_escape("\xff\xfe", 0, "??");                                   /* not UTF-8 */
    check_escape("\xc0\xaf", 0, "??");                                   /* overlong '/' */
    check_escape("\xed\xa0\x80", 0, "???");                              /* a surrogate */
    check_escape("\xef\xbf\xbe", 0, "???");                              /* U+FFFE */
    check_escape("\xe2\x86", 0, "??");                                   /* cut short */
    check_escape("abcdef", 3, "abc...");
    CHECK_NEAR(svg_text_width("\xc2\xb5s", 10), 12, 1e-12); /* code points, not bytes */
}

/* A bar chart with a missing value and capacities: every bar present once, none for NaN,
 * and user strings escaped. */
static void test_bars(void)
{
    const char *groups[] = {"m4 <a&b>", "m7"};
    const char *series[] = {"ltc", "gru"};
    double v[] = {213, 430, NAN, 71}, cap[] = {1000, 1000, 1000, 1000};
    svg_bars_t b = {"lat", "Latency", "us", 0, 2, 2, groups, series, v, cap, "capacity", 3};
    lln_text_t t = {0};
    svg_bars(&t, &b, 640, 400, 1);
    CHECK(!t.oom && t.s != NULL);
    if (t.s == NULL)
        return;
    int bars = 0;
    for (const char *p = t.s; (p = strstr(p, "class=\"bar\"")) != NULL; p++)
        bars++;
    CHECK_EQ_INT(bars, 3);
    CHECK(strncmp(t.s, "<?xml", 5) == 0);
    CHECK(strstr(t.s, "m4 &lt;a&amp;b&gt;") != NULL);
    CHECK(strstr(t.s, "<a&b>") == NULL);
    CHECK(strstr(t.s, "</svg>\n") != NULL);
    free(t.s);
}

int main(void)
{
    test_numbers();
    test_axes();
    test_escape();
    test_bars();
    return check_done("test_svg");
}
