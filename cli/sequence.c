/* Test sequences for verify and quantize: generated (irregular Δt, saturating inputs) or read
 * from a CSV with a header line and an optional 'dt' column. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* A deterministic test sequence: smooth inputs, a saturating value every 7th step, and Δt
 * cycling irregularly through 0.013 .. 1.9 s. */
int cli_gen_sequence(seq_t *s, int steps, int inputs)
{
    s->steps = steps, s->inputs = inputs;
    s->x = calloc((size_t)steps * (size_t)inputs + 1, sizeof *s->x);
    s->dt = calloc((size_t)steps + 1, sizeof *s->dt);
    if (s->x == NULL || s->dt == NULL)
        return 0;
    static const float dts[] = {0.1f, 0.013f, 0.5f, 1.9f, 0.25f, 0.07f, 1.0f, 0.033f};
    for (int t = 0; t < steps; t++) {
        s->dt[t] = dts[t % 8];
        for (int i = 0; i < inputs; i++) {
            float v = (float)sin(0.3 * t + 1.7 * i) * 1.5f;
            if (t % 7 == 6)
                v = (i % 2 ? -40.0f : 40.0f); /* saturating inputs */
            s->x[(size_t)t * (size_t)inputs + (size_t)i] = v;
        }
    }
    return 1;
}

/* Reads a CSV (header; numeric rows; optional 'dt' column). Prints the problem on failure. */
int cli_read_sequence(const char *cmd, seq_t *s, const char *path, int inputs)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        cli_error(cmd, "%s: cannot open: %s", path, strerror(errno));
        return 0;
    }
    char line[65536];
    int dtcol = -1, ncols = 0, ok = 1, cap = 0;
    long ln = 1;
    if (fgets(line, sizeof line, f) == NULL) {
        cli_error(cmd, "%s: empty file", path);
        fclose(f);
        return 0;
    }
    for (char *tok = strtok(line, ",\r\n"); tok; tok = strtok(NULL, ",\r\n"), ncols++)
        if (strcmp(tok, "dt") == 0)
            dtcol = ncols;
    if (ncols - (dtcol >= 0) != inputs) {
        cli_error(cmd, "%s:1: %d feature columns, the model has %d inputs", path,
                  ncols - (dtcol >= 0), inputs);
        fclose(f);
        return 0;
    }
    s->steps = 0, s->inputs = inputs, s->x = NULL, s->dt = NULL;
    while (ok && fgets(line, sizeof line, f) != NULL) {
        ln++;
        if (strchr(line, '\n') == NULL && !feof(f)) {
            cli_error(cmd, "%s:%ld: line longer than %zu bytes", path, ln, sizeof line - 2);
            ok = 0;
            break;
        }
        if (line[strspn(line, " \r\n")] == '\0')
            continue;
        if (s->steps == cap) {
            cap = cap ? cap * 2 : 64;
            float *nx = realloc(s->x, (size_t)cap * (size_t)inputs * sizeof *nx);
            float *nd = nx ? realloc(s->dt, (size_t)cap * sizeof *nd) : NULL;
            if (nx)
                s->x = nx;
            if (nd)
                s->dt = nd;
            ok = nx && nd;
        }
        char *p = line;
        for (int c = 0, k = 0; ok && c < ncols; c++) {
            char *end;
            double v = strtod(p, &end);
            ok = end != p && (*end == ',' || c == ncols - 1 || *end == '\r' || *end == '\n');
            if (!ok) {
                cli_error(cmd, "%s:%ld: column %d is not a number", path, ln, c + 1);
            } else if (!isfinite(v) || fabs(v) > FLT_MAX) { /* the sequence is float32 */
                cli_error(cmd, "%s:%ld: column %d: %g is not a finite float32 value", path, ln,
                          c + 1, v);
                ok = 0;
            } else if (c == dtcol && !(v > 0)) {
                cli_error(cmd, "%s:%ld: column %d ('dt'): elapsed time %g must be > 0", path, ln,
                          c + 1, v);
                ok = 0;
            } else if (c == dtcol)
                s->dt[s->steps] = (float)v;
            else
                s->x[(size_t)s->steps * (size_t)inputs + (size_t)k++] = (float)v;
            p = end + 1;
        }
        if (ok && dtcol < 0)
            s->dt[s->steps] = 0.05f + 0.1f * (float)(s->steps % 5);
        s->steps += ok;
    }
    fclose(f);
    if (ok && s->steps == 0)
        cli_error(cmd, "%s: no data rows", path);
    return ok && s->steps > 0;
}
