/* Synapse maps shared by the pruning functions (sparse.c) and the optimizer's proximal step
 * (optim.c). Internal. */
#ifndef LLN_SPARSE_INTERNAL_H
#define LLN_SPARSE_INTERNAL_H

#include <stddef.h>

#include "lln/sparse.h"

#define LLN__NO_MASK ((size_t)-1)

/* One synapse: the mask entry that gates it (LLN__NO_MASK for dense CfC), the weights it
 * gates (offsets into the parameter vector), and the neurons it joins (-1: an input). */
typedef struct lln__syn {
    size_t mask;
    size_t w[2];
    int nw;
    int pre, post;
} lln__syn_t;

typedef struct lln__synmap {
    lln__syn_t *s;
    size_t n;
    int softplus;            /* LTC with softplus positivity: strength = softplus(w) */
    int masked;              /* 1 when the synapses have masks */
    int neurons;             /* neuron ids are 0 .. neurons - 1 */
    size_t *grp, *grp_start; /* CSR: synapses of neuron k = grp[grp_start[k] .. [k+1]) */
} lln__synmap_t;

lln_status_t lln__synmap_build(const lln_model_t *m, lln__synmap_t *map, lln_error_t *err);
void lln__synmap_free(lln__synmap_t *map);

/* Proximal steps of L1 (l1) and group lasso (gl) with step size lr on p; returns 1 when a
 * mask entry changed (LTC softplus synapses that reached zero). */
int lln__sparse_prox(const lln__synmap_t *map, double *p, double l1, double gl, double lr);

#endif
