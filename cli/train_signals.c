/* Ctrl-C / SIGTERM during lln train: the flag makes the trainer finish its batch, write the
 * checkpoint and the best model, and exit 130 (see train_cli.h). */
#include <stdio.h>

#include "cli.h"
#include "os.h"
#include "train_cli.h"

int train_interrupted(void) { return cli_interrupted(); }

/* A second Ctrl-C ends the process at once (os.h). */
void train_catch_signals(void) { cli_interrupt_catch(); }

void train_release_signals(const ui_t *u)
{
    cli_interrupt_release();
    if (!u->quiet && u->tty)
        fputc('\n', stderr);
}

int train_run_trainer(lln_trainer_t *t, ui_t *u)
{
    lln_error_t err = {LLN_OK, ""};
    train_catch_signals();
    lln_status_t st = lln_trainer_run(t, &err);
    train_release_signals(u);
    if (st != LLN_OK) {
        cli_error("train", "%s", err.msg);
        return EXIT_FAIL;
    }
    return cli_interrupted() ? EXIT_INTERRUPTED : 0;
}
