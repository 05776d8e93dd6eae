/* The training-history CSV of `lln train --history FILE` (contract: docs/CLI.md, the shared
 * result-file schema): '#' comment lines, then the header
 * "epoch,train_loss,valid_loss,valid_metric,lr,seconds" and one row per finished epoch.
 * The whole file is rewritten atomically (temporary file, fsync, rename) after every epoch,
 * so a crash leaves either the previous or the new version, never a torn row. */
#ifndef LLN_CLI_TRAIN_HISTORY_H
#define LLN_CLI_TRAIN_HISTORY_H

#include <stddef.h>

typedef struct train_history {
    const char *path;
    char *text; /* the file as it will be written */
    size_t len, cap;
    int last_epoch;      /* epoch of the last row (0: none) */
    double seconds_base; /* seconds of the last row kept from an earlier run */
    double t0;           /* monotonic clock at open */
} train_history_t;

/* Starts a history for path. With keep_upto >= 0 (a resume) the existing file's comment
 * lines and rows with epoch <= keep_upto are kept (a missing file starts a new one whose rows
 * continue at keep_upto + 1, with a warning); an existing file that is not a history is never
 * overwritten (an error);
 * otherwise the comments "# model=NAME" and "# metric=accuracy|mse" and the header start a
 * new file. Writes it at once (so a bad path fails before training). Returns 1, or 0 after
 * printing the problem. */
int history_open(train_history_t *h, const char *path, const char *model, int accuracy,
                 int keep_upto);
/* Appends the row of the next epoch (last_epoch + 1) and rewrites the file; valid_metric is
 * written only when has_valid. Returns 1, or 0 after printing the problem. */
int history_add(train_history_t *h, double train_loss, int has_valid, double valid_loss,
                double valid_metric, double lr);
void history_free(train_history_t *h);

#endif
