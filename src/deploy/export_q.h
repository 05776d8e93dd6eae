/* Code generation of the fixed-point export (export_q.c), used by export.c. Internal. */
#ifndef LLN_EXPORT_Q_H
#define LLN_EXPORT_Q_H

#include "lln/export.h"
#include "quant_internal.h"
#include "lln/util.h"

/* <p>_model.c: the tables and the lln_rtq_model_t. */
void lln__export_q_model_c(lln_text_t *t, const lln_qimage_t *q, const char *p,
                           const char *version);
/* <p>_model.h: head is the generated comment's opening lines (target, model); w8 the tables'
 * bytes with int8 dense weights (lln_quant_sizes), to which the int16 ones add
 * lln__export_q_w16_extra (LLN_RTQ_W16); a dense CfC step's builds have their own figure. */
void lln__export_q_model_h(lln_text_t *t, const lln_qimage_t *q, const char *p, const char *P,
                           const char *head, const lln_export_sizes_t *s, size_t w8);
/* Bytes that the generic dense layers' pre-widened int16 weights (LLN_RTQ_W16, lln_rtq.h) add
 * to the int8 tables; whether a target's firmware builds with them by default (cortex-m4,
 * cortex-m4f, cortex-m7, cortex-m33: DSP extension, no Helium). */
size_t lln__export_q_w16_extra(const lln_qimage_t *q);
int lln__export_q_w16_default(const char *target);
/* lln_rtq_config.h: the parts of the runtime the model needs (the rest is not compiled). */
void lln__export_q_config(lln_text_t *t, const lln_qimage_t *q);
/* export_q_spec.c: whether the model's CfC step can be specialised (CfC or wired CfC without
 * backbone, not pure mode); whether an image array is one the specialised tables replace; the
 * specialised tables and <p>_step (the whole step). */
int lln__export_q_spec_ok(const lln_qimage_t *q);
int lln__export_q_spec_skips(const lln_qimage_t *q, const void *data);
void lln__export_q_spec(lln_text_t *t, const lln_qimage_t *q, const char *p);
/* y[i] = the affine map a of x[x0 + i], i < n, with every constant a literal (lines of a
 * generated step). */
void lln__export_q_affine(lln_text_t *t, const char *y, const char *x, int x0,
                          const lln_rtq_affine_t *a, int n);
/* export_q_dspec.c: the same for a dense CfC with one tanh backbone layer on DSP cores
 * (LLN_RTQ_DSPEC, lln_rtq_spec.h): whether the model qualifies; whether an image array is one
 * only the generic step reads (left out of LLN_RTQ_DSPEC builds); the step's tables and
 * <p>_dstep; its tables' bytes (mve: Helium's layout). */
int lln__export_q_dspec_ok(const lln_qimage_t *q);
int lln__export_q_dspec_skips(const lln_qimage_t *q, const void *data);
void lln__export_q_dspec(lln_text_t *t, const lln_qimage_t *q, const char *p);
size_t lln__export_q_dspec_bytes(const lln_qimage_t *q, int mve);
/* Whether a target's firmware builds the dense CfC step by default (the DSP cores: cortex-m4,
 * cortex-m4f, cortex-m7, cortex-m33, cortex-m55). */
int lln__export_q_dspec_default(const char *target);
/* The tables of lln_rtq__ds_tanh and lln_rtq__ds_sig (lln_rtq_spec.h). */
void lln__dspec_tables(int32_t tb[256], int16_t td[256], int32_t sb[128], int16_t sd[128]);
/* Its LTC part (export_q_ltc.c): the synapse lists' shifts as constants. */
void lln__export_q_config_ltc(lln_text_t *t, const lln_qimage_t *q);
/* An example main.c for hosted builds. */
void lln__export_q_main(lln_text_t *t, const char *p, const char *P);

#endif
