/* The real datasets of ../shared/data under the papers' protocols (docs/DATA.md): gesture,
 * occupancy, traffic (after `lln data prepare traffic`) and walker2d (after `lln data
 * prepare walker2d`, plain gzip read as well). Checked: row, sequence and class counts, the
 * exact windows and splits of ltc_windows.csv / cfc_windows.csv, the normalization of
 * ltc_norm.json reproduced by lln_dataset_fit_norm, Δt histograms. A dataset that is absent
 * is skipped with a loud SKIP line; all absent: exit 77. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "lln/data.h"

static char tmpdir[256];
static int ran, skipped;

static int present(const char *path)
{
    FILE *f = fopen(path, "rb"); /* opening it is the test of "readable" */
    if (f != NULL) {
        fclose(f);
        return 1;
    }
    fprintf(stderr, "SKIP: %s is absent: that dataset's checks did NOT run\n", path);
    skipped++;
    return 0;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static lln_dataset_t *load(const char *path, const lln_csv_spec_t *s)
{
    lln_dataset_t *ds = NULL;
    lln_error_t e = {LLN_OK, ""};
    double t0 = now();
    lln_status_t st = lln_dataset_read(path, s, &ds, &e);
    CHECK_MSG(st == LLN_OK, "%s", e.msg);
    if (st == LLN_OK) {
        lln_dataset_info_t in;
        lln_dataset_info(ds, &in);
        printf("%s: %zu rows, %d sequences, %d inputs, %d outputs, read in %.2f s\n", path, in.rows,
               in.sequences, in.inputs, in.outputs, now() - t0);
    }
    return ds;
}

static void windows(lln_dataset_t *ds, const char *path, const lln_window_file_spec_t *ws,
                    size_t train, size_t valid, size_t test)
{
    lln_error_t e = {LLN_OK, ""};
    CHECK_MSG(lln_dataset_read_windows(ds, path, ws, &e) == LLN_OK, "%s", e.msg);
    lln_dataset_info_t in;
    lln_dataset_info(ds, &in);
    CHECK_MSG(in.split_windows[0] == train && in.split_windows[1] == valid &&
                  in.split_windows[2] == test,
              "%s: %zu / %zu / %zu windows, expected %zu / %zu / %zu", path, in.split_windows[0],
              in.split_windows[1], in.split_windows[2], train, valid, test);
    printf("%s: %zu train / %zu valid / %zu test windows of %d steps\n", path, in.split_windows[0],
           in.split_windows[1], in.split_windows[2], in.window_length);
}

/* The numbers of the JSON array after "key": (the ltc_norm.json files); returns the count. */
static int json_array(const char *path, const char *key, double *v, int max)
{
    FILE *f = fopen(path, "rb");
    static char text[1 << 16];
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f)
        fclose(f);
    text[n] = '\0';
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\"", key);
    char *p = strstr(text, pat);
    if (p == NULL || (p = strchr(p, '[')) == NULL)
        return 0;
    int k = 0;
    for (p++; k < max;) {
        char *end;
        double d = strtod(p, &end);
        if (end == p)
            break;
        v[k++] = d;
        p = end;
        while (*p == ',' || *p == ' ' || *p == '\n' || *p == '\r')
            p++;
    }
    return k;
}

static void compare_norm(const char *what, const double *got, const double *want, int n)
{
    double worst = 0;
    for (int i = 0; i < n; i++) {
        double r = fabs(got[i] - want[i]) / fabs(want[i]);
        worst = r > worst ? r : worst;
    }
    CHECK_MSG(worst < 1e-9, "%s: relative difference %g from ltc_norm.json", what, worst);
    printf("%s: reproduces ltc_norm.json (max relative difference %.1e)\n", what, worst);
}

/* Compares a fitted mean and std (when fitted) with the "mean" and "std" arrays of norm. */
static void compare_norms(const char *name, int fitted, const double *m, const double *sd,
                          const char *norm, int n)
{
    double jm[32], js[32];
    int parsed =
        n <= 32 && json_array(norm, "mean", jm, n) == n && json_array(norm, "std", js, n) == n;
    CHECK_MSG(parsed, "%s: no mean and std arrays of %d numbers", norm, n);
    if (!fitted || !parsed) /* the numbers compared would be garbage */
        return;
    char what[64];
    snprintf(what, sizeof what, "%s mean", name);
    compare_norm(what, m, jm, n);
    snprintf(what, sizeof what, "%s std", name);
    compare_norm(what, sd, js, n);
}

static void gesture(void)
{
    const char *csv = LLN_SHARED_DIR "/data/gesture/gesture_va3.csv";
    const char *win = LLN_SHARED_DIR "/data/gesture/ltc_windows.csv";
    const char *norm = LLN_SHARED_DIR "/data/gesture/ltc_norm.json";
    if (!present(csv) || !present(win) || !present(norm))
        return;
    ran++;
    lln_csv_spec_t s;
    lln_csv_spec_default(&s);
    const char *label[] = {"label"};
    const char *ign[] = {"frame", "raw_frame", "timestamp_ms", "dt_ms", "phase"};
    s.targets = label;
    s.ntargets = 1;
    s.labels = LLN_LABELS_INT;
    s.sequence = "video";
    s.ignore = ign;
    s.nignore = 5;
    lln_dataset_t *ds = load(csv, &s);
    if (ds == NULL)
        return;
    lln_dataset_info_t in;
    lln_dataset_info(ds, &in);
    CHECK(in.rows == 9873 && in.sequences == 7 && in.inputs == 32 && in.classes == 5);
    size_t count[5] = {0};
    for (size_t r = 0; r < in.rows; r++)
        count[(int)lln_dataset_targets(ds)[r]]++;
    CHECK_MSG(count[0] == 2741 && count[1] == 2097 && count[2] == 2950 && count[3] == 998 &&
                  count[4] == 1087,
              "class counts %zu %zu %zu %zu %zu", count[0], count[1], count[2], count[3], count[4]);
    lln_window_file_spec_t ws = {"video", "start_frame", "length", "split", 0};
    windows(ds, win, &ws, 455, 60, 90);
    /* LTC z-scores with the population statistics of every step of all 605 windows */
    double m[32], sd[32];
    lln_error_t e;
    lln_status_t st =
        lln_dataset_fit_norm(ds, 7, LLN_NORM_WINDOW_STEPS, 1e-12, m, sd, NULL, NULL, &e);
    CHECK_MSG(st == LLN_OK, "%s", e.msg);
    compare_norms("gesture", st == LLN_OK, m, sd, norm, 32);
    lln_dataset_free(ds);
    /* the window file's start_frame is the row offset within the video */
    const char *frame[] = {"frame"};
    lln_csv_spec_default(&s);
    s.features = frame;
    s.nfeatures = 1;
    s.sequence = "video";
    s.time = "timestamp_ms"; /* the irregular variant: Δt from the Kinect clock */
    s.time_scale = 0.001;
    s.dt_default = 0;
    ds = load(csv, &s);
    if (ds == NULL)
        return;
    int offsets_ok = 1;
    for (int q = 0; q < 7; q++) {
        size_t first, rows;
        lln_dataset_sequence(ds, q, NULL, &first, &rows);
        for (size_t r = 0; r < rows; r++)
            offsets_ok &= lln_dataset_inputs(ds)[first + r] == (double)r;
    }
    CHECK_MSG(offsets_ok, "gesture: frame is not the row offset within its video");
    lln_dataset_info(ds, &in);
    CHECK_NEAR(in.dt_median, 0.032, 0.0015);
    printf("gesture: irregular variant: Δt median %.3f s, min %.3f s, max %.1f s\n", in.dt_median,
           in.dt_min, in.dt_max);
    lln_dataset_free(ds);
}

static void occupancy(void)
{
    const char *csv = LLN_SHARED_DIR "/data/occupancy/occupancy.csv";
    const char *win = LLN_SHARED_DIR "/data/occupancy/ltc_windows.csv";
    const char *norm = LLN_SHARED_DIR "/data/occupancy/ltc_norm.json";
    if (!present(csv) || !present(win) || !present(norm))
        return;
    ran++;
    lln_csv_spec_t s;
    lln_csv_spec_default(&s);
    const char *f[] = {"Temperature", "Humidity", "Light", "CO2", "HumidityRatio"};
    const char *y[] = {"Occupancy"};
    s.features = f;
    s.nfeatures = 5;
    s.targets = y;
    s.ntargets = 1;
    s.labels = LLN_LABELS_INT;
    s.classes = 2;
    s.sequence = "file";
    s.dt = "dt_s";
    lln_dataset_t *ds = load(csv, &s);
    if (ds == NULL)
        return;
    lln_dataset_info_t in;
    lln_dataset_info(ds, &in);
    CHECK(in.rows == 20560 && in.sequences == 3 && in.classes == 2);
    CHECK(in.dt_min == 59 && in.dt_max == 61 && in.dt_median == 60);
    lln_window_file_spec_t ws = {"file", "start_row", "length", "split", 0};
    windows(ds, win, &ws, 7315, 812, 1549);
    /* LTC: mean/std of every datatraining row = the rows of the sequence of the training
     * windows (the windows alone miss its last row: 3e-4 off) */
    double m[5], sd[5];
    lln_error_t e;
    lln_status_t st = lln_dataset_fit_norm(ds, 1u << LLN_TRAIN, LLN_NORM_SEQUENCE_ROWS, 1e-12, m,
                                           sd, NULL, NULL, &e);
    CHECK_MSG(st == LLN_OK, "%s", e.msg);
    compare_norms("occupancy", st == LLN_OK, m, sd, norm, 5);
    lln_dataset_free(ds);
}

/* Runs argv (a program's path, no shell) and waits; its exit status, or -1. */
static int run(char *const argv[])
{
    (void)fflush(stdout); /* the child's output comes after ours */
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* Flawfinder: ignore (argv[0] is LLN_CLI_PATH, fixed at build time; no shell) */
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* Runs `lln data prepare NAME [extra] --shared ... -o out`; 1 on success. */
static int prepare(const char *name, const char *extra, const char *out)
{
    char *argv[10], **a = argv; /* 9 arguments at most and the NULL */
    *a++ = (char *)LLN_CLI_PATH;
    *a++ = (char *)"data";
    *a++ = (char *)"prepare";
    *a++ = (char *)name;
    if (extra[0] != '\0')
        *a++ = (char *)extra;
    *a++ = (char *)"--shared";
    *a++ = (char *)LLN_SHARED_DIR;
    *a++ = (char *)"-o";
    *a++ = (char *)out;
    *a = NULL;
    double t0 = now();
    int rc = run(argv);
    CHECK_MSG(rc == 0, "%s data prepare %s %s -o %s: exit %d", LLN_CLI_PATH, name, extra, out, rc);
    printf("lln data prepare %s %s: %.1f s\n", name, extra, now() - t0);
    return rc == 0;
}

static void traffic(void)
{
    const char *src = LLN_SHARED_DIR "/data/traffic/traffic.csv";
    const char *win = LLN_SHARED_DIR "/data/traffic/ltc_windows.csv";
    char out[300];
    snprintf(out, sizeof out, "%s/traffic.csv", tmpdir);
    if (!present(src) || !present(win) || !prepare("traffic", "", out))
        return;
    ran++;
    lln_csv_spec_t s;
    lln_csv_spec_default(&s);
    const char *f[] = {"holiday",    "temp_centred", "rain_1h", "snow_1h",
                       "clouds_all", "weekday",      "hour_sin"};
    const char *y[] = {"volume_z"};
    s.features = f;
    s.nfeatures = 7;
    s.targets = y;
    s.ntargets = 1;
    lln_dataset_t *ds = load(out, &s);
    if (ds == NULL)
        return;
    lln_dataset_info_t in;
    lln_dataset_info(ds, &in);
    CHECK(in.rows == 48204 && in.sequences == 1);
    double hol = 0, sum = 0, sq = 0;
    for (size_t r = 0; r < in.rows; r++) {
        hol += fabs(lln_dataset_inputs(ds)[r * 7]);
        sum += lln_dataset_targets(ds)[r];
    }
    for (size_t r = 0; r < in.rows; r++)
        sq += pow(lln_dataset_targets(ds)[r] - sum / (double)in.rows, 2);
    CHECK(hol == 0); /* the paper's holiday input is 0 on every row */
    /* z-scored with float32 statistics: mean ~0, std ~1 */
    CHECK_NEAR(sum / (double)in.rows, 0, 1e-6);
    CHECK_NEAR(sqrt(sq / (double)in.rows), 1, 1e-6);
    lln_window_file_spec_t ws = {NULL, "start_row", "length", "split", 0};
    windows(ds, win, &ws, 9033, 1204, 1806);
    lln_dataset_free(ds);
    /* the honest irregular variant: one row per hour, Δt in hours */
    snprintf(out, sizeof out, "%s/traffic_hours.csv", tmpdir);
    if (!prepare("traffic", "--unique-hours", out))
        return;
    s.dt = "dt_hours";
    ds = load(out, &s);
    if (ds != NULL) {
        lln_dataset_info(ds, &in);
        CHECK(in.rows == 40575 && in.dt_min == 1 && in.dt_max == 7387);
        lln_error_t e;
        CHECK(lln_dataset_make_windows(ds, 32, 4, LLN_TAIL_DROP, &e) == LLN_OK);
        CHECK(lln_dataset_split(ds, LLN_SPLIT_CHRONO, 0.1, 0.15, 0, &e) == LLN_OK);
        lln_dataset_info(ds, &in);
        printf("traffic, one row per hour, chronological: %zu / %zu / %zu windows (%zu dropped "
               "at the boundaries)\n",
               in.split_windows[0], in.split_windows[1], in.split_windows[2], in.dropped_windows);
        lln_dataset_free(ds);
    }
}

static void walker2d(void)
{
    const char *src = LLN_SHARED_DIR "/data/walker2d/walker2d.csv.gz";
    const char *win = LLN_SHARED_DIR "/data/walker2d/cfc_windows.csv";
    if (!present(src) || !present(win))
        return;
    ran++;
    lln_csv_spec_t s;
    lln_csv_spec_default(&s);
    const char *ign[] = {"step", "cfc_kept", "cfc_elapsed"};
    s.sequence = "rollout";
    s.split = "split";
    s.ignore = ign;
    s.nignore = 3;
    lln_dataset_t *ds = load(src, &s); /* gzip, read directly */
    if (ds != NULL) {
        lln_dataset_info_t in;
        lln_dataset_info(ds, &in);
        CHECK(in.rows == 254963 && in.sequences == 400 && in.inputs == 17);
        lln_dataset_free(ds);
    }
    char out[300];
    snprintf(out, sizeof out, "%s/walker.csv.gz", tmpdir);
    if (!prepare("walker2d", "", out))
        return;
    static const char *obs[] = {
        "rootz",    "rooty",     "thigh",          "leg",          "foot",         "thigh_left",
        "leg_left", "foot_left", "vel_rootx",      "vel_rootz",    "vel_rooty",    "vel_thigh",
        "vel_leg",  "vel_foot",  "vel_thigh_left", "vel_leg_left", "vel_foot_left"};
    static char names[17][32];
    const char *next[17];
    for (int i = 0; i < 17; i++) {
        snprintf(names[i], sizeof names[i], "next_%s", obs[i]);
        next[i] = names[i];
    }
    lln_csv_spec_default(&s);
    s.features = obs;
    s.nfeatures = 17;
    s.targets = next;
    s.ntargets = 17;
    s.sequence = "rollout";
    s.dt = "elapsed";
    ds = load(out, &s);
    if (ds == NULL)
        return;
    lln_dataset_info_t in;
    lln_dataset_info(ds, &in);
    CHECK(in.rows == 228819 && in.sequences == 400 && in.dt_min == 1 && in.dt_max == 6);
    size_t hist[7] = {0};
    for (size_t r = 0; r < in.rows; r++)
        hist[(int)lln_dataset_dt(ds)[r]]++;
    CHECK_MSG(hist[1] == 205623 && hist[2] == 20938 && hist[3] == 2030 && hist[4] == 211 &&
                  hist[5] == 16 && hist[6] == 1,
              "elapsed histogram %zu %zu %zu %zu %zu %zu", hist[1], hist[2], hist[3], hist[4],
              hist[5], hist[6]);
    lln_window_file_spec_t ws = {"rollout", "start_kept_index", "length", "split", 0};
    windows(ds, win, &ws, 9684, 1272, 1937);
    lln_dataset_free(ds);
}

/* Removes tmpdir and the files `lln data prepare` wrote there (it makes no subfolders). */
static int remove_tmpdir(void)
{
    DIR *d = opendir(tmpdir);
    if (d == NULL)
        return 0;
    char path[512];
    for (struct dirent *de; (de = readdir(d)) != NULL;) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", tmpdir, de->d_name);
        unlink(path);
    }
    closedir(d);
    return rmdir(tmpdir) == 0;
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/lln_test_data_shared.XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        SKIP("cannot create %s", tmpdir);
    gesture();
    occupancy();
    traffic();
    walker2d();
    if (!remove_tmpdir())
        fprintf(stderr, "note: could not remove %s\n", tmpdir);
    if (ran == 0 && check_failures_ == 0)
        SKIP("no dataset of %s/data is present: real-data checks did NOT run", LLN_SHARED_DIR);
    if (skipped > 0)
        fprintf(stderr, "SKIP: %d dataset(s) absent (see above); the others were checked\n",
                skipped);
    return check_done("test_data_shared");
}
