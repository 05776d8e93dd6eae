/* What `lln train` records in a model's metadata about its data and task, so that `lln eval`
 * needs only the data file. Keys (all optional; docs/CLI.md):
 *   data.features, data.targets   comma-separated column names ('%' and ',' in a name are
 *                                 written %25 and %2C)
 *   data.sequence, data.dt, data.time, data.time_scale
 *   data.labels                   int | string (classification)
 *   data.classes                  the class names in output order, comma-separated (escaped
 *                                 the same way)
 *   data.window, data.stride      the training windows
 *   data.split, data.valid, data.test, data.split_seed   the split (not with a split column
 *                                 or a window list, which the data carry themselves)
 *   task.loss                     mse | cross_entropy
 *   task.loss_steps               every | last */
#ifndef LLN_CLI_TASK_META_H
#define LLN_CLI_TASK_META_H

#include "data_flags.h"
#include "lln/train.h"

/* Stores the keys above in m. 0 or the exit status after a message. */
int cli_task_meta_store(const char *cmd, lln_model_t *m, const cli_data_args_t *a,
                        const lln_dataset_t *ds, lln_loss_kind_t loss, lln_loss_steps_t steps);

/* Splits a list stored by cli_task_meta_store (key names it in messages) into l, undoing the
 * escapes. 0 after a message. */
int cli_task_meta_list(const char *cmd, const char *key, cli_list_t *l, const char *text);

/* map[k] = the model's output for the data's class k, matched by the class names the model
 * recorded (data.classes); *map stays NULL (ids as they are) for a model without names. 0, or
 * the exit status after a message naming the class the model does not know. */
int cli_task_class_map(const char *cmd, const lln_model_t *m, const lln_dataset_t *ds, int K,
                       int **map);

/* Fills the options of a that were not given from m's metadata. 0 or the exit status. */
int cli_task_meta_apply(const char *cmd, const lln_model_t *m, cli_data_args_t *a);

/* The model's loss and loss steps from its metadata; the defaults for the data when absent. */
void cli_task_meta_loss(const lln_model_t *m, const lln_dataset_t *ds, lln_loss_kind_t *loss,
                        lln_loss_steps_t *steps);

#endif
