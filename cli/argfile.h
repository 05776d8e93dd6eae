/* Option tables joined from parts, and `--config FILE`: a file of `key = value` lines whose
 * keys are long option names, read as if given on the command line in front of the real
 * arguments (so the command line overrides the file). Format (docs/CLI.md):
 *   # comment            blank lines and lines starting with # are skipped
 *   epochs = 20          --epochs=20
 *   features = a,b,c     the value runs to the end of the line (blanks around it trimmed;
 *   name = "my model"    a value in double quotes keeps its inner blanks)
 *   mixed-memory         a flag without a value; also "mixed-memory = true" (false/no/0: off)
 */
#ifndef LLN_CLI_ARGFILE_H
#define LLN_CLI_ARGFILE_H

#include <getopt.h>
#include <stddef.h>

/* Copies the tables (each ending with a zero entry) into out, which holds cap entries
 * including the final zero entry. 0 when they do not fit. */
int cli_options_join(struct option *out, size_t cap, const struct option *const *tables,
                     size_t ntables);

/* The argument vector with every `--config FILE` replaced by the file's options, placed
 * before all command-line arguments. Keys listed in `skip` (NULL-terminated, may be NULL) are
 * ignored when they come from a file (e.g. training options in a file given to `lln eval`).
 * Returns a new vector (free with cli_args_free) or NULL after printing the problem as
 * "lln CMD: FILE:LINE: ..."; *code is then the exit status (1: unreadable file, 2: bad
 * content). */
char **cli_args_expand(const char *cmd, int argc, char **argv, const struct option *opts,
                       const char *const *skip, int *argc_out, int *code);

/* Frees what cli_args_expand returned. */
void cli_args_free(char **argv, int argc);

#endif
