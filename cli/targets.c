/* The target lists of `lln export --help` and `lln verify --help`, from their one source each:
 * the export targets are the library's table (lln_export_targets()), the emulated targets
 * are the table of sim/targets.sh (embedded in the command), so no help text keeps a copy.
 * tests/cli_targets.sh checks that the two tables agree on every emulated target's flags. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lln/export.h"
#include "verify_run.h"

/* Appends "a, b, c" wrapped before column 90, continuation lines indented by indent spaces. */
static void put_list(char *buf, size_t cap, const char *const *names, int n, int indent)
{
    size_t len = strlen(buf), col = (size_t)indent;
    for (int i = 0; i < n && len < cap; i++) {
        size_t w = strlen(names[i]);
        int wrap = i > 0 && col + 2 + w > 90;
        if (wrap)
            len += (size_t)snprintf(buf + len, cap - len, ",\n%*s", indent, "");
        else if (i > 0)
            len += (size_t)snprintf(buf + len, cap - len, ", ");
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

/* The names of the emulated targets (the first word of each row of SIM_TABLE='...' in the
 * embedded sim/targets.sh), pointing into a static copy of the table; the count. */
static int emulated_names(const char **names, int max)
{
    static char table[2048];
    int n = 0;
    for (const cli_sim_file_t *f = cli_sim_files; f->path != NULL; f++) {
        if (strcmp(f->path, "targets.sh") != 0)
            continue;
        size_t len = *f->len < sizeof table - 1 ? *f->len : sizeof table - 1;
        memcpy(table, f->data, len);
        table[len] = '\0';
        char *p = strstr(table, "SIM_TABLE='"), *end = p ? strchr(p + 11, '\'') : NULL;
        if (end == NULL)
            return 0;
        *end = '\0';
        for (char *line = strtok(p + 11, "\n"); line != NULL && n < max;
             line = strtok(NULL, "\n")) {
            char *sp = strpbrk(line, " \t");
            if (sp != NULL)
                *sp = '\0';
            if (line[0] != '\0')
                names[n++] = line;
        }
    }
    return n;
}

void cli_emulated_targets_text(char *buf, size_t cap, int indent)
{
    const char *names[32];
    int n = emulated_names(names, 32);
    buf[0] = '\0';
    put_list(buf, cap, names, n, indent);
}

int cli_check_target(const char *cmd, const char *target, int emulated)
{
    const char *names[32];
    int n = 0;
    if (emulated) {
        n = emulated_names(names, 32);
    } else {
        for (const char *const *t = lln_export_targets(); *t != NULL && n < 32; t++)
            names[n++] = *t;
    }
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], target) == 0)
            return 1;
    char known[1024] = "";
    put_list(known, sizeof known, names, n, 0);
    /* one line: the list is not wrapped in a message */
    for (char *c = known; *c != '\0'; c++)
        if (*c == '\n')
            *c = ' ';
    cli_error(cmd, "--target: unknown target '%s' (known: %s)", target, known);
    return 0;
}
