/* lln_lf_baseline: how much of the line-follow expert's commands memory explains.
 *
 *   build/lln data make line-follow -o line.csv && build/lln_lf_baseline line.csv
 *
 * Fits cmd_l and cmd_r by least squares (normal equations, Cholesky) from the current row's
 * eight readings, then from the last k rows' readings and Δt, linear and with squares added,
 * and prints R² and RMSE on the rows it fitted (a capacity measure, not a held-out score).
 * The numbers of docs/DATA.md come from this tool. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lln/data.h"

/* Solves A b' = b for the symmetric positive A (n x n, lower triangle filled) in place. */
static void solve(double *a, double *b, int n)
{
    for (int j = 0; j < n; j++) {
        double s = a[j * n + j];
        for (int k = 0; k < j; k++)
            s -= a[j * n + k] * a[j * n + k];
        a[j * n + j] = sqrt(s > 1e-12 ? s : 1e-12);
        for (int i = j + 1; i < n; i++) {
            double t = a[i * n + j];
            for (int k = 0; k < j; k++)
                t -= a[i * n + k] * a[j * n + k];
            a[i * n + j] = t / a[j * n + j];
        }
    }
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < i; k++)
            b[i] -= a[i * n + k] * b[k];
        b[i] /= a[i * n + i];
    }
    for (int i = n - 1; i >= 0; i--) {
        for (int k = i + 1; k < n; k++)
            b[i] -= a[k * n + i] * b[k];
        b[i] /= a[i * n + i];
    }
}

/* The regressors of row r: readings and Δt of rows r-lags..r, squares, and 1. */
static int regressors(const lln_dataset_t *ds, size_t r, int lags, int squares, double *z)
{
    const double *x = lln_dataset_inputs(ds), *dt = lln_dataset_dt(ds);
    int k = 0;
    for (int l = 0; l <= lags; l++) {
        for (int i = 0; i < 8; i++)
            z[k++] = x[(r - (size_t)l) * 8 + (size_t)i];
        if (lags > 0)
            z[k++] = dt[r - (size_t)l] * 10;
    }
    for (int i = 0, n = k; squares && i < n; i++)
        z[k++] = z[i] * z[i];
    z[k++] = 1;
    return k;
}

static void fit(const lln_dataset_t *ds, int lags, int squares)
{
    lln_dataset_info_t in;
    lln_dataset_info(ds, &in);
    int n = (8 * (lags + 1) + (lags > 0 ? lags + 1 : 0)) * (squares ? 2 : 1) + 1;
    double *a = calloc((size_t)n * (size_t)n, sizeof *a), *z = calloc((size_t)n, sizeof *z);
    double *b[2] = {calloc((size_t)n, sizeof(double)), calloc((size_t)n, sizeof(double))};
    double *a2 = malloc((size_t)n * (size_t)n * sizeof *a2);
    const double *y = lln_dataset_targets(ds);
    if (!a || !z || !b[0] || !b[1] || !a2)
        exit(1);
    for (int pass = 0; pass < 2; pass++) {
        double se[2] = {0, 0}, sy[2] = {0, 0}, syy[2] = {0, 0};
        size_t count = 0;
        for (int q = 0; q < in.sequences; q++) {
            size_t first, rows;
            lln_dataset_sequence(ds, q, NULL, &first, &rows);
            for (size_t r = first + (size_t)lags; r < first + rows; r++, count++) {
                regressors(ds, r, lags, squares, z);
                for (int o = 0; o < 2; o++) {
                    double t = y[r * 2 + (size_t)o], p = 0;
                    for (int i = 0; pass == 0 && i < n; i++)
                        b[o][i] += z[i] * t;
                    for (int i = 0; pass == 1 && i < n; i++)
                        p += z[i] * b[o][i];
                    se[o] += (p - t) * (p - t);
                    sy[o] += t;
                    syy[o] += t * t;
                }
                for (int i = 0; pass == 0 && i < n; i++)
                    for (int j = 0; j <= i; j++)
                        a[i * n + j] += z[i] * z[j];
            }
        }
        if (pass == 0) {
            memcpy(a2, a, (size_t)(n * n) * sizeof *a2);
            solve(a, b[0], n);
            solve(a2, b[1], n);
            continue;
        }
        for (int o = 0; o < 2; o++) {
            double c = (double)count, var = syy[o] / c - (sy[o] / c) * (sy[o] / c);
            printf("%-5s rows %d..now %-9s R2 %.3f  RMSE %.4f  (std %.4f)\n", o ? "cmd_r" : "cmd_l",
                   -lags, squares ? "quadratic" : "linear", 1 - se[o] / c / var, sqrt(se[o] / c),
                   sqrt(var));
        }
    }
    free(a);
    free(a2);
    free(z);
    free(b[0]);
    free(b[1]);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: lln_lf_baseline LINE-FOLLOW.csv[.gz]\n");
        return 2;
    }
    lln_csv_spec_t s;
    lln_csv_spec_default(&s);
    const char *f[] = {"s0", "s1", "s2", "s3", "s4", "gyro", "enc_l", "enc_r"};
    const char *t[] = {"cmd_l", "cmd_r"};
    s.features = f;
    s.nfeatures = 8;
    s.targets = t;
    s.ntargets = 2;
    s.sequence = "episode";
    s.dt = "dt";
    lln_dataset_t *ds = NULL;
    lln_error_t err;
    if (lln_dataset_read(argv[1], &s, &ds, &err) != LLN_OK) {
        fprintf(stderr, "lln_lf_baseline: %s\n", err.msg);
        return 1;
    }
    static const int lags[] = {0, 1, 2, 5, 8};
    for (size_t k = 0; k < sizeof lags / sizeof lags[0]; k++)
        for (int sq = 0; sq < 2; sq++)
            fit(ds, lags[k], sq);
    lln_dataset_free(ds);
    return 0;
}
