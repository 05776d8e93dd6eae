/* lln train's progress display: a bar on a terminal, one line per epoch otherwise, prune
 * lines, history rows, and the best model saved whenever it improves (see train_cli.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "lln/format.h"
#include "lln/sparse.h"
#include "train_cli.h"

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void fmt_time(char *b, size_t n, double s)
{
    if (!(s >= 0) || s > 1e8)
        snprintf(b, n, "?");
    else if (s >= 3600)
        snprintf(b, n, "%d:%02d:%02d", (int)(s / 3600), (int)fmod(s / 60, 60), (int)fmod(s, 60));
    else
        snprintf(b, n, "%d:%02d", (int)(s / 60), (int)fmod(s, 60));
}

/* "valid acc 0.912" / "valid loss 0.0123" (or "" before the first validation). */
static void fmt_valid(char *b, size_t n, const lln_train_progress_t *p, int ce)
{
    b[0] = '\0';
    if (!p->has_valid || isnan(p->valid_loss))
        return;
    if (ce)
        snprintf(b, n, " | valid acc %.4f loss %.4g", p->valid_accuracy, p->valid_loss);
    else
        snprintf(b, n, " | valid loss %.4g", p->valid_loss);
}

static void draw_bar(ui_t *u, const lln_train_progress_t *p)
{
    double now = mono_s();
    if (p->event == LLN_TRAIN_BATCH && now - u->last_draw < 0.1 && p->batch < p->batches)
        return;
    u->last_draw = now;
    char bar[21], valid[96], eta[32];
    int done = p->event == LLN_TRAIN_EPOCH ? p->batches : p->batch; /* of this epoch */
    int fill = p->batches > 0 ? 20 * done / p->batches : 0;
    for (int i = 0; i < 20; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[20] = '\0';
    /* batches left; the rate of this run so far (an upper bound with early stopping) */
    long left = (long)(p->epochs - p->epoch) * p->batches + (p->batches - done);
    fmt_valid(valid, sizeof valid, p, u->ce);
    fmt_time(eta, sizeof eta, u->drew > 0 ? (double)left * p->seconds / u->drew : -1.0);
    fprintf(stderr, "\r\033[Kepoch %d/%d [%s] loss %.4g%s | %.0f seq/s | ETA %s", p->epoch,
            p->epochs, bar, p->loss, valid, p->samples_per_s, eta);
    (void)fflush(stderr);
}

static void epoch_line(const ui_t *u, const lln_train_progress_t *p)
{
    char valid[96], t[32];
    fmt_valid(valid, sizeof valid, p, u->ce);
    fmt_time(t, sizeof t, p->seconds);
    printf("epoch %d/%d: loss %.5g%s | best epoch %d%s | %.0f seq/s | %s\n", p->epoch, p->epochs,
           p->loss, valid, p->best_epoch, p->improved ? " (new)" : "", p->samples_per_s, t);
    (void)fflush(stdout);
}

static void save_best(ui_t *u)
{
    lln_error_t err = {LLN_OK, ""};
    if (u->trainer == NULL || u->no_write) /* the energy loop: its rounds' trainers are not ours */
        return;
    if (lln_trainer_best(u->trainer, u->scratch, &err) != LLN_OK ||
        lln_model_save(u->scratch, u->out, &err) != LLN_OK) {
        if (!u->save_failed)
            cli_error("train", "saving the best model: %s", err.msg);
        u->save_failed = 1;
    }
}

/* The counts after a prune step (lln_model_stats: what a device runs). */
static void prune_line(const ui_t *u, const lln_train_progress_t *p)
{
    lln_model_stats_t st;
    lln_model_stats(u->m, &st);
    if (u->tty)
        fputs("\r\033[K", stderr);
    printf("prune      epoch %d: %ld synapses removed; %ld left, %ld parameters, %ld MACs and "
           "%ld transcendentals per step\n",
           p->epoch, p->pruned, lln_sparse_synapses(u->m), st.params, st.macs, st.transcendentals);
    (void)fflush(stdout);
}

static void epoch_record(ui_t *u, const lln_train_progress_t *p)
{
    if (p->pruned_now && !u->quiet)
        prune_line(u, p);
    if (u->hist != NULL && !u->hist_failed &&
        !history_add(u->hist, p->loss, p->has_valid, p->valid_loss,
                     u->ce ? p->valid_accuracy : p->valid_mse, p->lr))
        u->hist_failed = 1;
}

int train_on_progress(const lln_train_progress_t *p, void *ctx)
{
    ui_t *u = ctx;
    if (p->event == LLN_TRAIN_BATCH)
        u->drew++;
    if (p->event == LLN_TRAIN_EPOCH)
        epoch_record(u, p);
    if (p->event == LLN_TRAIN_EPOCH && p->improved)
        save_best(u);
    if (!u->quiet && u->tty)
        draw_bar(u, p);
    else if (!u->quiet && p->event == LLN_TRAIN_EPOCH)
        epoch_line(u, p);
    return train_interrupted();
}
