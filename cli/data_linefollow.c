/* `lln data make line-follow`: a simulated sensor log of a differential-drive robot following
 * a curvy dark line, with an expert controller's wheel commands as targets.
 *
 * The robot (wheel base B) moves in path coordinates: arc length s, lateral offset e (left
 * of the line > 0) and heading error psi, on a line whose curvature is a sum of three
 * sinusoids of arc length drawn per episode. Physics runs on a 1 ms grid (Euler); wheels
 * follow their commands with a first-order lag. Sensor readings arrive every 20 ms with
 * jitter, dropped frames and stalls (Δt 14 .. 126 ms): five reflectance sensors on a bar
 * ahead of the axle (white ~0.9, the line ~0.2, with per-episode gain and offset and noise),
 * a gyro and two wheel encoders. At each reading the expert computes its commands from the
 * readings alone: the line position from the sensor centroid, a low-pass derivative and a
 * clamped integral that depend on Δt (a PID), a speed that drops on tight turns, and a
 * memory for when the line is not seen (it has gaps, and leaves the bar in tight turns):
 * hold the last commands through a gap for up to 0.5 s (a clock over irregular Δt), else
 * search on an arc toward the side where the line was last seen. The
 * commands are thus a function of the logged history and Δt, which a recurrent network can
 * learn; no single row determines them.
 *
 * Determinism: integer timing, a splitmix64 generator, our own sin/cos (no libm result that
 * may differ between C libraries), sqrt and floor only (exact in IEEE), values printed by
 * integer formatting, and this file compiled without floating-point contraction (CMake). The
 * same seed and options give the same bytes on every IEEE double machine. Each episode has
 * its own generator stream, so a shorter run is a prefix of a longer one. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "cli_data.h"
#include "lln/util.h"

#define PI 3.14159265358979323846
#define B 0.12       /* wheel base, m */
#define TAU_M 0.05   /* wheel speed lag, s */
#define D 0.06       /* sensor bar ahead of the axle, m */
#define PITCH 0.014  /* sensor spacing, m */
#define W_LINE 0.016 /* half-width of the line's reflectance dip, m */
#define V_MAX 0.6    /* wheel speed limit, m/s */
#define V_BASE 0.38  /* cruising speed, m/s */
#define KP 2.5       /* rad/s per sensor pitch of line offset */
#define KD 0.3       /* rad/s per pitch/s */
#define KI 0.8       /* rad/s per pitch s */
#define TAU_D 0.06   /* derivative filter, s */
#define I_MAX 0.5    /* integral clamp, pitch s */
#define DERAIL 0.25  /* |e| beyond which an episode ends, m */

/* ---- deterministic math ---------------------------------------------------------------- */

/* sin and cos of x: Cody-Waite reduction by pi/2 (two-part constant) and Taylor series on
 * [-pi/4, pi/4] (error < 1e-16 there). |x| stays below 1e6 here. */
static void sincos_(double x, double *s, double *c)
{
    const double pio2_hi = 1.57079632673412561417, pio2_lo = 6.07710050650619224932e-11;
    double k = floor(x * (2.0 / PI) + 0.5);
    double r = (x - k * pio2_hi) - k * pio2_lo, r2 = r * r;
    double sn = r, cs = 1.0, term_s = r, term_c = 1.0;
    for (int n = 1; n <= 9; n++) {
        term_s *= -r2 / (double)((2 * n) * (2 * n + 1));
        term_c *= -r2 / (double)((2 * n - 1) * (2 * n));
        sn += term_s;
        cs += term_c;
    }
    long q = (long)k & 3; /* two's complement: -1 & 3 == 3 */
    *s = q == 0 ? sn : q == 1 ? cs : q == 2 ? -sn : -cs;
    *c = q == 0 ? cs : q == 1 ? -sn : q == 2 ? -cs : sn;
}

static double sin_(double x)
{
    double s, c;
    sincos_(x, &s, &c);
    return s;
}

static double uniform(lln_rng_t *r) { return (double)(lln_rng_next(r) >> 11) * 0x1p-53; }

/* Approximately standard normal: a sum of four uniforms (Irwin-Hall), |value| <= 3.46. */
static double noise(lln_rng_t *r)
{
    return (uniform(r) + uniform(r) + uniform(r) + uniform(r) - 2.0) * 1.7320508075688772;
}

static double clamp(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

/* ---- the world ------------------------------------------------------------------------------ */

typedef struct episode {
    lln_rng_t rng;
    double amp[3], wav[3], phase[3];   /* curvature = sum amp sin(2 pi s / wav + phase), 1/m */
    double gain, offset;               /* sensor calibration of this episode */
    double gap_every, gap_len, gap_at; /* the line has a gap every gap_every m (gap_len long) */
    double s, e, psi, vl, vr;          /* robot */
    double cmd_l, cmd_r;
    double prev_pos, dfilt, integ, last_pos, lost_time, last_w, last_v; /* expert */
    int started;
} episode_t;

static double curvature(const episode_t *ep, double s)
{
    double k = 0;
    for (int j = 0; j < 3; j++)
        k += ep->amp[j] * sin_(2.0 * PI * s / ep->wav[j] + ep->phase[j]);
    return k;
}

static void episode_init(episode_t *ep, unsigned long long seed, long index)
{
    memset(ep, 0, sizeof *ep);
    lln_rng_seed(&ep->rng, seed, (uint64_t)index);
    static const double amp_lo[3] = {2.0, 0.5, 0.0}, amp_hi[3] = {6.0, 3.5, 2.5};
    static const double wav_lo[3] = {2.0, 0.8, 0.35}, wav_hi[3] = {4.0, 1.6, 0.7};
    for (int j = 0; j < 3; j++) {
        ep->amp[j] = amp_lo[j] + (amp_hi[j] - amp_lo[j]) * uniform(&ep->rng);
        ep->wav[j] = wav_lo[j] + (wav_hi[j] - wav_lo[j]) * uniform(&ep->rng);
        ep->phase[j] = 2.0 * PI * uniform(&ep->rng);
    }
    ep->gap_every = 1.0 + 1.5 * uniform(&ep->rng);
    ep->gap_len = 0.03 + 0.07 * uniform(&ep->rng);
    ep->gap_at = ep->gap_every * uniform(&ep->rng);
    ep->gain = 0.9 + 0.2 * uniform(&ep->rng);
    ep->offset = -0.03 + 0.06 * uniform(&ep->rng);
    ep->e = 0.02 * (2.0 * uniform(&ep->rng) - 1.0);
    ep->psi = 0.3 * (2.0 * uniform(&ep->rng) - 1.0);
}

/* One millisecond of motion. */
static void physics_ms(episode_t *ep)
{
    const double h = 0.001;
    double v = 0.5 * (ep->vl + ep->vr), w = (ep->vr - ep->vl) / B, sp, cp;
    double k = curvature(ep, ep->s);
    sincos_(ep->psi, &sp, &cp);
    double den = 1.0 - k * ep->e;
    double sdot = v * cp / (den > 0.2 ? den : 0.2);
    ep->e += h * v * sp;
    ep->psi += h * (w - k * sdot);
    if (ep->psi > PI)
        ep->psi -= 2.0 * PI;
    if (ep->psi < -PI)
        ep->psi += 2.0 * PI;
    ep->s += h * sdot;
    ep->vl += h * (ep->cmd_l - ep->vl) / TAU_M;
    ep->vr += h * (ep->cmd_r - ep->vr) / TAU_M;
}

typedef struct reading {
    double r[5], gyro, enc_l, enc_r;
} reading_t;

static void sense(episode_t *ep, reading_t *rd)
{
    double sp, cp;
    sincos_(ep->psi, &sp, &cp);
    /* lateral position of the line under the sensor bar, robot frame (left > 0) */
    double yl = cp > 0.2 ? -(ep->e + D * sp) / cp + 0.5 * curvature(ep, ep->s) * D * D : 1.0;
    double g = ep->s + D * cp - ep->gap_at; /* arc length under the bar, from a gap's start */
    if (g - ep->gap_every * floor(g / ep->gap_every) < ep->gap_len)
        yl = 1.0; /* a gap in the line: nothing to see */
    for (int k = 0; k < 5; k++) {
        double u = ((k - 2) * PITCH - yl) / W_LINE, bump = 0;
        if (u > -1 && u < 1)
            bump = (1 - u * u) * (1 - u * u);
        double r = ep->gain * (0.92 - 0.72 * bump) + ep->offset + 0.02 * noise(&ep->rng);
        rd->r[k] = clamp(r, 0.0, 1.0);
    }
    rd->gyro = (ep->vr - ep->vl) / B + 0.04 * noise(&ep->rng);
    rd->enc_l = ep->vl + 0.008 * noise(&ep->rng);
    rd->enc_r = ep->vr + 0.008 * noise(&ep->rng);
}

/* The expert: a PID on the sensor centroid, with a memory for when the line is not seen.
 * A line last seen near the middle vanished in a gap: hold the last commands (the same arc)
 * for 0.5 s. One last seen at the side (or a gap that lasts) has left the bar: search on a
 * steady arc toward that side. Returns 1 when the line is not seen. */
static int expert(episode_t *ep, const reading_t *rd, double dt)
{
    double dark[5], sum = 0, pos = 0, w, v;
    for (int k = 0; k < 5; k++) {
        dark[k] = clamp((0.8 - rd->r[k]) / 0.55, 0.0, 1.0);
        sum += dark[k];
        pos += dark[k] * (k - 2);
    }
    int lost = sum < 0.3;
    if (lost) {
        ep->lost_time += dt;
        double side = ep->last_pos < 0 ? -1.0 : 1.0;
        if (side * ep->last_pos < 1.0 && ep->lost_time < 0.5) {
            w = ep->last_w;
            v = ep->last_v;
        } else {
            w = side * 2.5;
            v = 0.15;
        }
    } else {
        pos /= sum;
        if (!ep->started || ep->lost_time > 0)
            ep->prev_pos = pos; /* (re)acquired: no derivative kick */
        ep->started = 1;
        ep->lost_time = 0;
        ep->last_pos = pos;
        double a = dt / (TAU_D + dt);
        ep->dfilt += a * ((pos - ep->prev_pos) / dt - ep->dfilt);
        ep->prev_pos = pos;
        ep->integ = clamp(ep->integ + pos * dt, -I_MAX, I_MAX);
        double ap = pos < 0 ? -pos : pos;
        w = KP * pos + KD * ep->dfilt + KI * ep->integ;
        v = V_BASE * (1.0 - 0.15 * (ap < 2 ? ap : 2));
        ep->last_w = w;
        ep->last_v = v;
    }
    ep->cmd_l = clamp(v - 0.5 * w * B, -V_MAX, V_MAX);
    ep->cmd_r = clamp(v + 0.5 * w * B, -V_MAX, V_MAX);
    return lost;
}

/* Milliseconds to the next reading: 20 +- 6, a dropped frame (5 %), a stall (1 %). */
static long next_gap_ms(episode_t *ep)
{
    long ms = 14 + (long)lln_rng_below(&ep->rng, 13);
    uint64_t u = lln_rng_below(&ep->rng, 100);
    if (u < 5)
        ms += 20;
    else if (u == 5)
        ms += 40 + (long)lln_rng_below(&ep->rng, 61);
    return ms;
}

static void put_row(textout_t *o, long episode, long t_ms, long dt_ms, const reading_t *rd,
                    const episode_t *ep)
{
    textout_printf(o, "%ld,", episode);
    textout_fixed(o, (double)t_ms / 1000.0, 3);
    textout_str(o, ",");
    textout_fixed(o, (double)dt_ms / 1000.0, 3);
    const double v[] = {rd->r[0], rd->r[1],  rd->r[2],  rd->r[3],  rd->r[4],
                        rd->gyro, rd->enc_l, rd->enc_r, ep->cmd_l, ep->cmd_r};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        textout_str(o, ",");
        textout_fixed(o, v[i], 4);
    }
    textout_str(o, "\n");
}

void lf_generate(const lf_options_t *opt, textout_t *out, lf_stats_t *st)
{
    memset(st, 0, sizeof *st);
    textout_str(out, "episode,t,dt,s0,s1,s2,s3,s4,gyro,enc_l,enc_r,cmd_l,cmd_r\n");
    long episode_ms = (long)floor(opt->episode_seconds * 1000.0 + 0.5);
    long total_ms_limit = (long)floor(opt->seconds * 1000.0 + 0.5);
    for (long epn = 0;; epn++) {
        episode_t ep;
        episode_init(&ep, opt->seed, epn);
        long t = 0, last = 0;
        for (;;) {
            long gap = next_gap_ms(&ep);
            if (t + gap > episode_ms)
                break;
            if (opt->rows > 0 && st->rows >= opt->rows)
                return;
            if (opt->rows == 0 && st->ms + gap > total_ms_limit)
                return;
            for (long k = 0; k < gap; k++)
                physics_ms(&ep);
            t += gap;
            st->ms += gap;
            reading_t rd;
            sense(&ep, &rd);
            st->lost_rows += expert(&ep, &rd, (double)gap / 1000.0);
            put_row(out, epn, t, last ? t - last : 0, &rd, &ep);
            last = t;
            st->rows++;
            st->episodes = epn + 1;
            ep.psi += 0.01 * noise(&ep.rng); /* a bump in the floor */
            if (ep.e > DERAIL || ep.e < -DERAIL) {
                st->derailed++;
                break;
            }
        }
    }
}

/* ---- step by step, for closed-loop scoring (robots/task_linefollow.c) -------------------- */

struct lf_episode {
    episode_t ep;
};

lf_episode_t *lf_episode_create(void) { return calloc(1, sizeof(lf_episode_t)); }

void lf_episode_free(lf_episode_t *e) { free(e); }

void lf_episode_reset(lf_episode_t *e, unsigned long long seed, unsigned long long index)
{
    episode_init(&e->ep, seed, (long)(index & 0x3fffffffffffffffULL));
}

void lf_episode_advance(lf_episode_t *e, const double cmd[2], long ms)
{
    e->ep.cmd_l = clamp(cmd[0], -V_MAX, V_MAX);
    e->ep.cmd_r = clamp(cmd[1], -V_MAX, V_MAX);
    for (long k = 0; k < ms; k++)
        physics_ms(&e->ep);
}

void lf_episode_sense(lf_episode_t *e, double obs[LF_NOBS])
{
    reading_t rd;
    sense(&e->ep, &rd);
    for (int k = 0; k < 5; k++)
        obs[k] = rd.r[k];
    obs[5] = rd.gyro, obs[6] = rd.enc_l, obs[7] = rd.enc_r;
    e->ep.psi += 0.01 * noise(&e->ep.rng); /* a bump in the floor, as in the log */
}

void lf_episode_expert(lf_episode_t *e, const double obs[LF_NOBS], double dt, double cmd[2])
{
    reading_t rd;
    for (int k = 0; k < 5; k++)
        rd.r[k] = obs[k];
    rd.gyro = obs[5], rd.enc_l = obs[6], rd.enc_r = obs[7];
    expert(&e->ep, &rd, dt);
    cmd[0] = e->ep.cmd_l, cmd[1] = e->ep.cmd_r;
}

void lf_episode_pose(const lf_episode_t *e, double *s, double *offset, int *derailed)
{
    *s = e->ep.s;
    *offset = e->ep.e;
    *derailed = e->ep.e > DERAIL || e->ep.e < -DERAIL;
}
