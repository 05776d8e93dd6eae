/* Ctrl-C / SIGTERM during lln train: the flag makes the trainer finish its batch, write the
 * checkpoint and the best model, and exit 130 (see train_cli.h). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "train_cli.h"

static volatile sig_atomic_t g_interrupted; /* set by SIGINT / SIGTERM */
static struct sigaction g_old_int, g_old_term;

int train_interrupted(void) { return g_interrupted != 0; }

static void on_signal(int sig)
{
    (void)sig;
    g_interrupted = 1;
}

void train_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = (int)SA_RESETHAND; /* a second Ctrl-C ends the process at once */
    sigemptyset(&sa.sa_mask);
    g_interrupted = 0;
    sigaction(SIGINT, &sa, &g_old_int);
    sigaction(SIGTERM, &sa, &g_old_term);
}

void train_release_signals(const ui_t *u)
{
    sigaction(SIGINT, &g_old_int, NULL);
    sigaction(SIGTERM, &g_old_term, NULL);
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
    return g_interrupted ? EXIT_INTERRUPTED : 0;
}
