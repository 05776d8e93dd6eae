/* Allocation-failure injection (common/alloc.h): for each operation below, count the
 * allocations of one clean run, then run it again once per allocation with exactly that
 * allocation failing. Every run must end in LLN_OK (a failure the operation could live
 * with) or LLN_E_NOMEM — never another status, a crash, or (under ASan in CI, or valgrind)
 * a leak — and a failed save or export must leave no partial or temporary file behind.
 * Operations: model load, dataset read (from memory, and from a two-member .csv.gz file: zlib
 * allocates through the library's allocator), trainer creation, quantization, export, import
 * (of an ncps checkpoint; skipped loudly without the shared golden files), reading a .pt whose
 * entries are deflated (zip + zlib), model save. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "common/alloc.h"
#include "lln/lln.h"

/* ---- fixtures (made with the hook off) ------------------------------------------------- */

static lln_model_t *small_model(void)
{
    lln_config_t c;
    lln_config_default(&c, LLN_CELL_LTC);
    c.input_size = 1;
    lln_wiring_spec_default(&c.wiring, LLN_WIRING_AUTONCP);
    c.wiring.units = 6, c.wiring.output_dim = 1;
    lln_model_t *m = NULL;
    lln_error_t err;
    if (lln_model_create(&c, 5, &m, &err) != LLN_OK) {
        fprintf(stderr, "model: %s\n", err.msg);
        return NULL;
    }
    return m;
}

/* Three sequences of 30 rows: x, y = a smoothed x, dt. */
static char *make_csv(size_t *len)
{
    lln_text_t t = {NULL, 0, 0, 0};
    lln_text_put(&t, "seq,x,y,dt\n");
    for (int s = 0; s < 3; s++)
        for (int i = 0; i < 30; i++)
            lln_text_put(&t, "s%d,%.4f,%.4f,%g\n", s, sin(0.3 * i + s), cos(0.3 * i + s),
                         i % 3 ? 1.0 : 0.5);
    *len = t.len;
    return t.s;
}

static const char *const feats[] = {"x"}, *const targs[] = {"y"};

static void csv_spec(lln_csv_spec_t *spec)
{
    lln_csv_spec_default(spec);
    spec->features = feats, spec->nfeatures = 1;
    spec->targets = targs, spec->ntargets = 1;
    spec->sequence = "seq", spec->dt = "dt";
}

static struct {
    lln_model_t *model;     /* a float model */
    lln_model_t *quantized; /* the same, calibrated */
    unsigned char *file;    /* model saved in memory */
    size_t file_len;
    char *csv;
    size_t csv_len;
    lln_dataset_t *ds; /* windows and splits made */
    double x[2 * 10], dt[2 * 10];
    char dir[64]; /* scratch folder */
    char gz[80];  /* the CSV as two gzip members, beside dir */
    char pt[1024];
    char pt_deflate[1024]; /* a .pt with deflated entries (fuzz corpus) */
} F;

/* Writes text[0..len) to path as two gzip members (the split in the middle of a line). */
static int write_gz2(const char *path, const char *text, size_t len)
{
    size_t half = len / 2;
    int ok = 1;
    for (int m = 0; m < 2; m++) {
        gzFile g = gzopen(path, m == 0 ? "wb" : "ab");
        size_t from = m == 0 ? 0 : half, n = m == 0 ? half : len - half;
        ok = ok && g != NULL && gzwrite(g, text + from, (unsigned)n) == (int)n;
        if (g != NULL)
            ok = gzclose(g) == Z_OK && ok;
    }
    return ok;
}

static int setup(void)
{
    lln_error_t err;
    F.model = small_model();
    F.quantized = small_model();
    F.csv = make_csv(&F.csv_len);
    lln_csv_spec_t spec;
    csv_spec(&spec);
    for (int i = 0; i < 20; i++)
        F.x[i] = sin(0.7 * i), F.dt[i] = 1.0;
    int ok = F.model && F.quantized && F.csv &&
             lln_model_save_mem(F.model, &F.file, &F.file_len, &err) == LLN_OK &&
             lln_dataset_read_mem("mem.csv", F.csv, F.csv_len, &spec, &F.ds, &err) == LLN_OK &&
             lln_dataset_make_windows(F.ds, 10, 5, LLN_TAIL_DROP, &err) == LLN_OK &&
             lln_dataset_split(F.ds, LLN_SPLIT_SEQUENCE, 0.34, 0.0, 1, &err) == LLN_OK &&
             lln_quant_calibrate(F.quantized, 2, 10, F.x, F.dt, &err) == LLN_OK;
    if (!ok)
        fprintf(stderr, "setup: %s\n", err.msg);
    snprintf(F.dir, sizeof F.dir, "/tmp/lln-alloc-XXXXXX");
    ok = ok && mkdtemp(F.dir) != NULL;
    snprintf(F.gz, sizeof F.gz, "%s.csv.gz", F.dir);
    ok = ok && write_gz2(F.gz, F.csv, F.csv_len);
    snprintf(F.pt, sizeof F.pt, "%s/golden/ltc_ncp/model_state_dict.pt", LLN_SHARED_DIR);
    snprintf(F.pt_deflate, sizeof F.pt_deflate,
             "%s/tests/corpus/ptfile/proto4_deflate_zip64_big.pt", LLN_SOURCE_DIR);
    return ok;
}

/* ---- files left behind ------------------------------------------------------------------ */

/* Removes every file of dir (one level: the export writes no subfolders there); returns how
 * many names contained ".tmp" (a temporary file a failure left behind). */
static int clean_dir(const char *dir, int *files)
{
    DIR *d = opendir(dir);
    int tmp = 0;
    *files = 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            int sub;
            tmp += clean_dir(p, &sub);
            *files += sub;
            rmdir(p);
            continue;
        }
        tmp += strstr(e->d_name, ".tmp") != NULL;
        (*files)++;
        unlink(p);
    }
    if (d)
        closedir(d);
    return tmp;
}

/* ---- the operations: each returns its status and frees what it made ------------------- */

static lln_status_t op_load(void)
{
    lln_model_t *m = NULL;
    lln_status_t st = lln_model_load_mem(F.file, F.file_len, "mem.lln", &m, NULL);
    lln_model_free(m);
    return st;
}

static lln_status_t op_read(void)
{
    lln_csv_spec_t spec;
    csv_spec(&spec);
    lln_dataset_t *ds = NULL;
    lln_status_t st = lln_dataset_read_mem("mem.csv", F.csv, F.csv_len, &spec, &ds, NULL);
    if (st == LLN_OK)
        st = lln_dataset_make_windows(ds, 10, 5, LLN_TAIL_DROP, NULL);
    if (st == LLN_OK)
        st = lln_dataset_split(ds, LLN_SPLIT_SEQUENCE, 0.34, 0.0, 1, NULL);
    lln_dataset_free(ds);
    return st;
}

/* The same rows from the .csv.gz file: inflate's state and window, and a member restart. */
static lln_status_t op_read_gz(void)
{
    lln_csv_spec_t spec;
    csv_spec(&spec);
    lln_dataset_t *ds = NULL;
    lln_status_t st = lln_dataset_read(F.gz, &spec, &ds, NULL);
    /* a clean read must give every row of both members */
    if (st == LLN_OK) {
        lln_dataset_info_t info;
        lln_dataset_info(ds, &info);
        CHECK_MSG(info.rows == 90, "dataset read .gz: %zu rows, not the 90 of both members",
                  info.rows);
    }
    lln_dataset_free(ds);
    return st;
}

/* A .pt whose entries are deflated: the zip reader's inflate. */
static lln_status_t op_read_pt(void)
{
    lln_tensors_t *t = NULL;
    lln_status_t st = lln_tensors_load_pt(F.pt_deflate, &t, NULL);
    lln_tensors_free(t);
    return st;
}

static lln_status_t op_trainer(void)
{
    lln_train_config_t c;
    lln_train_config_default(&c);
    c.epochs = 1, c.batch_size = 2, c.threads = 2;
    lln_trainer_t *t = NULL;
    lln_status_t st = lln_trainer_create(F.model, F.ds, &c, &t, NULL);
    lln_trainer_free(t);
    return st;
}

static lln_status_t op_quantize(void)
{
    lln_model_t *m = NULL;
    lln_quant_t *q = NULL;
    lln_status_t st = lln_model_load_mem(F.file, F.file_len, "mem.lln", &m, NULL);
    if (st == LLN_OK)
        st = lln_quant_calibrate(m, 2, 10, F.x, F.dt, NULL);
    if (st == LLN_OK)
        st = lln_quant_create(m, &q, NULL);
    lln_quant_free(q);
    lln_model_free(m);
    return st;
}

static int export_temp_files; /* temporary files found after a failed export or save */

static lln_status_t op_export(void)
{
    lln_export_opts_t o = {"cortex-m4f", "lln", 0, 0};
    lln_status_t st = lln_export(F.quantized, &o, F.dir, NULL, NULL);
    int files;
    export_temp_files += clean_dir(F.dir, &files);
    return st;
}

static lln_status_t op_save(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/model.lln", F.dir);
    lln_status_t st = lln_model_save(F.model, path, NULL);
    int files;
    int tmp = clean_dir(F.dir, &files);
    /* a failed save leaves nothing: no temporary file and no model file */
    export_temp_files += tmp + (st != LLN_OK && files > 0);
    return st;
}

static lln_status_t op_import(void)
{
    lln_model_t *m = NULL;
    lln_status_t st = lln_import_ncps(F.pt, NULL, &m, NULL);
    lln_model_free(m);
    return st;
}

/* ---- the loop ----------------------------------------------------------------------------- */

static void walk(const char *name, lln_status_t (*op)(void))
{
    long before = lln__alloc_count();
    lln_status_t st = op();
    long n = lln__alloc_count() - before;
    CHECK_MSG(st == LLN_OK, "%s: the clean run fails: %s", name, lln_strerror(st));
    CHECK_MSG(n > 0, "%s: no allocation went through the allocator", name);
    long nomem = 0, survived = 0;
    for (long k = 1; k <= n; k++) {
        lln__alloc_fail_at(k);
        st = op();
        int fired = lln__alloc_failed();
        lln__alloc_fail_at(0);
        CHECK_MSG(st == LLN_OK || st == LLN_E_NOMEM,
                  "%s: allocation %ld of %ld failing gives '%s', not 'out of memory'", name, k, n,
                  lln_strerror(st));
        CHECK_MSG(fired || st == LLN_OK, "%s: allocation %ld of %ld never happened", name, k, n);
        nomem += st == LLN_E_NOMEM;
        survived += st == LLN_OK;
    }
    printf("%-18s %5ld allocations: %ld failures -> LLN_E_NOMEM, %ld survived\n", name, n, nomem,
           survived);
}

int main(void)
{
    if (!setup()) {
        CHECK_MSG(0, "fixtures could not be made");
        return check_done("test_alloc");
    }
    walk("model load", op_load);
    walk("dataset read", op_read);
    walk("dataset read .gz", op_read_gz);
    walk("read .pt (deflate)", op_read_pt);
    walk("trainer creation", op_trainer);
    walk("quantization", op_quantize);
    walk("export", op_export);
    walk("model save", op_save);
    CHECK_MSG(export_temp_files == 0, "%d failed exports/saves left files behind",
              export_temp_files);
    if (access(F.pt, R_OK) == 0) /* Flawfinder: ignore (only decides whether to skip a test) */
        walk("import", op_import);
    else
        printf("SKIPPED: import (no %s: the shared golden files are missing)\n", F.pt);
    lln_model_free(F.model);
    lln_model_free(F.quantized);
    lln_dataset_free(F.ds);
    free(F.file);
    free(F.csv);
    rmdir(F.dir);
    unlink(F.gz);
    return check_done("test_alloc");
}
