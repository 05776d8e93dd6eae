/* lln sim: closed-loop episodes of a robot task (robots/) on held-out seeds, for the task's
 * expert and for a trained policy: float32 on the host, fixed point on the host, and the
 * exported firmware under QEMU in lockstep with the physics. Prints the task metrics; writes
 * a trace per episode, an SVG of trajectories and a JSON summary on request. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "firmware.h"
#include "os.h"
#include "policy.h"
#include "robots_cli.h"
#ifdef LLN_HAVE_ROS2
#include "ros2_link.h"
#endif
#include "svg.h"

static const char SIM_HELP[] =
    "usage: lln sim TASK [--policy MODEL.lln] [--episodes N] [--seed S] [--firmware TARGET]\n"
    "               [--mjcf FILE] [--trace DIR] [--svg FILE] [--json FILE] [--no-expert]\n"
    "               [--dagger-out FILE] [--timing BASE,JITTER,DROP,STALL] [--ros2]\n"
    "               [--quiet]\n\n"
    "Runs closed-loop episodes of a robot task on episodes `lln data make TASK` never uses\n"
    "and reports, per controller, the success rate, the mean time to failure, the tracking\n"
    "error, collisions, actuator effort and controller failures (a policy that outputs NaN or\n"
    "infinity, or that the runtime refuses, fails that episode and is counted).\n"
    "Controllers: the task's expert; with --policy the model on the float32 host runtime;\n"
    "when the model is quantized (lln quantize) also the fixed-point host runtime; with\n"
    "--firmware the exported firmware under QEMU, fed each reading over the emulated UART\n"
    "in lockstep with the physics, its commands compared bit for bit with the host run of\n"
    "the same episode: for a quantized model the fixed-point firmware against the host\n"
    "fixed-point runtime, else the float32 firmware (lln export --float; use cortex-m4f or\n"
    "cortex-m7 for a hardware FPU) against the host float32 firmware runtime (the bit-exact\n"
    "reference of lln verify).\n\n"
    "Tasks (sensors -> commands):\n"
    "  line-follow  s0..s4 (reflectance), gyro, enc_l, enc_r -> cmd_l, cmd_r (kinematic world)\n"
    "  cartpole     x, theta, xdot, thetadot -> push (MuJoCo)\n"
    "  reacher      q1, q2, qd1, qd2, tx, ty -> tau1, tau2 (MuJoCo)\n"
    "  avoid        r0..r4 (rangefinders), goal_x, goal_y -> v, w (MuJoCo)\n\n"
    "  -p, --policy FILE     a model with the task's inputs and outputs (lln train on the\n"
    "                        task's CSV)\n"
    "  -n, --episodes N      episodes per controller (default 20, at most 100000)\n"
    "  -s, --seed S          world seed (default 1); the same seed gives the same episodes,\n"
    "                        traces and JSON, byte for byte\n"
    "      --firmware TARGET run the firmware in the loop on TARGET (cortex-m3, cortex-m4,\n"
    "                        cortex-m4f, cortex-m7: the emulated MPS2 boards' UART)\n"
    "      --keep DIR        keep the firmware build folder in DIR\n"
    "      --mjcf FILE       load this MJCF model instead of the built-in one (it must have\n"
    "                        the task's sensors, actuators and named objects)\n"
    "      --trace DIR       write DIR/TASK-CONTROLLER-EPISODE.csv per episode: episode,t,dt,\n"
    "                        sensors, commands, track, px, py (the figure's point)\n"
    "      --svg FILE        trajectories of the first three episodes, every controller\n"
    "      --json FILE       the metrics as JSON (no timings: reproducible)\n"
    "      --timing B,J,D,S  sensor timing instead of the task's: a reading every B +- J ms, D %\n"
    "                        dropped frames (the next one comes B ms later), S % stalls\n"
    "                        (2 B .. 5 B ms late); e.g. the deployed rate differing from the\n"
    "                        demonstrations' (timing study)\n"
    "      --no-expert       skip the expert\n"
    "      --dagger-out FILE DAgger: run the float policy on N roll-out episodes (neither\n"
    "                        demonstrations nor held-out ones) and write the states it visits,\n"
    "                        labelled with the expert's commands, as a demonstration CSV (episode\n"
    "                        ids from 1000000), to append to the data before retraining\n"
    "      --ros2            also run the episodes with a ROS 2 node as the controller: each\n"
    "                        reading goes out as std_msgs/Float32MultiArray on /lln_sim/sensors\n"
    "                        (stamped with the simulated time), the command comes back on\n"
    "                        /lln_sim/commands; std_msgs/Bool on /lln_sim/reset starts each\n"
    "                        episode (Cyclone DDS, domain ROS_DOMAIN_ID; e.g. lln-ros2 with the\n"
    "                        policy: docs/ROS2.md). Waits 10 s for the node, 5 s per command\n"
    "  -q, --quiet           no progress lines\n"
    "  -h, --help            this text\n\n"
    "Exit status: 0 success (whatever the success rates); 1 bad model, MJCF or I/O error, or\n"
    "firmware commands that differ from the host; 2 bad command line.\n";

enum {
    O_FIRMWARE = 256,
    O_MJCF,
    O_TRACE,
    O_SVG,
    O_JSON,
    O_NOEXPERT,
    O_KEEP,
    O_DAGGER,
    O_TIMING,
    O_ROS2
};

#define FIG_EPISODES 3
#define MAX_CTRL 5

typedef struct {
    double *x, *y;
    int n, cap;
} path_t;

typedef struct {
    const rb_task_t *t;
    textout_t *trace; /* current episode's trace, or NULL */
    path_t *path;     /* current episode's figure path, or NULL */
} row_ctx_t;

/* s is exactly n comma-separated decimal integers ("40,10,5,0"), each within long. */
static int parse_longs(const char *s, long *v, int n)
{
    for (int i = 0; i < n; i++) {
        char *end;
        errno = 0;
        v[i] = strtol(s, &end, 10);
        if (end == s || errno != 0 || *end != (i + 1 < n ? ',' : '\0'))
            return 0;
        s = end + 1;
    }
    return 1;
}

static void on_row(void *ctx, long index, long t_ms, long dt_ms, const double *obs,
                   const double *cmd, const rb_check_t *c)
{
    row_ctx_t *r = ctx;
    if (r->trace) {
        textout_t *o = r->trace;
        rb_csv_row(o, r->t, (long)((unsigned long long)index - RB_HELDOUT_BASE), t_ms, dt_ms, obs,
                   cmd, 6);
        const double extra[3] = {c->track, c->px, c->py};
        for (int k = 0; k < 3; k++) {
            textout_str(o, ",");
            textout_fixed(o, extra[k], 6);
        }
        textout_str(o, "\n");
    }
    path_t *p = r->path;
    if (p && p->n < p->cap) {
        p->x[p->n] = c->px;
        p->y[p->n] = c->py;
        p->n++;
    }
}

typedef struct {
    const char *name;
    long episodes, success, ctrl_failed, collisions, fail_count;
    double t_fail_sum, track_sum, effort_sum, wall_s, sim_s, cpu_s;
    char first_why[160];
} summary_t;

static void add_result(summary_t *s, const rb_result_t *r)
{
    s->episodes++;
    s->success += r->status == RB_SUCCESS;
    s->ctrl_failed += r->ctrl_failed;
    s->collisions += r->collisions;
    if (r->status != RB_SUCCESS) {
        s->fail_count++;
        s->t_fail_sum += r->t_end;
    }
    s->track_sum += r->track;
    s->effort_sum += r->effort;
    s->sim_s += r->t_end;
    if (r->ctrl_failed && s->first_why[0] == '\0')
        snprintf(s->first_why, sizeof s->first_why, "%s", r->why);
}

/* ---- DAgger: the policy drives, the expert labels ------------------------------------------ */

typedef struct {
    const rb_task_t *t;
    const rb_controller_t *policy;
    double label[RB_MAX_ACT];
    textout_t *out;
    long episode;
} dagger_t;

static int dagger_reset(void *ctx)
{
    dagger_t *d = ctx;
    return d->policy->reset == NULL || d->policy->reset(d->policy->ctx);
}

static int dagger_act(void *ctx, rb_env_t *env, const double *obs, double dt, double *cmd,
                      char *err, size_t errlen)
{
    dagger_t *d = ctx;
    d->t->expert(env, obs, dt, d->label); /* the expert's memory follows the visited states */
    return d->policy->act(d->policy->ctx, env, obs, dt, cmd, err, errlen);
}

static void dagger_row(void *ctx, long index, long t_ms, long dt_ms, const double *obs,
                       const double *cmd, const rb_check_t *c)
{
    (void)index, (void)cmd, (void)c;
    dagger_t *d = ctx;
    double label[RB_MAX_ACT];
    for (int a = 0; a < d->t->nact; a++)
        label[a] = d->label[a] < d->t->act_lo[a]   ? d->t->act_lo[a]
                   : d->label[a] > d->t->act_hi[a] ? d->t->act_hi[a]
                                                   : d->label[a];
    rb_csv_row(d->out, d->t, d->episode, t_ms, dt_ms, obs, label, 4);
    textout_str(d->out, "\n");
}

/* Roll-outs of the policy labelled by the expert; returns 1 when written. */
static int run_dagger(const rb_task_t *t, rb_env_t *env, const rb_controller_t *policy,
                      long episodes, unsigned long long seed, const char *path)
{
    textout_t o;
    if (!textout_open(&o, path)) {
        cli_error("sim", "out of memory");
        return 0;
    }
    rb_csv_header(t, &o, NULL);
    dagger_t d = {t, policy, {0}, &o, 0};
    rb_controller_t c = {"dagger", &d, dagger_reset, dagger_act};
    long ok = 0, rows = 0;
    for (long i = 0; i < episodes; i++) {
        rb_result_t r;
        d.episode = 1000000 + i;
        rb_episode(t, env, &c, seed, RB_DAGGER_BASE + (unsigned long long)i, dagger_row, &d, &r);
        ok += r.status == RB_SUCCESS;
        rows += r.steps;
    }
    if (!textout_finish(&o, "sim", path))
        return 0;
    printf("dagger: %ld roll-outs of the policy (%ld succeeded), %ld expert-labelled rows -> %s\n",
           episodes, ok, rows, path);
    return 1;
}

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct {
    const rb_task_t *t;
    rb_env_t *env;
    long episodes;
    unsigned long long seed;
    const char *trace_dir;
    int quiet;
    path_t paths[MAX_CTRL][FIG_EPISODES];
    double scenery[FIG_EPISODES][3 * 16];
    int nscenery[FIG_EPISODES];
    rb_firmware_t *fw; /* set while the firmware controller runs: its QEMU's CPU time counts */
    double (*fw_cpu)(const rb_firmware_t *fw);
} run_t;

/* Runs every episode with controller c; 0 on an I/O error. */
static int run_controller(run_t *run, int ci, const rb_controller_t *c, summary_t *s)
{
    memset(s, 0, sizeof *s);
    s->name = c->name;
    double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    long step = run->episodes >= 20 ? run->episodes / 10 : 0;
    for (long i = 0; i < run->episodes; i++) {
        row_ctx_t rc = {run->t, NULL, i < FIG_EPISODES ? &run->paths[ci][i] : NULL};
        textout_t o;
        char path[4096];
        if (run->trace_dir) {
            snprintf(path, sizeof path, "%s/%s-%s-%04ld.csv", run->trace_dir, run->t->name, c->name,
                     i);
            if (!textout_open(&o, path)) {
                cli_error("sim", "out of memory");
                return 0;
            }
            rb_csv_header(run->t, &o, ",track,px,py");
            rc.trace = &o;
        }
        rb_result_t r;
        rb_episode(run->t, run->env, c, run->seed, RB_HELDOUT_BASE + (unsigned long long)i, on_row,
                   &rc, &r);
        if (ci == 0 && i < FIG_EPISODES && run->t->scenery)
            run->nscenery[i] = run->t->scenery(run->env, run->scenery[i], 16);
        add_result(s, &r);
        if (rc.trace && !textout_finish(&o, "sim", path))
            return 0;
        if (!run->quiet && step > 0 && (i + 1) % step == 0)
            fprintf(stderr, "lln sim: %s %s: %ld/%ld episodes, %ld succeeded\n", run->t->name,
                    c->name, i + 1, run->episodes, s->success);
    }
    s->wall_s = clock_s(CLOCK_MONOTONIC) - t0;
    s->cpu_s = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0 + (run->fw_cpu ? run->fw_cpu(run->fw) : 0);
    return 1;
}

static void print_summary(const rb_task_t *t, const summary_t *s, int n)
{
    printf("%-14s %8s %10s %12s %10s %8s %9s %9s %9s\n", "controller", "success", "t_fail_s",
           "track", "collisions", "effort", "ctrl_fail", "x_rt_wall", "x_rt_cpu");
    for (int i = 0; i < n; i++) {
        char tf[32] = "-";
        if (s[i].fail_count)
            snprintf(tf, sizeof tf, "%.2f", s[i].t_fail_sum / (double)s[i].fail_count);
        printf("%-14s %7.1f%% %10s %12.5f %10ld %8.4f %9ld %9.1f %9.1f\n", s[i].name,
               100.0 * (double)s[i].success / (double)(s[i].episodes ? s[i].episodes : 1), tf,
               s[i].track_sum / (double)(s[i].episodes ? s[i].episodes : 1), s[i].collisions,
               s[i].effort_sum / (double)(s[i].episodes ? s[i].episodes : 1), s[i].ctrl_failed,
               s[i].wall_s > 0 ? s[i].sim_s / s[i].wall_s : 0.0,
               s[i].cpu_s > 0 ? s[i].sim_s / s[i].cpu_s : 0.0);
    }
    printf("track: %s; t_fail_s: mean time of the failed episodes; effort: mean sum of "
           "(command/limit)^2; x_rt_wall, x_rt_cpu: simulated time / wall-clock time (which "
           "depends on the machine's load) and / CPU time used (lln, plus QEMU for the "
           "firmware)\n",
           t->track_unit);
    for (int i = 0; i < n; i++)
        if (s[i].first_why[0])
            printf("%s: first controller failure: %s\n", s[i].name, s[i].first_why);
}

static int write_json(const char *path, const run_t *run, const summary_t *s, int n, long fw_steps,
                      long fw_mismatch, int have_fw)
{
    cJSON *root = cJSON_CreateObject(), *arr = cJSON_CreateArray();
    cJSON_AddStringToObject(root, "task", run->t->name);
    cJSON_AddNumberToObject(root, "seed", (double)run->seed);
    cJSON_AddNumberToObject(root, "episodes", (double)run->episodes);
    cJSON_AddStringToObject(root, "track_unit", run->t->track_unit);
    for (int i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        double e = (double)(s[i].episodes ? s[i].episodes : 1);
        cJSON_AddStringToObject(o, "controller", s[i].name);
        cJSON_AddNumberToObject(o, "success_rate", (double)s[i].success / e);
        cJSON_AddNumberToObject(o, "successes", (double)s[i].success);
        cJSON_AddNumberToObject(o, "failures", (double)s[i].fail_count);
        cJSON_AddNumberToObject(o, "mean_time_to_failure_s",
                                s[i].fail_count ? s[i].t_fail_sum / (double)s[i].fail_count : 0);
        cJSON_AddNumberToObject(o, "tracking_error", s[i].track_sum / e);
        cJSON_AddNumberToObject(o, "collisions", (double)s[i].collisions);
        cJSON_AddNumberToObject(o, "effort", s[i].effort_sum / e);
        cJSON_AddNumberToObject(o, "controller_failures", (double)s[i].ctrl_failed);
        cJSON_AddItemToArray(arr, o);
    }
    cJSON_AddItemToObject(root, "controllers", arr);
    if (have_fw) {
        cJSON_AddNumberToObject(root, "firmware_steps_compared", (double)fw_steps);
        cJSON_AddNumberToObject(root, "firmware_mismatches", (double)fw_mismatch);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    textout_t o;
    int ok = text && textout_open(&o, path);
    if (ok) {
        textout_str(&o, text);
        textout_str(&o, "\n");
        ok = textout_finish(&o, "sim", path);
    } else {
        cli_error("sim", "out of memory");
    }
    free(text);
    return ok;
}

static int write_svg(const char *path, const run_t *run, const summary_t *s, int n)
{
    svg_axis_t ax, ay;
    svg_axis_init(&ax, run->t->fig_x, 0, 0);
    svg_axis_init(&ay, run->t->fig_y, 0, 0);
    for (int c = 0; c < n; c++)
        for (int e = 0; e < FIG_EPISODES; e++)
            for (int k = 0; k < run->paths[c][e].n; k++) {
                svg_axis_add(&ax, run->paths[c][e].x[k]);
                svg_axis_add(&ay, run->paths[c][e].y[k]);
            }
    for (int e = 0; e < FIG_EPISODES; e++)
        for (int k = 0; k < run->nscenery[e]; k++) {
            const double *q = run->scenery[e] + 3 * (size_t)k;
            svg_axis_add(&ax, q[0] - q[2]), svg_axis_add(&ax, q[0] + q[2]);
            svg_axis_add(&ay, q[1] - q[2]), svg_axis_add(&ay, q[1] + q[2]);
        }
    if (!ax.have) {
        svg_axis_add(&ax, 0), svg_axis_add(&ax, 1), svg_axis_add(&ay, 0), svg_axis_add(&ay, 1);
    }
    svg_axis_fit(&ax);
    svg_axis_fit(&ay);
    lln_text_t t = {0};
    char title[160];
    snprintf(title, sizeof title, "%s: closed-loop trajectories, held-out episodes 0-%d",
             run->t->name, FIG_EPISODES - 1);
    svg_chart_t ch;
    svg_begin(&ch, &t, "sim", title, 720, 480, &ax, &ay, 0, 1);
    svg_key_t keys[MAX_CTRL + 1];
    for (int c = 0; c < n; c++)
        keys[c] = (svg_key_t){s[c].name, c, 0, 0};
    int nk = n;
    if (run->t->scenery)
        keys[nk++] = (svg_key_t){"obstacles / target (episode 0 solid)", 7, -2, 2};
    svg_legend(&ch, keys, nk);
    svg_axes(&ch);
    for (int e = 0; e < FIG_EPISODES; e++)
        for (int k = 0; k < run->nscenery[e]; k++) {
            const double *q = run->scenery[e] + 3 * (size_t)k;
            double cx = svg_px(&ch, q[0]), cy = svg_py(&ch, q[1]);
            double rx = fabs(svg_px(&ch, q[0] + q[2]) - cx),
                   ry = fabs(svg_py(&ch, q[1] + q[2]) - cy);
            lln_text_put(&t,
                         "<ellipse cx=\"%.1f\" cy=\"%.1f\" rx=\"%.1f\" ry=\"%.1f\" fill=\"none\" "
                         "stroke=\"#777\" stroke-dasharray=\"%s\"/>\n",
                         cx, cy, rx, ry, e == 0 ? "none" : "3,3");
        }
    for (int c = 0; c < n; c++)
        for (int e = 0; e < FIG_EPISODES; e++)
            svg_line(&ch, run->paths[c][e].x, run->paths[c][e].y, run->paths[c][e].n, c, e > 0,
                     1.5);
    svg_end(&ch);
    textout_t o;
    int ok = !t.oom && t.s && textout_open(&o, path);
    if (ok) {
        textout_put(&o, t.s, t.len);
        ok = textout_finish(&o, "sim", path);
    } else {
        cli_error("sim", "out of memory");
    }
    free(t.s);
    return ok;
}

int cmd_sim(int argc, char **argv)
{
    static const struct option opts[] = {
        {"policy", required_argument, 0, 'p'},
        {"episodes", required_argument, 0, 'n'},
        {"seed", required_argument, 0, 's'},
        {"firmware", required_argument, 0, O_FIRMWARE},
        {"mjcf", required_argument, 0, O_MJCF},
        {"trace", required_argument, 0, O_TRACE},
        {"svg", required_argument, 0, O_SVG},
        {"json", required_argument, 0, O_JSON},
        {"keep", required_argument, 0, O_KEEP},
        {"no-expert", no_argument, 0, O_NOEXPERT},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {"dagger-out", required_argument, 0, O_DAGGER},
        {"timing", required_argument, 0, O_TIMING},
        {"ros2", no_argument, 0, O_ROS2},
        {0, 0, 0, 0},
    };
    const char *policy = NULL, *firmware = NULL, *mjcf = NULL, *svg = NULL, *json = NULL;
    const char *keep = NULL, *dagger = NULL, *timing = NULL;
    int c, no_expert = 0, ros2 = 0;
    long v;
    run_t *run = calloc(1, sizeof *run);
    if (run == NULL) {
        cli_error("sim", "out of memory");
        return EXIT_FAIL;
    }
    run->episodes = 20;
    run->seed = 1;
    while ((c = getopt_long(argc, argv, "p:n:s:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'p': policy = optarg; break;
        case 'n':
            if (!cli_parse_int("sim", "--episodes", optarg, 1, 100000, &v)) {
                free(run);
                return EXIT_USAGE;
            }
            run->episodes = v;
            break;
        case 's':
            if (!cli_parse_int("sim", "--seed", optarg, 0, 2147483647L, &v)) {
                free(run);
                return EXIT_USAGE;
            }
            run->seed = (unsigned long long)v;
            break;
        case O_FIRMWARE: firmware = optarg; break;
        case O_MJCF: mjcf = optarg; break;
        case O_TRACE: run->trace_dir = optarg; break;
        case O_SVG: svg = optarg; break;
        case O_JSON: json = optarg; break;
        case O_KEEP: keep = optarg; break;
        case O_DAGGER: dagger = optarg; break;
        case O_TIMING: timing = optarg; break;
        case O_NOEXPERT: no_expert = 1; break;
        case O_ROS2: ros2 = 1; break;
        case 'q': run->quiet = 1; break;
        case 'h':
            fputs(SIM_HELP, stdout);
            free(run);
            return EXIT_OK;
        default: free(run); return cli_usage_error("sim");
        }
    }
    int rc = EXIT_USAGE;
    if (optind + 1 != argc) {
        cli_error("sim", optind >= argc ? "which task? (%s)" : "one task only (%s)",
                  rb_task_names());
        free(run);
        return cli_usage_error("sim");
    }
    const char *name = argv[optind];
    run->t = rb_task_find(name);
    if (run->t == NULL) {
        if (rb_task_needs_mujoco(name))
            cli_error("sim",
                      "task '%s' needs MuJoCo, and this lln was built without it "
                      "(install libmujoco-dev and rebuild)",
                      name);
        else
            cli_error("sim", "unknown task '%s' (%s)", name, rb_task_names());
        free(run);
        return rb_task_needs_mujoco(name) ? EXIT_FAIL : EXIT_USAGE;
    }
    rb_task_t custom;
    if (timing) {
        long tv[4] = {0, 0, 0, 0};
        int ok = parse_longs(timing, tv, 4);
        long b = tv[0], j = tv[1], d = tv[2], st = tv[3];
        if (!ok || b < 1 || b > 10000 || j < 0 || j >= b || d < 0 || st < 0 || d + st > 100) {
            cli_error("sim",
                      "--timing: '%s' is not BASE,JITTER,DROP,STALL (ms, ms, %%, %%: "
                      "1 <= BASE <= 10000, 0 <= JITTER < BASE, DROP + STALL <= 100)",
                      timing);
            free(run);
            return EXIT_USAGE;
        }
        custom = *run->t;
        custom.timing =
            (rb_timing_t){(int)b, (int)j, (int)d, (int)b, (int)st, (int)(2 * b), (int)(5 * b)};
        run->t = &custom;
    }
    if (firmware && !policy) {
        cli_error("sim", "--firmware needs --policy MODEL");
        free(run);
        return EXIT_USAGE;
    }
    if (firmware && !rb_firmware_target_ok(firmware)) {
        cli_error("sim",
                  "--firmware: '%s' is not a target with the lockstep UART link "
                  "(cortex-m3, cortex-m4, cortex-m4f, cortex-m7)",
                  firmware);
        free(run);
        return EXIT_USAGE;
    }
    if (dagger && !policy) {
        cli_error("sim", "--dagger-out needs --policy MODEL");
        free(run);
        return EXIT_USAGE;
    }
    if (ros2 && dagger) {
        cli_error("sim", "--ros2 and --dagger-out do not go together");
        free(run);
        return EXIT_USAGE;
    }
    if (no_expert && !policy && !ros2) {
        cli_error("sim", "--no-expert without --policy or --ros2 leaves nothing to run");
        free(run);
        return EXIT_USAGE;
    }
#ifndef LLN_HAVE_ROS2
    if (ros2) {
        cli_error("sim", "--ros2: this lln was built without Cyclone DDS (install "
                         "cyclonedds-dev and cyclonedds-tools and rebuild)");
        free(run);
        return EXIT_FAIL;
    }
#endif
    rc = EXIT_FAIL;
    char err[1024];
    lln_model_t *m = NULL;
    rb_policy_t pf, pq;
    int have_f = 0, have_q = 0;
    rb_firmware_t *fw = NULL;
#ifdef LLN_HAVE_ROS2
    rb_ros2_t *link = NULL;
#endif
    rb_controller_t ctrls[MAX_CTRL], fwc;
    int nctrl = 0;
    summary_t sums[MAX_CTRL];
    if (!run->t->open(&run->env, mjcf, err, sizeof err)) {
        cli_error("sim", "%s: %s", name, err);
        goto done;
    }
    if (run->trace_dir && cli_mkdir(run->trace_dir) != 0 && errno != EEXIST) {
        cli_error("sim", "--trace: %s: cannot create: %s", run->trace_dir, strerror(errno));
        goto done;
    }
    if (!no_expert)
        rb_expert_controller(run->t, &ctrls[nctrl++]);
    if (policy) {
        if ((m = cli_load_model("sim", policy)) == NULL)
            goto done;
        if (!rb_policy_open(&pf, m, run->t, 0, err, sizeof err)) {
            cli_error("sim", "%s: %s", policy, err);
            goto done;
        }
        have_f = 1;
        ctrls[nctrl++] = pf.ctrl;
        ctrls[nctrl - 1].ctx = &pf;
        if (lln_model_is_quantized(m)) {
            if (!rb_policy_open(&pq, m, run->t, 1, err, sizeof err)) {
                cli_error("sim", "%s: %s", policy, err);
                goto done;
            }
            have_q = 1;
            ctrls[nctrl++] = pq.ctrl;
            ctrls[nctrl - 1].ctx = &pq;
        } else if (!run->quiet) {
            fprintf(stderr, "lln sim: %s is not quantized: no fixed-point run\n", policy);
        }
        if (firmware) {
            if (!rb_firmware_open(&fw, m, run->t, firmware, keep, &fwc, err, sizeof err)) {
                cli_error("sim", "--firmware %s: %s", firmware, err);
                goto done;
            }
            ctrls[nctrl++] = fwc;
        }
    }
#ifdef LLN_HAVE_ROS2
    if (ros2) {
        if (!rb_ros2_open(&link, run->t, 10.0, 5.0, &ctrls[nctrl], err, sizeof err)) {
            cli_error("sim", "--ros2: %s", err);
            goto done;
        }
        nctrl++;
    }
#endif
    if (dagger) {
        rc = run_dagger(run->t, run->env, &pf.ctrl, run->episodes, run->seed, dagger) ? EXIT_OK
                                                                                      : EXIT_FAIL;
        goto done;
    }
    for (int ci = 0; ci < nctrl; ci++)
        for (int e = 0; e < FIG_EPISODES; e++) {
            path_t *p = &run->paths[ci][e];
            p->cap = (int)(run->t->episode_s * 1000.0 /
                           (run->t->timing.base_ms - run->t->timing.jitter_ms)) +
                     8;
            p->x = malloc(sizeof(double) * (size_t)p->cap);
            p->y = malloc(sizeof(double) * (size_t)p->cap);
            if (!p->x || !p->y)
                p->cap = 0;
        }
    printf("task %s: %ld held-out episodes of %.0f s per controller, seed %llu\n", name,
           run->episodes, run->t->episode_s, run->seed);
    for (int ci = 0; ci < nctrl; ci++) {
        int is_fw = fw && ctrls[ci].ctx == (void *)fw;
        run->fw = is_fw ? fw : NULL;
        run->fw_cpu = is_fw ? rb_firmware_cpu_seconds : NULL;
        if (!run_controller(run, ci, &ctrls[ci], &sums[ci]))
            goto done;
    }
    print_summary(run->t, sums, nctrl);
    long fw_steps = 0, fw_bad = 0;
    if (fw) {
        rb_firmware_counts(fw, &fw_steps, &fw_bad);
        printf("firmware in the loop (%s, %s): %ld steps, %ld with commands that differ from the "
               "host %s; %.1f s waiting for QEMU\n",
               firmware, rb_firmware_fixed(fw) ? "fixed point" : "float32", fw_steps, fw_bad,
               rb_firmware_fixed(fw) ? "fixed-point run" : "float32 firmware runtime",
               rb_firmware_seconds(fw));
    }
    if (json && !write_json(json, run, sums, nctrl, fw_steps, fw_bad, fw != NULL))
        goto done;
    if (svg && !write_svg(svg, run, sums, nctrl))
        goto done;
    if (fw && fw_bad > 0) {
        cli_error("sim", "the firmware's commands differ from the host %s in %ld of %ld steps",
                  rb_firmware_fixed(fw) ? "fixed-point run" : "float32 firmware runtime", fw_bad,
                  fw_steps);
        goto done;
    }
    rc = EXIT_OK;
done:
#ifdef LLN_HAVE_ROS2
    rb_ros2_close(link);
#endif
    rb_firmware_close(fw);
    if (have_f)
        rb_policy_close(&pf);
    if (have_q)
        rb_policy_close(&pq);
    lln_model_free(m);
    if (run->env)
        run->t->close(run->env);
    for (int ci = 0; ci < MAX_CTRL; ci++)
        for (int e = 0; e < FIG_EPISODES; e++)
            free(run->paths[ci][e].x), free(run->paths[ci][e].y);
    free(run);
    return rc;
}
