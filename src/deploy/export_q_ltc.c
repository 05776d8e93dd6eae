/* `lln export` of the fixed-point path, the LTC's part of lln_rtq_config.h: the shifts that
 * bring each synapse list's sigmoid argument to Q3.12, as compile-time constants. The unfold
 * loop of runtime/lln_rtq.c then holds them (and the offset derived from them) as immediates,
 * which frees two registers in its hottest loop (no spills around it on Armv7-M). */
#include "export_q.h"

void lln__export_q_config_ltc(lln_text_t *t, const lln_qimage_t *q)
{
    const lln_rtq_model_t *r = &q->model;
    if (r->cell != LLN_RTQ_LTC)
        return;
    const lln_rtq_ltc_t *l = &r->ltc;
    lln_text_put(t,
                 "\n/* This LTC model's sigmoid-argument shifts (sensory, internal synapses), "
                 "constants in the\n * runtime's loops. A model with other shifts gets "
                 "LLN_RTQ_E_PART: firmware running several\n * LTC models with different "
                 "shifts deletes these two lines. */\n#define LLN_RTQ_LTC_SH_S %d\n"
                 "#define LLN_RTQ_LTC_SH_R %d\n",
                 l->xin_frac + l->sensory.sig_frac - 12, l->v_frac + l->internal.sig_frac - 12);
}
