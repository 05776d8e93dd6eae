/* Training data: CSV parsing (line ends, quotes, blanks, BOM), every error message with its
 * file, line and column, gzip input, Δt from time and Δt columns, class labels, sequences,
 * windows (stride, tail, whole sequences, split column, lists and window files), splits
 * (shuffle, chronological, by sequence; deterministic), normalization (numbers, and as the
 * model applies it) and batches (order, gather, padding). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "lln/data.h"

static char tmpdir[256];

static lln_csv_spec_t spec(void)
{
    lln_csv_spec_t s;
    lln_csv_spec_default(&s);
    return s;
}

/* Reads text as "t.csv"; NULL on failure (err filled). */
static lln_dataset_t *rd(const char *text, const lln_csv_spec_t *s, lln_error_t *err)
{
    lln_dataset_t *ds = NULL;
    err->code = LLN_OK;
    err->msg[0] = '\0';
    if (lln_dataset_read_mem("t.csv", text, strlen(text), s, &ds, err) != LLN_OK)
        return NULL;
    return ds;
}

/* The read must fail with code and a message containing want. */
#define FAILS(text, s, want_code, want)                                                   \
    do {                                                                                  \
        lln_error_t e_;                                                                   \
        lln_dataset_t *d_ = rd(text, s, &e_);                                             \
        CHECK_MSG(d_ == NULL && e_.code == (want_code) && strstr(e_.msg, want) != NULL,   \
                  "expected code %d and '%s', got code %d: '%s'", (int)(want_code), want, \
                  (int)e_.code, e_.msg);                                                  \
        lln_dataset_free(d_);                                                             \
    } while (0)

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f != NULL) {
        CHECK(fwrite(data, 1, n, f) == n);
        fclose(f);
    }
}

/* ---- parsing -------------------------------------------------------------------------------- */

static void test_basic(void)
{
    lln_csv_spec_t s = spec();
    const char *feat[] = {"c", "a"}, *targ[] = {"b"};
    s.features = feat;
    s.nfeatures = 2;
    s.targets = targ;
    s.ntargets = 1;
    lln_error_t e;
    lln_dataset_t *ds = rd("a,b,c\n1,2,3\n-4.5, 5e-1 ,+6\n", &s, &e);
    CHECK_MSG(ds != NULL, "%s", e.msg);
    if (ds == NULL)
        return;
    lln_dataset_info_t in;
    lln_dataset_info(ds, &in);
    CHECK_EQ_INT(in.rows, 2);
    CHECK_EQ_INT(in.inputs, 2);
    CHECK_EQ_INT(in.outputs, 1);
    CHECK_EQ_INT(in.sequences, 1);
    CHECK_EQ_INT(in.windows, 0);
    CHECK(strcmp(lln_dataset_feature_name(ds, 0), "c") == 0);
    CHECK(strcmp(lln_dataset_feature_name(ds, 1), "a") == 0);
    CHECK(strcmp(lln_dataset_target_name(ds, 0), "b") == 0);
    CHECK(lln_dataset_feature_name(ds, 2) == NULL && lln_dataset_target_name(ds, 1) == NULL);
    const double *x = lln_dataset_inputs(ds), *y = lln_dataset_targets(ds);
    const double *dt = lln_dataset_dt(ds);
    CHECK(x[0] == 3 && x[1] == 1 && x[2] == 6 && x[3] == -4.5);
    CHECK(y[0] == 2 && y[1] == 0.5);
    CHECK(dt[0] == 1.0 && dt[1] == 1.0); /* no time column: dt_default */
    CHECK_EQ_INT(lln_dataset_row_line(ds, 0), 2);
    CHECK_EQ_INT(lln_dataset_row_line(ds, 1), 3);
    CHECK_EQ_INT(lln_dataset_row_line(ds, 2), 0);
    const char *name = NULL;
    size_t first = 9, rows = 9;
    CHECK(lln_dataset_sequence(ds, 0, &name, &first, &rows) == LLN_OK);
    CHECK(name != NULL && name[0] == '\0' && first == 0 && rows == 2);
    CHECK(lln_dataset_sequence(ds, 1, NULL, NULL, NULL) == LLN_E_RANGE);
    lln_dataset_free(ds);

    /* automatic features: every column without a role, minus the ignored ones */
    const char *ig[] = {"skip"};
    lln_csv_spec_t a = spec();
    a.targets = targ;
    a.ntargets = 1;
    a.ignore = ig;
    a.nignore = 1;
    ds = rd("x,skip,b,z\n1,hello,2,3\n", &a, &e);
    CHECK_MSG(ds != NULL, "%s", e.msg);
    if (ds != NULL) {
        lln_dataset_info(ds, &in);
        CHECK_EQ_INT(in.inputs, 2);
        CHECK(strcmp(lln_dataset_feature_name(ds, 1), "z") == 0);
        CHECK(lln_dataset_inputs(ds)[1] == 3);
        lln_dataset_free(ds);
    }
    /* "#N" selects column N when no column has that name (an unnamed index column) */
    const char *byno[] = {"#3"}, *ig2[] = {"#1"};
    lln_csv_spec_t n = spec();
    n.targets = byno;
    n.ntargets = 1;
    n.ignore = ig2;
    n.nignore = 1;
    ds = rd(",u,v,w\n0,1,2,3\n", &n, &e);
    CHECK_MSG(ds != NULL, "%s", e.msg);
    if (ds != NULL) {
        lln_dataset_info(ds, &in);
        CHECK(in.inputs == 2 && lln_dataset_targets(ds)[0] == 2);
        CHECK(strcmp(lln_dataset_feature_name(ds, 0), "u") == 0);
        CHECK(strcmp(lln_dataset_feature_name(ds, 1), "w") == 0 && lln_dataset_inputs(ds)[1] == 3);
        lln_dataset_free(ds);
    }
    ds = rd("#1,b\n5,6\n", &n, &e); /* a column named "#1": the name wins */
    CHECK_MSG(ds == NULL && strstr(e.msg, "no column named '#3'"), "%s", e.msg);
    n.targets = ig2;
    n.ignore = NULL;
    n.nignore = 0;
    ds = rd("b,#1\n5,6\n", &n, &e);
    CHECK_MSG(ds != NULL && lln_dataset_targets(ds)[0] == 6, "%s", e.msg);
    lln_dataset_free(ds);
    const char *far[] = {"#5"};
    n.targets = far;
    FAILS(",u,v,w\n0,1,2,3\n", &n, LLN_E_NOTFOUND, "no column named '#5' (target: , u, v, w)");
    lln_dataset_free(NULL);
}

static void test_syntax(void)
{
    lln_csv_spec_t s = spec();
    lln_error_t e;
    /* quotes (a comma and a doubled quote inside), blanks, a BOM, CRLF, CR, blank lines, no
     * final line end: lines are counted the same way for every line end */
    const char *text = "\xEF\xBB\xBF\"a\" , \"b,\"\"q\"\"\"\r\n\r\n \"1\" ,2\r3,4\n\n  \t\n5,\"6\"";
    lln_dataset_t *ds = rd(text, &s, &e);
    CHECK_MSG(ds != NULL, "%s", e.msg);
    if (ds != NULL) {
        CHECK(strcmp(lln_dataset_feature_name(ds, 0), "a") == 0);
        CHECK(strcmp(lln_dataset_feature_name(ds, 1), "b,\"q\"") == 0);
        const double *x = lln_dataset_inputs(ds);
        CHECK(x[0] == 1 && x[1] == 2 && x[2] == 3 && x[3] == 4 && x[4] == 5 && x[5] == 6);
        CHECK_EQ_INT(lln_dataset_row_line(ds, 0), 3);
        CHECK_EQ_INT(lln_dataset_row_line(ds, 1), 4);
        CHECK_EQ_INT(lln_dataset_row_line(ds, 2), 7);
        lln_dataset_free(ds);
    }
    /* CR only (old Mac files), an error's line number counts CRs */
    FAILS("a,b\r1,2\r3,x\r", &s, LLN_E_FORMAT, "t.csv:3: column 2 ('b'): 'x' is not a number");
    FAILS("a,b\r\n1,2\r\n3,x\r\n", &s, LLN_E_FORMAT, "t.csv:3: column 2 ('b')");
    /* a long line (no fixed buffer): a 3 MB text field in an ignored column */
    size_t big = 3u << 20;
    char *t = malloc(big + 64);
    if (t != NULL) {
        static const char head[] = "a,junk\n1,", tail[] = "\n2,q\n";
        size_t n = sizeof head - 1;
        memcpy(t, head, n);
        memset(t + n, 'z', big);
        memcpy(t + n + big, tail, sizeof tail); /* with its NUL; 64 bytes were kept for both */
        const char *ig[] = {"junk"};
        lln_csv_spec_t g = spec();
        g.ignore = ig;
        g.nignore = 1;
        ds = rd(t, &g, &e);
        CHECK_MSG(ds != NULL, "%s", e.msg);
        if (ds != NULL) {
            CHECK(lln_dataset_inputs(ds)[1] == 2);
            lln_dataset_free(ds);
        }
        free(t);
    }
}

static void test_errors(void)
{
    lln_csv_spec_t s = spec();
    FAILS("", &s, LLN_E_FORMAT, "t.csv: empty file (no header line)");
    FAILS("\n \n\r\n", &s, LLN_E_FORMAT, "t.csv: empty file (no header line)");
    FAILS("a,b\n", &s, LLN_E_FORMAT, "t.csv:1: header only, no data rows");
    FAILS("\na,b\n\n", &s, LLN_E_FORMAT, "t.csv:2: header only, no data rows");
    FAILS("a,b,a\n1,2,3\n", &s, LLN_E_FORMAT,
          "t.csv:1: column 3 ('a'): duplicate column name (also column 1)");
    FAILS("a,b\n1,x2\n", &s, LLN_E_FORMAT, "t.csv:2: column 2 ('b'): 'x2' is not a number");
    FAILS("a,b\n1,0x10\n", &s, LLN_E_FORMAT, "t.csv:2: column 2 ('b'): '0x10' is not a number");
    FAILS("a,b\n1,1.5e\n", &s, LLN_E_FORMAT, "'1.5e' is not a number");
    FAILS("a,b\n1,.\n", &s, LLN_E_FORMAT, "'.' is not a number");
    FAILS("a,b\n1,2\nnan,3\n", &s, LLN_E_FORMAT, "t.csv:3: column 1 ('a'): 'nan' is not a finite");
    FAILS("a,b\n1,-Infinity\n", &s, LLN_E_FORMAT, "column 2 ('b'): '-Infinity' is not a finite");
    FAILS("a,b\n1,1e999\n", &s, LLN_E_FORMAT, "column 2 ('b'): '1e999' is not a finite number");
    FAILS("a,b\n1,\n", &s, LLN_E_FORMAT, "t.csv:2: column 2 ('b'): empty field");
    FAILS("a,b,c\n1,2\n", &s, LLN_E_FORMAT, "t.csv:2: 2 fields, expected 3");
    FAILS("a,b,c\n1,2,3\n1,2,3,4\n", &s, LLN_E_FORMAT, "t.csv:3: more than 3 fields");
    FAILS("a,b\n1,\"2\n", &s, LLN_E_FORMAT, "t.csv:2: column 2 ('b'): unterminated quoted");
    FAILS("a,b\n1,\"2\"x\n", &s, LLN_E_FORMAT, "t.csv:2: column 2 ('b'): text after the closing");
    /* a value longer than 40 bytes is shortened in the message */
    FAILS("a\n1234567890123456789012345678901234567890123x\n", &s, LLN_E_FORMAT,
          "'1234567890123456789012345678901234567890...' is not a number");
    { /* NUL bytes, in data and in the header */
        static const char nul[] = "a,b\n1,2\0\n";
        lln_dataset_t *ds = NULL;
        lln_error_t e;
        CHECK(lln_dataset_read_mem("t.csv", nul, sizeof nul - 1, &s, &ds, &e) == LLN_E_FORMAT);
        CHECK_MSG(strstr(e.msg, "t.csv:2: column 2 ('b'): NUL byte") != NULL, "%s", e.msg);
        static const char nul2[] = "a,\0b\n1,2\n";
        CHECK(lln_dataset_read_mem("t.csv", nul2, sizeof nul2 - 1, &s, &ds, &e) == LLN_E_FORMAT);
        CHECK_MSG(strstr(e.msg, "t.csv:1: column 2: NUL byte") != NULL, "%s", e.msg);
        CHECK(ds == NULL);
    }
    { /* a line over the limit */
        size_t n = (size_t)LLN_CSV_MAX_LINE + 10;
        char *t = malloc(n + 16);
        if (t != NULL) {
            memcpy(t, "a\n1\n", 4);
            memset(t + 4, '7', n);
            lln_dataset_t *ds = NULL;
            lln_error_t e;
            CHECK(lln_dataset_read_mem("t.csv", t, n + 4, &s, &ds, &e) == LLN_E_FORMAT);
            CHECK_MSG(strstr(e.msg, "t.csv:3: line longer than 16777216 bytes") != NULL, "%s",
                      e.msg);
            free(t);
        }
    }
    /* column selection */
    const char *zz[] = {"zz"}, *a[] = {"a"}, *b[] = {"b"}, *ab[] = {"a", "b"};
    lln_csv_spec_t c = spec();
    c.features = zz;
    c.nfeatures = 1;
    FAILS("a,b\n1,2\n", &c, LLN_E_NOTFOUND, "t.csv:1: no column named 'zz' (feature: a, b)");
    c = spec();
    c.targets = zz;
    c.ntargets = 1;
    FAILS("a,b\n1,2\n", &c, LLN_E_NOTFOUND, "no column named 'zz' (target: a, b)");
    c = spec();
    c.sequence = "zz";
    FAILS("a,b\n1,2\n", &c, LLN_E_NOTFOUND, "no column named 'zz' (sequence: a, b)");
    c = spec();
    c.ignore = zz;
    c.nignore = 1;
    FAILS("a,b\n1,2\n", &c, LLN_E_NOTFOUND, "no column named 'zz' (ignore list: a, b)");
    c = spec();
    c.features = a;
    c.nfeatures = 1;
    c.targets = a;
    c.ntargets = 1;
    FAILS("a,b\n1,2\n", &c, LLN_E_ARG,
          "t.csv:1: column 1 ('a'): selected as target and as feature");
    /* with origins (a front end's options), each message starts with the one that chose */
    c.features_origin = "--features", c.targets_origin = "--targets";
    FAILS("a,b\n1,2\n", &c, LLN_E_ARG,
          "t.csv:1: column 1 ('a'): selected as target (--targets) and as feature (--features)");
    c.features = zz;
    FAILS("a,b\n1,2\n", &c, LLN_E_NOTFOUND, "--features: t.csv:1: no column named 'zz' (feature");
    const char *pat[] = {"q*"}, *rng[] = {"b..a"};
    c.features = pat;
    FAILS("a,b\n1,2\n", &c, LLN_E_NOTFOUND, "--features: t.csv: pattern 'q*' (feature) matches");
    c.features = a;
    c.targets = rng;
    FAILS("a,b\n1,2\n", &c, LLN_E_ARG, "--targets: t.csv: range 'b..a': 'b' (column 2) comes");
    c = spec();
    c.dt = "zz", c.dt_origin = "--dt-column";
    FAILS("a,b\n1,2\n", &c, LLN_E_NOTFOUND, "--dt-column: t.csv:1: no column named 'zz' (dt");
    c = spec();
    c.targets = ab;
    c.ntargets = 2;
    FAILS("a,b\n1,2\n", &c, LLN_E_ARG, "t.csv:1: no feature columns");
    c = spec();
    c.time = "a";
    c.dt = "b";
    FAILS("a,b,c\n1,2,3\n", &c, LLN_E_ARG, "give a time column or a dt column, not both");
    c = spec();
    c.labels = LLN_LABELS_INT;
    c.targets = ab;
    c.ntargets = 2;
    FAILS("a,b,c\n1,2,3\n", &c, LLN_E_ARG,
          "class labels need exactly one target column (2 selected)");
    c = spec();
    c.time_scale = -1;
    FAILS("a\n1\n", &c, LLN_E_ARG, "time_scale and dt_default");
    c = spec();
    c.split = "b";
    FAILS("a,b\n1,train\n2,tst\n", &c, LLN_E_FORMAT,
          "t.csv:3: column 2 ('b'): 'tst' is not a split (train, valid");
    c = spec();
    c.sequence = "b";
    FAILS("a,b\n1,x\n2,x\n3,y\n4,x\n", &c, LLN_E_FORMAT,
          "t.csv:5: column 2 ('b'): sequence 'x' appears again (its rows ended at line 3)");
    c = spec();
    c.targets = b;
    c.ntargets = 1;
    c.labels = LLN_LABELS_INT;
    FAILS("a,b\n1,0\n2,2.5\n", &c, LLN_E_FORMAT,
          "t.csv:3: column 2 ('b'): class label '2.5' is not an integer in [0, 65535]");
    FAILS("a,b\n1,-1\n", &c, LLN_E_FORMAT, "class label '-1' is not an integer");
    c.classes = 3;
    FAILS("a,b\n1,0\n2,3\n", &c, LLN_E_FORMAT, "class label '3' is not an integer in [0, 2]");
    FAILS("a,b\n1,cat\n", &c, LLN_E_FORMAT, "column 2 ('b'): 'cat' is not a number");
    /* time and Δt */
    c = spec();
    c.time = "t";
    FAILS("t,a\n1,0\n2,0\n2,0\n", &c, LLN_E_FORMAT,
          "t.csv:4: column 1 ('t'): time 2 does not increase (previous row: 2)");
    c = spec();
    c.dt = "d";
    FAILS("d,a\n0,1\n0.5,1\n0,2\n", &c, LLN_E_FORMAT, "t.csv:4: column 1 ('d'): Δt 0 must be > 0");
    FAILS("d,a\n-1,1\n", &c, LLN_E_FORMAT, "t.csv:2: column 1 ('d'): Δt -1 must be > 0");
    c.time_scale = 1e-30;
    FAILS("d,a\n1,1\n", &c, LLN_E_FORMAT, "Δt 1 must be > 0 after scaling (>= 1e-20");
    /* files */
    lln_dataset_t *ds = (lln_dataset_t *)1;
    lln_error_t e;
    CHECK(lln_dataset_read("/nonexistent/x.csv", &s, &ds, &e) == LLN_E_IO);
    CHECK(ds == NULL && strstr(e.msg, "/nonexistent/x.csv: cannot open") != NULL);
    CHECK(lln_dataset_read(NULL, &s, &ds, &e) == LLN_E_ARG);
    CHECK(lln_dataset_read("x", &s, NULL, &e) == LLN_E_ARG);
}

static void test_gzip(void)
{
    const char *text = "t,a,y\n0,1.5,0\n0.25,2.5,1\n0.5,-3,0\n";
    char plain[300], gz[300], bad[300];
    snprintf(plain, sizeof plain, "%s/p.csv", tmpdir);
    snprintf(gz, sizeof gz, "%s/p.csv.gz", tmpdir);
    snprintf(bad, sizeof bad, "%s/bad.csv.gz", tmpdir);
    write_file(plain, text, strlen(text));
    gzFile g = gzopen(gz, "wb");
    CHECK(g != NULL);
    if (g == NULL)
        return;
    CHECK(gzwrite(g, text, (unsigned)strlen(text)) == (int)strlen(text));
    gzclose(g);
    lln_csv_spec_t s = spec();
    const char *y[] = {"y"};
    s.time = "t";
    s.targets = y;
    s.ntargets = 1;
    lln_dataset_t *a = NULL, *b = NULL;
    lln_error_t e;
    CHECK(lln_dataset_read(plain, &s, &a, &e) == LLN_OK);
    CHECK_MSG(lln_dataset_read(gz, &s, &b, &e) == LLN_OK, "%s", e.msg);
    if (a != NULL && b != NULL) {
        lln_dataset_info_t ia, ib;
        lln_dataset_info(a, &ia);
        lln_dataset_info(b, &ib);
        CHECK_EQ_INT(ib.rows, 3);
        CHECK(ia.rows == ib.rows && ia.inputs == ib.inputs);
        for (int i = 0; i < 3; i++) { /* the same numbers, read from either file */
            CHECK(lln_dataset_inputs(a)[i] == lln_dataset_inputs(b)[i]);
            CHECK(lln_dataset_dt(a)[i] == lln_dataset_dt(b)[i]);
        }
        CHECK(lln_dataset_dt(b)[1] == 0.25 && lln_dataset_dt(b)[2] == 0.25);
    }
    lln_dataset_free(a);
    lln_dataset_free(b);
    /* a truncated gzip file and one with a damaged checksum are errors, not short data */
    FILE *f = fopen(gz, "rb");
    unsigned char buf[300];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    CHECK(n > 20);
    if (n > 20) { /* else nothing was read to damage (buf[n - 6] would be outside it) */
        write_file(bad, buf, n - 6);
        CHECK(lln_dataset_read(bad, &s, &a, &e) == LLN_E_FORMAT);
        /* the data inflate completely; the trailer is cut: the error comes after the last line */
        CHECK_MSG(
            strstr(e.msg, "bad.csv.gz: after line 4: damaged gzip data: unexpected end of file"),
            "%s", e.msg);
        buf[n - 6] ^= 0x55; /* the CRC-32 of the data */
        write_file(bad, buf, n);
        CHECK(lln_dataset_read(bad, &s, &a, &e) == LLN_E_FORMAT);
        CHECK_MSG(
            strstr(e.msg, "bad.csv.gz: at the start: damaged gzip data: incorrect data check"),
            "%s", e.msg);
    }
    unlink(plain);
    unlink(gz);
    unlink(bad);
}

/* ---- Δt, labels, sequences -------------------------------------------------------------- */

static void test_dt(void)
{
    lln_csv_spec_t s = spec();
    const char *f[] = {"a"};
    s.features = f;
    s.nfeatures = 1;
    s.sequence = "id";
    s.time = "t";
    s.time_scale = 0.001; /* milliseconds */
    s.dt_default = 0;     /* first rows: the median */
    lln_error_t e;
    lln_dataset_t *ds = rd("id,t,a\nx,100,1\nx,120,2\nx,150,3\ny,7,4\ny,17,5\ny,57,6\n", &s, &e);
    CHECK_MSG(ds != NULL, "%s", e.msg);
    if (ds == NULL)
        return;
    const double *dt = lln_dataset_dt(ds);
    /* known Δt: 0.02 0.03 0.01 0.04 -> lower median 0.02 */
    CHECK_NEAR(dt[1], 0.02, 1e-15);
    CHECK_NEAR(dt[2], 0.03, 1e-15);
    CHECK_NEAR(dt[4], 0.01, 1e-15);
    CHECK_NEAR(dt[5], 0.04, 1e-15);
    CHECK(dt[0] == dt[1] && dt[3] == dt[1]);
    lln_dataset_info_t in;
    lln_dataset_info(ds, &in);
    CHECK_EQ_INT(in.sequences, 2);
    CHECK(in.dt_median == dt[1]);
    CHECK_NEAR(in.dt_min, 0.01, 1e-15);
    CHECK_NEAR(in.dt_max, 0.04, 1e-15);
    const char *name;
    size_t first, rows;
    CHECK(lln_dataset_sequence(ds, 1, &name, &first, &rows) == LLN_OK);
    CHECK(strcmp(name, "y") == 0 && first == 3 && rows == 3);
    lln_dataset_free(ds);
    /* a Δt column: 0 on a first row is "unknown"; a positive first value is kept */
    s.time = NULL;
    s.dt = "t";
    s.time_scale = 1;
    s.dt_default = 0.5;
    ds = rd("id,t,a\nx,0,1\nx,2,2\ny,3,4\ny,1,5\n", &s, &e);
    CHECK_MSG(ds != NULL, "%s", e.msg);
    if (ds != NULL) {
        dt = lln_dataset_dt(ds);
        CHECK(dt[0] == 0.5 && dt[1] == 2 && dt[2] == 3 && dt[3] == 1);
        lln_dataset_free(ds);
    }
}

static void test_labels(void)
{
    lln_csv_spec_t s = spec();
    const char *y[] = {"y"};
    s.targets = y;
    s.ntargets = 1;
    s.labels = LLN_LABELS_STRING;
    lln_error_t e;
    lln_dataset_t *ds = rd("a,y\n1,cat\n2,ant\n3,bee\n4,cat\n", &s, &e);
    CHECK_MSG(ds != NULL, "%s", e.msg);
    if (ds != NULL) {
        lln_dataset_info_t in;
        lln_dataset_info(ds, &in);
        CHECK_EQ_INT(in.classes, 3);
        CHECK_EQ_INT(in.outputs, 1);
        CHECK(strcmp(lln_dataset_class_name(ds, 0), "ant") == 0);
        CHECK(strcmp(lln_dataset_class_name(ds, 2), "cat") == 0);
        CHECK(lln_dataset_class_name(ds, 3) == NULL);
        const double *t = lln_dataset_targets(ds);
        CHECK(t[0] == 2 && t[1] == 0 && t[2] == 1 && t[3] == 2);
        lln_dataset_free(ds);
    }
    s.labels = LLN_LABELS_INT;
    ds = rd("a,y\n1,0\n2,4\n3,1.0\n", &s, &e);
    CHECK_MSG(ds != NULL, "%s", e.msg);
    if (ds != NULL) {
        lln_dataset_info_t in;
        lln_dataset_info(ds, &in);
        CHECK_EQ_INT(in.classes, 5); /* inferred: largest + 1 */
        CHECK(strcmp(lln_dataset_class_name(ds, 4), "4") == 0);
        CHECK(lln_dataset_targets(ds)[2] == 1);
        lln_dataset_free(ds);
    }
    s.classes = 7;
    ds = rd("a,y\n1,0\n2,4\n", &s, &e);
    if (ds != NULL) {
        lln_dataset_info_t in;
        lln_dataset_info(ds, &in);
        CHECK_EQ_INT(in.classes, 7);
        lln_dataset_free(ds);
    }
    CHECK(lln_dataset_class_name(NULL, 0) == NULL);
}

/* ---- windows --------------------------------------------------------------------------------- */

/* Sequences p (10 rows, a = 0..9) and q (4 rows, a = 10..13); split column from the text. */
static lln_dataset_t *seqs(const char *split_col)
{
    static char text[1024];
    size_t n = (size_t)snprintf(text, sizeof text, "id,a,y,sp\n");
    static const char *const sp10[] = {"train", "train", "train", "train", "train",
                                       "train", "valid", "valid", "test",  "test"};
    for (int i = 0; i < 14; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s,%d,%d,%s\n", i < 10 ? "p" : "q", i,
                              100 + i, i < 10 ? sp10[i] : "2");
    lln_csv_spec_t s = spec();
    const char *f[] = {"a"}, *y[] = {"y"};
    s.features = f;
    s.nfeatures = 1;
    s.targets = y;
    s.ntargets = 1;
    s.sequence = "id";
    s.split = split_col;
    lln_error_t e;
    lln_dataset_t *ds = rd(text, &s, &e);
    CHECK_MSG(ds != NULL, "%s", e.msg);
    return ds;
}

static void expect_windows(const lln_dataset_t *ds, const int (*want)[3], size_t n, int line)
{
    size_t got = lln_dataset_window_count(ds);
    CHECK_MSG(got == n, "line %d: %zu windows, expected %zu", line, got, n);
    for (size_t i = 0; i < n && i < got; i++) {
        const lln_window_t *w = lln_dataset_window(ds, i);
        CHECK_MSG(w->sequence == want[i][0] && (int)w->start == want[i][1] &&
                      w->length == want[i][2],
                  "line %d: window %zu = (%d, %zu, %d), expected (%d, %d, %d)", line, i,
                  w->sequence, w->start, w->length, want[i][0], want[i][1], want[i][2]);
    }
}

static void test_windows(void)
{
    lln_dataset_t *ds = seqs(NULL);
    if (ds == NULL)
        return;
    lln_error_t e;
    lln_dataset_info_t in;
    /* length 4, stride 3, drop: p starts 0 3 6 (9 + 4 > 10), q starts 0 */
    CHECK(lln_dataset_make_windows(ds, 4, 3, LLN_TAIL_DROP, &e) == LLN_OK);
    static const int w1[][3] = {{0, 0, 4}, {0, 3, 4}, {0, 6, 4}, {1, 0, 4}};
    expect_windows(ds, w1, 4, __LINE__);
    /* pad: nothing to add when the last full window reaches the end (6 + 4 = 10) */
    CHECK(lln_dataset_make_windows(ds, 4, 3, LLN_TAIL_PAD, &e) == LLN_OK);
    expect_windows(ds, w1, 4, __LINE__);
    /* stride 4: rows 8, 9 are left: p gets [8, 10) */
    CHECK(lln_dataset_make_windows(ds, 4, 4, LLN_TAIL_PAD, &e) == LLN_OK);
    static const int w2[][3] = {{0, 0, 4}, {0, 4, 4}, {0, 8, 2}, {1, 0, 4}};
    expect_windows(ds, w2, 4, __LINE__);
    lln_dataset_info(ds, &in);
    CHECK(in.window_length == 4 && in.padded_windows == 1 && in.split_windows[LLN_TRAIN] == 4);
    /* stride longer than the length: gaps stay gaps; the tail is a window */
    CHECK(lln_dataset_make_windows(ds, 3, 4, LLN_TAIL_PAD, &e) == LLN_OK);
    static const int w2b[][3] = {{0, 0, 3}, {0, 4, 3}, {0, 8, 2}, {1, 0, 3}};
    expect_windows(ds, w2b, 4, __LINE__);
    /* stride 0 = length; a short sequence padded */
    CHECK(lln_dataset_make_windows(ds, 6, 0, LLN_TAIL_PAD, &e) == LLN_OK);
    static const int w3[][3] = {{0, 0, 6}, {0, 6, 4}, {1, 0, 4}};
    expect_windows(ds, w3, 3, __LINE__);
    CHECK(lln_dataset_make_windows(ds, 5, 0, LLN_TAIL_PAD, &e) == LLN_OK); /* 10 = 2 x 5 */
    static const int w4[][3] = {{0, 0, 5}, {0, 5, 5}, {1, 0, 4}};
    expect_windows(ds, w4, 3, __LINE__);
    /* length 0: whole sequences */
    CHECK(lln_dataset_make_windows(ds, 0, 0, LLN_TAIL_DROP, &e) == LLN_OK);
    static const int w5[][3] = {{0, 0, 10}, {1, 0, 4}};
    expect_windows(ds, w5, 2, __LINE__);
    lln_dataset_info(ds, &in);
    CHECK(in.window_length == 10 && in.padded_windows == 1);
    /* errors */
    CHECK(lln_dataset_make_windows(ds, 11, 1, LLN_TAIL_DROP, &e) == LLN_E_RANGE);
    CHECK_MSG(strstr(e.msg, "t.csv: no window of 11 rows fits: the longest sequence has 10 rows"),
              "%s", e.msg);
    CHECK(lln_dataset_make_windows(ds, -1, 1, LLN_TAIL_DROP, &e) == LLN_E_ARG);
    CHECK(lln_dataset_window_count(ds) == 2); /* a failed call leaves the list */
    /* explicit lists */
    lln_window_t list[] = {{1, 1, 3, LLN_TEST}, {0, 2, 2, LLN_VALID}};
    CHECK(lln_dataset_set_windows(ds, list, 2, &e) == LLN_OK);
    lln_dataset_info(ds, &in);
    CHECK(in.window_length == 3 && in.split_windows[LLN_TEST] == 1 && in.split_windows[1] == 1);
    lln_window_t badw[] = {{1, 2, 3, LLN_TRAIN}};
    CHECK(lln_dataset_set_windows(ds, badw, 1, &e) == LLN_E_RANGE);
    CHECK_MSG(strstr(e.msg, "window 0: rows 2 .. 2 + 3 are not inside sequence 'q' (4 rows)"), "%s",
              e.msg);
    badw[0].sequence = 2;
    CHECK(lln_dataset_set_windows(ds, badw, 1, &e) == LLN_E_RANGE);
    CHECK(lln_dataset_set_windows(ds, badw, 0, &e) == LLN_E_RANGE);
    CHECK(lln_dataset_window(ds, 2) == NULL);
    lln_dataset_free(ds);

    /* a split column: windows take their rows' split; windows spanning two are dropped */
    ds = seqs("sp");
    if (ds == NULL)
        return;
    CHECK(lln_dataset_make_windows(ds, 2, 2, LLN_TAIL_DROP, &e) == LLN_OK);
    lln_dataset_info(ds, &in);
    /* p: [0,2) [2,4) [4,6) train, [6,8) valid, [8,10) test; q: 2 test windows */
    CHECK_EQ_INT(in.windows, 7);
    CHECK(in.split_windows[0] == 3 && in.split_windows[1] == 1 && in.split_windows[2] == 3);
    CHECK(in.dropped_windows == 0);
    CHECK(lln_dataset_make_windows(ds, 3, 1, LLN_TAIL_DROP, &e) == LLN_OK);
    lln_dataset_info(ds, &in);
    /* p starts 0..7: 0-3 train, 4,5,6,7 span two splits; q starts 0,1 test */
    CHECK_EQ_INT(in.windows, 6);
    CHECK_EQ_INT(in.dropped_windows, 4);
    lln_dataset_free(ds);
}

static void test_window_file(void)
{
    lln_dataset_t *ds = seqs(NULL);
    if (ds == NULL)
        return;
    char path[300];
    snprintf(path, sizeof path, "%s/w.csv", tmpdir);
    const char *good = "window,seq,first,len,part\n0,q,0,4,test\n1,p,3,2,valid\n2,p,0,5,train\n";
    write_file(path, good, strlen(good));
    lln_window_file_spec_t ws = {"seq", "first", "len", "part", 0};
    lln_error_t e;
    CHECK_MSG(lln_dataset_read_windows(ds, path, &ws, &e) == LLN_OK, "%s", e.msg);
    static const int want[][3] = {{1, 0, 4}, {0, 3, 2}, {0, 0, 5}};
    expect_windows(ds, want, 3, __LINE__);
    CHECK(lln_dataset_window(ds, 1)->split == LLN_VALID);
    /* no length column: a default length; no split column: train */
    lln_window_file_spec_t ws2 = {"seq", "first", NULL, NULL, 3};
    CHECK(lln_dataset_read_windows(ds, path, &ws2, &e) == LLN_OK);
    CHECK(lln_dataset_window(ds, 0)->length == 3 && lln_dataset_window(ds, 1)->split == 0);
    struct {
        const char *text, *msg;
        lln_status_t code;
    } bad[] = {
        {"seq,first,len,part\nr,0,4,test\n", "w.csv:2: column 1 ('seq'): no sequence 'r' in t.csv",
         LLN_E_NOTFOUND},
        {"seq,first,len,part\np,8,4,test\n",
         "w.csv:2: column 2 ('first'): rows 8 .. 8 + 4 are not inside sequence 'p' (10 rows)",
         LLN_E_RANGE},
        {"seq,first,len,part\np,1.5,4,test\n",
         "w.csv:2: column 2 ('first'): '1.5' is not an integer", LLN_E_FORMAT},
        {"seq,first,len,part\np,1,0,test\n", "column 3 ('len'): '0' is not an integer in [1,",
         LLN_E_FORMAT},
        {"seq,first,len,part\np,1,2,exam\n", "w.csv:2: column 4 ('part'): 'exam' is not a split",
         LLN_E_FORMAT},
        {"seq,first,len\np,1,2\n", "w.csv:1: no column named 'part' (split)", LLN_E_NOTFOUND},
        {"seq,first,len,part\np,1,2\n", "w.csv:2: 3 fields, expected 4", LLN_E_FORMAT},
        {"seq,first,len,part\n", "w.csv: header only, no windows", LLN_E_FORMAT},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_file(path, bad[i].text, strlen(bad[i].text));
        lln_status_t st = lln_dataset_read_windows(ds, path, &ws, &e);
        CHECK_MSG(st == bad[i].code && strstr(e.msg, bad[i].msg) != NULL,
                  "case %zu: code %d '%s', expected '%s'", i, (int)st, e.msg, bad[i].msg);
    }
    CHECK_EQ_INT(lln_dataset_window_count(ds), 3); /* failures left the last good list */
    lln_window_file_spec_t noseq = {NULL, "first", NULL, NULL, 2};
    CHECK(lln_dataset_read_windows(ds, path, &noseq, &e) == LLN_E_ARG);
    CHECK_MSG(strstr(e.msg, "t.csv has 2 sequences; name the sequence column"), "%s", e.msg);
    unlink(path);
    lln_dataset_free(ds);
}

/* ---- splits ----------------------------------------------------------------------------------- */

/* One sequence of n rows (a = row), or n/10 sequences of 10 rows. */
static lln_dataset_t *rows_ds(int n, int per_seq)
{
    size_t cap = (size_t)n * 24 + 64;
    char *t = malloc(cap);
    if (t == NULL)
        return NULL;
    size_t k = (size_t)snprintf(t, cap, "s,a\n");
    for (int i = 0; i < n; i++)
        k += (size_t)snprintf(t + k, cap - k, "%d,%d\n", per_seq ? i / 10 : 0, i);
    lln_csv_spec_t s = spec();
    s.sequence = "s";
    lln_error_t e;
    lln_dataset_t *ds = rd(t, &s, &e);
    CHECK_MSG(ds != NULL, "%s", e.msg);
    free(t);
    return ds;
}

static void test_splits(void)
{
    lln_dataset_t *ds = rows_ds(605, 0);
    if (ds == NULL)
        return;
    lln_error_t e;
    lln_dataset_info_t in;
    CHECK(lln_dataset_make_windows(ds, 1, 1, LLN_TAIL_DROP, &e) == LLN_OK);
    CHECK(lln_dataset_split(ds, LLN_SPLIT_SHUFFLE, 0.1, 0.15, 23489, &e) == LLN_OK);
    lln_dataset_info(ds, &in);
    /* floor(0.1 * 605) = 60, floor(0.15 * 605) = 90 (the gesture protocol's counts) */
    CHECK(in.split_windows[1] == 60 && in.split_windows[2] == 90 && in.split_windows[0] == 455);
    lln_split_t first[605];
    for (size_t w = 0; w < 605; w++)
        first[w] = lln_dataset_window(ds, w)->split;
    CHECK(lln_dataset_split(ds, LLN_SPLIT_SHUFFLE, 0.1, 0.15, 23489, &e) == LLN_OK);
    int same = 1, changed = 0;
    for (size_t w = 0; w < 605; w++)
        same &= first[w] == lln_dataset_window(ds, w)->split;
    CHECK_MSG(same, "the same seed gave another split");
    CHECK(lln_dataset_split(ds, LLN_SPLIT_SHUFFLE, 0.1, 0.15, 23490, &e) == LLN_OK);
    for (size_t w = 0; w < 605; w++)
        changed += first[w] != lln_dataset_window(ds, w)->split;
    CHECK_MSG(changed > 100, "another seed changed only %d windows", changed);
    /* the split is a fixed function of the seed on every machine: pinned values */
    size_t valid[60];
    CHECK(lln_dataset_split_windows(ds, LLN_VALID, valid) == 60);
    CHECK(lln_dataset_split(ds, LLN_SPLIT_SHUFFLE, 0.1, 0.15, 1, &e) == LLN_OK);
    CHECK(lln_dataset_split_windows(ds, LLN_VALID, valid) == 60);
    CHECK_MSG(valid[0] == 3 && valid[1] == 9 && valid[2] == 42 && valid[3] == 46,
              "seed 1, valid windows start: %zu %zu %zu %zu", valid[0], valid[1], valid[2],
              valid[3]);
    /* errors */
    CHECK(lln_dataset_split(ds, LLN_SPLIT_SHUFFLE, 0.5, 0.5, 1, &e) == LLN_E_ARG);
    CHECK(lln_dataset_split(ds, LLN_SPLIT_SHUFFLE, -0.1, 0.5, 1, &e) == LLN_E_ARG);
    CHECK(lln_dataset_split(ds, (lln_split_method_t)9, 0.1, 0.1, 1, &e) == LLN_E_ARG);
    lln_dataset_free(ds);

    /* chronological: rows 0..69 train, 70..84 valid, 85..99 test; windows across dropped */
    ds = rows_ds(100, 0);
    if (ds == NULL)
        return;
    CHECK(lln_dataset_split(ds, LLN_SPLIT_CHRONO, 0.15, 0.15, 0, &e) == LLN_E_RANGE);
    CHECK(lln_dataset_make_windows(ds, 10, 5, LLN_TAIL_DROP, &e) == LLN_OK); /* 19 windows */
    CHECK(lln_dataset_split(ds, LLN_SPLIT_CHRONO, 0.15, 0.15, 0, &e) == LLN_OK);
    lln_dataset_info(ds, &in);
    /* train starts 0..60 (13), valid 70 + 10 > 85? no: [70,80) valid only; [75,85) valid;
     * test [85,95) [90,100); dropped: 65, 80 */
    CHECK_MSG(in.split_windows[0] == 13 && in.split_windows[1] == 2 && in.split_windows[2] == 2 &&
                  in.dropped_windows == 2,
              "chrono: %zu %zu %zu, dropped %zu", in.split_windows[0], in.split_windows[1],
              in.split_windows[2], in.dropped_windows);
    CHECK(lln_dataset_window(ds, 13)->start == 70 && lln_dataset_window(ds, 16)->start == 90);
    lln_dataset_free(ds);

    /* by sequence: 20 sequences of 10 rows; whole sequences per split */
    ds = rows_ds(200, 1);
    if (ds == NULL)
        return;
    CHECK(lln_dataset_make_windows(ds, 5, 1, LLN_TAIL_DROP, &e) == LLN_OK); /* 6 per sequence */
    CHECK(lln_dataset_split(ds, LLN_SPLIT_SEQUENCE, 0.1, 0.25, 7, &e) == LLN_OK);
    lln_dataset_info(ds, &in);
    CHECK(in.split_windows[1] == (size_t)2 * 6 && in.split_windows[2] == (size_t)5 * 6 &&
          in.split_windows[0] == 78);
    int seq_split[20];
    for (int s = 0; s < 20; s++)
        seq_split[s] = -1;
    int consistent = 1;
    for (size_t w = 0; w < in.windows; w++) {
        const lln_window_t *x = lln_dataset_window(ds, w);
        if (seq_split[x->sequence] < 0)
            seq_split[x->sequence] = (int)x->split;
        consistent &= seq_split[x->sequence] == (int)x->split;
    }
    CHECK_MSG(consistent, "a sequence's windows went to two splits");
    /* leave one sequence out */
    CHECK(lln_dataset_assign_sequence(ds, "3", LLN_TEST, &e) == LLN_OK);
    size_t idx[120];
    size_t nt = lln_dataset_split_windows(ds, LLN_TEST, idx);
    int found = 0;
    for (size_t i = 0; i < nt; i++)
        found += lln_dataset_window(ds, idx[i])->sequence == 3;
    CHECK_EQ_INT(found, 6);
    CHECK(lln_dataset_assign_sequence(ds, "nope", LLN_TEST, &e) == LLN_E_NOTFOUND);
    CHECK(strstr(e.msg, "no sequence 'nope'") != NULL);
    lln_dataset_free(ds);
}

/* ---- normalization ------------------------------------------------------------------------- */

static void test_norm(void)
{
    lln_csv_spec_t s = spec();
    const char *f[] = {"a", "k"}, *y[] = {"y"};
    s.features = f;
    s.nfeatures = 2;
    s.targets = y;
    s.ntargets = 1;
    lln_error_t e;
    /* a = 1..6, k constant, y = 10 a */
    lln_dataset_t *ds = rd("a,k,y\n1,5,10\n2,5,20\n3,5,30\n4,5,40\n5,5,50\n6,5,60\n", &s, &e);
    if (ds == NULL)
        return;
    double m[2], sd[2], om[1], os[1];
    lln_window_t w[] = {{0, 0, 3, LLN_TRAIN}, {0, 1, 3, LLN_TRAIN}, {0, 3, 3, LLN_TEST}};
    CHECK(lln_dataset_set_windows(ds, w, 3, &e) == LLN_OK);
    /* unique rows of the training windows: a = 1..4 */
    CHECK(lln_dataset_fit_norm(ds, 1u << LLN_TRAIN, LLN_NORM_UNIQUE_ROWS, 1e-3, m, sd, om, os,
                               &e) == LLN_OK);
    CHECK_NEAR(m[0], 2.5, 1e-15);
    CHECK_NEAR(sd[0], sqrt(1.25), 1e-15);
    CHECK(m[1] == 5 && sd[1] == 1e-3); /* constant: the floor */
    CHECK_NEAR(om[0], 25, 1e-13);
    CHECK_NEAR(os[0], 10 * sqrt(1.25), 1e-13);
    /* every step of the training windows: 1 2 3 2 3 4 */
    CHECK(lln_dataset_fit_norm(ds, 1u << LLN_TRAIN, LLN_NORM_WINDOW_STEPS, 1e-3, m, sd, NULL, NULL,
                               &e) == LLN_OK);
    CHECK_NEAR(m[0], 2.5, 1e-15);
    CHECK_NEAR(sd[0], sqrt(5.5 / 6), 1e-15);
    /* whole sequences of the training windows: all six rows */
    CHECK(lln_dataset_fit_norm(ds, 1u << LLN_TRAIN, LLN_NORM_SEQUENCE_ROWS, 1e-3, m, sd, NULL, NULL,
                               &e) == LLN_OK);
    CHECK_NEAR(m[0], 3.5, 1e-15);
    /* all splits */
    CHECK(lln_dataset_fit_norm(ds, 7, LLN_NORM_UNIQUE_ROWS, 1e-3, m, sd, NULL, NULL, &e) == LLN_OK);
    CHECK_NEAR(m[0], 3.5, 1e-15);
    CHECK_NEAR(sd[0], sqrt(35.0 / 12), 1e-15);
    CHECK(lln_dataset_fit_norm(ds, 1u << LLN_VALID, LLN_NORM_UNIQUE_ROWS, 1e-3, m, sd, NULL, NULL,
                               &e) == LLN_E_RANGE);
    CHECK(lln_dataset_fit_norm(ds, 1, LLN_NORM_UNIQUE_ROWS, 0, m, sd, NULL, NULL, &e) == LLN_E_ARG);
    CHECK(lln_dataset_fit_norm(ds, 1, LLN_NORM_UNIQUE_ROWS, 1, m, sd, om, NULL, &e) == LLN_E_ARG);
    lln_dataset_free(ds);

    /* class labels: the output normalization is the identity */
    s.labels = LLN_LABELS_INT;
    ds = rd("a,k,y\n1,2,0\n3,4,1\n", &s, &e);
    if (ds != NULL) {
        CHECK(lln_dataset_make_windows(ds, 2, 1, LLN_TAIL_DROP, &e) == LLN_OK);
        om[0] = 7;
        os[0] = 7;
        CHECK(lln_dataset_fit_norm(ds, 1, LLN_NORM_UNIQUE_ROWS, 1e-6, m, sd, om, os, &e) == LLN_OK);
        CHECK(om[0] == 0 && os[0] == 1 && m[0] == 2 && sd[0] == 1);
        lln_dataset_free(ds);
    }
}

/* The model applies the normalization as x' = (x - mean) / std and y = y' std + mean: a model
 * with the normalization on raw data equals the same model without it on data normalized by
 * hand (float64, to rounding). */
static void test_norm_in_model(void)
{
    lln_config_t cfg;
    lln_config_default(&cfg, LLN_CELL_CFC);
    cfg.input_size = 3;
    cfg.units = 4;
    cfg.backbone_units = 8;
    lln_model_t *m = NULL, *plain = NULL;
    lln_error_t e;
    CHECK(lln_model_create(&cfg, 5, &m, &e) == LLN_OK);
    CHECK(lln_model_create(&cfg, 5, &plain, &e) == LLN_OK);
    if (m == NULL || plain == NULL)
        return;
    int O = lln_model_output_size(m);
    double im[3] = {1.5, -2, 100}, is[3] = {0.5, 3, 20}, om[4] = {10, 20, 30, 40},
           os[4] = {2, 3, 4, 5};
    CHECK(lln_model_set_norm(m, im, is, om, os, &e) == LLN_OK);
    double bad[4] = {1, 0, 1, 1};
    CHECK(lln_model_set_norm(m, NULL, NULL, om, bad, &e) == LLN_E_RANGE);
    CHECK(strstr(e.msg, "output std[1] = 0 must be finite and > 0") != NULL);
    CHECK(lln_model_set_norm(m, im, NULL, NULL, NULL, &e) == LLN_E_ARG);
    const lln_tensor_info_t *t = lln_model_find(m, "norm.input_std");
    CHECK(t != NULL && lln_model_params_const(m)[t->offset + 2] == 20);
    lln_state_t *a = NULL, *b = NULL;
    CHECK(lln_state_create(m, LLN_F64, 1, &a) == LLN_OK);
    CHECK(lln_state_create(plain, LLN_F64, 1, &b) == LLN_OK);
    double maxd = 0;
    for (int step = 0; step < 5 && a && b; step++) {
        double x[3] = {1 + step, -5 + 2.0 * step, 80 + 7.0 * step}, xn[3], ya[4], yb[4];
        for (int i = 0; i < 3; i++)
            xn[i] = (x[i] - im[i]) / is[i];
        CHECK(lln_step_f64(m, a, x, 0.1, ya) == LLN_OK);
        CHECK(lln_step_f64(plain, b, xn, 0.1, yb) == LLN_OK);
        for (int o = 0; o < O; o++) {
            double d = fabs(ya[o] - (yb[o] * os[o] + om[o]));
            maxd = d > maxd ? d : maxd;
        }
    }
    CHECK_MSG(maxd < 1e-12, "normalization in the model differs by %g", maxd);
    lln_state_free(a);
    lln_state_free(b);
    lln_model_free(m);
    lln_model_free(plain);
}

/* ---- batches ------------------------------------------------------------------------------- */

static void test_batches(void)
{
    size_t v[50], u[50];
    for (size_t i = 0; i < 50; i++)
        v[i] = u[i] = i;
    lln_data_shuffle(v, 50, 42, 3);
    lln_data_shuffle(u, 50, 42, 3);
    CHECK(memcmp(u, v, sizeof v) == 0);
    int seen[50] = {0}, moved = 0;
    for (size_t i = 0; i < 50; i++) {
        seen[v[i]]++;
        moved += v[i] != i;
    }
    int perm = 1;
    for (int i = 0; i < 50; i++)
        perm &= seen[i] == 1;
    CHECK_MSG(perm && moved > 40, "not a shuffled permutation (%d moved)", moved);
    for (size_t i = 0; i < 50; i++)
        u[i] = i;
    lln_data_shuffle(u, 50, 42, 4);
    CHECK(memcmp(u, v, sizeof v) != 0); /* another epoch, another order */
    /* pinned: the order is the same on every machine */
    size_t p[5] = {0, 1, 2, 3, 4};
    lln_data_shuffle(p, 5, 1, 0);
    CHECK_MSG(p[0] == 0 && p[1] == 4 && p[2] == 2 && p[3] == 3 && p[4] == 1,
              "shuffle(5, seed 1, epoch 0): %zu %zu %zu %zu %zu", p[0], p[1], p[2], p[3], p[4]);
    lln_data_shuffle(NULL, 5, 1, 0);

    lln_dataset_t *ds = seqs(NULL);
    if (ds == NULL)
        return;
    lln_error_t e;
    CHECK(lln_dataset_make_windows(ds, 4, 4, LLN_TAIL_PAD, &e) == LLN_OK);
    size_t pick[2] = {2, 3}; /* p [8,10) padded, q [0,4) */
    float x[8], dt[8], y[8], mask[8];
    CHECK(lln_dataset_gather(ds, pick, 2, LLN_F32, x, dt, y, mask, &e) == LLN_OK);
    CHECK(x[0] == 8 && x[1] == 9 && x[2] == 9 && x[3] == 9 && x[4] == 10 && x[7] == 13);
    CHECK(y[0] == 108 && y[1] == 109 && y[2] == 0 && y[3] == 0 && y[4] == 110 && y[7] == 113);
    CHECK(mask[1] == 1 && mask[2] == 0 && mask[3] == 0 && mask[4] == 1 && mask[7] == 1);
    CHECK(dt[0] == 1 && dt[3] == 1);
    double xd[8], md[8];
    CHECK(lln_dataset_gather(ds, pick, 2, LLN_F64, xd, NULL, NULL, md, &e) == LLN_OK);
    CHECK(xd[7] == 13 && md[2] == 0 && md[4] == 1);
    size_t out[1] = {4};
    CHECK(lln_dataset_gather(ds, out, 1, LLN_F32, x, NULL, NULL, NULL, &e) == LLN_E_RANGE);
    CHECK_MSG(strstr(e.msg, "gather: window 4 of 4") != NULL, "%s", e.msg);
    CHECK(lln_dataset_gather(ds, pick, 2, LLN_F32, NULL, NULL, NULL, NULL, &e) == LLN_E_ARG);
    CHECK(lln_dataset_gather(ds, pick, 2, (lln_dtype_t)7, x, NULL, NULL, NULL, &e) == LLN_E_ARG);
    lln_dataset_free(ds);
}

/* target_shift: row r's target is the target column K rows later in its sequence; the last K
 * rows of each sequence go, a sequence of K rows or fewer goes whole; a target column may then
 * also be a feature. */
static void test_target_shift(void)
{
    const char *seq_a[] = {"a"}, *feat[] = {"a", "b"};
    lln_csv_spec_t c = spec();
    c.sequence = "s";
    c.targets = seq_a;
    c.ntargets = 1;
    c.features = feat;
    c.nfeatures = 2;
    c.target_shift = 1;
    lln_error_t e;
    const char *text = "s,a,b\nx,1,10\nx,2,20\nx,3,30\ny,7,70\nz,4,40\nz,5,50\n";
    lln_dataset_t *ds = rd(text, &c, &e);
    CHECK_MSG(ds != NULL, "%s", e.msg);
    if (ds != NULL) {
        lln_dataset_info_t in;
        lln_dataset_info(ds, &in);
        CHECK_EQ_INT(in.rows, 3);      /* x: 2 of 3 rows, y: gone (1 row), z: 1 of 2 */
        CHECK_EQ_INT(in.sequences, 2); /* x and z */
        const double *x = lln_dataset_inputs(ds), *y = lln_dataset_targets(ds);
        static const double want_x[] = {1, 10, 2, 20, 4, 40}, want_y[] = {2, 3, 5};
        for (int i = 0; i < 6; i++)
            CHECK_MSG(x[i] == want_x[i], "x[%d] = %g, want %g", i, x[i], want_x[i]);
        for (int i = 0; i < 3; i++)
            CHECK_MSG(y[i] == want_y[i], "y[%d] = %g, want %g", i, y[i], want_y[i]);
        const char *name = NULL;
        size_t first = 0, count = 0;
        CHECK(lln_dataset_sequence(ds, 1, &name, &first, &count) == LLN_OK);
        CHECK(name != NULL && strcmp(name, "z") == 0 && first == 2 && count == 1);
    }
    lln_dataset_free(ds);
    c.target_shift = 3; /* no sequence has more than 3 rows */
    FAILS(text, &c, LLN_E_FORMAT, "target shift 3: no sequence has more than 3 rows");
    c.target_shift = -1;
    FAILS(text, &c, LLN_E_ARG, "target shift -1 is not in");
    c.target_shift = 0; /* unshifted, a column cannot be both */
    FAILS(text, &c, LLN_E_ARG, "selected as target and as feature");
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/lln_test_data.XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        SKIP("cannot create %s", tmpdir);
    test_basic();
    test_syntax();
    test_errors();
    test_gzip();
    test_dt();
    test_labels();
    test_windows();
    test_window_file();
    test_splits();
    test_norm();
    test_norm_in_model();
    test_batches();
    test_target_shift();
    rmdir(tmpdir);
    return check_done("test_data");
}
