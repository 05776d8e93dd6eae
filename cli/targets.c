/* The target lists of `lln export --help` and `lln verify --help`, from their one source each:
 * the export targets are the library's table (lln_export_targets()), the emulated targets
 * are the table of sim/targets.sh (embedded in the command), so no help text keeps a copy.
 * tests/cli_targets.sh checks that the two tables agree on every emulated target's flags. */
#include <stdio.h>
#include <string.h>

#include "lln/export.h"
#include "verify_run.h"

/* Appends "a, b, c" wrapped before column 90, continuation lines indented by indent spaces. */
static void put_list(char *buf, size_t cap, const char *const *names, int n, int indent)
{
    size_t len = strlen(buf), col = (size_t)indent;
    for (int i = 0; i < n && len < cap; i++) {
        size_t w = strlen(names[i]);
        int wrap = i > 0 && col + 2 + w > 90;
        if (i > 0)
            len += (size_t)snprintf(buf + len, cap - len, wrap ? ",\n%*s" : ", ", indent, "");
        col = wrap ? (size_t)indent : col + (i > 0 ? 2 : 0);
        if (len < cap)
            len += (size_t)snprintf(buf + len, cap - len, "%s", names[i]);
        col += w;
    }
}

void cli_export_targets_text(char *buf, size_t cap, int indent)
{
    const char *const *t = lln_export_targets();
    int n = 0;
    while (t[n] != NULL)
        n++;
    buf[0] = '\0';
    put_list(buf, cap, t, n, indent);
}

void cli_emulated_targets_text(char *buf, size_t cap, int indent)
{
    /* the rows of SIM_TABLE='...' in the embedded sim/targets.sh: the first word of each */
    static char table[2048];
    const char *names[32];
    int n = 0;
    buf[0] = '\0';
    for (const cli_sim_file_t *f = cli_sim_files; f->path != NULL; f++) {
        if (strcmp(f->path, "targets.sh") != 0)
            continue;
        size_t len = *f->len < sizeof table - 1 ? *f->len : sizeof table - 1;
        memcpy(table, f->data, len);
        table[len] = '\0';
        char *p = strstr(table, "SIM_TABLE='"), *end = p ? strchr(p + 11, '\'') : NULL;
        if (end == NULL)
            return;
        *end = '\0';
        for (char *line = strtok(p + 11, "\n"); line != NULL && n < 32; line = strtok(NULL, "\n")) {
            char *sp = strpbrk(line, " \t");
            if (sp != NULL)
                *sp = '\0';
            if (line[0] != '\0')
                names[n++] = line;
        }
    }
    put_list(buf, cap, names, n, indent);
}
