/* liquid-edge fixed-point runtime: which parts of lln_rtq.c are compiled. 1 = compiled in,
 * 0 = left out (a model that needs a part left out gets LLN_RTQ_E_PART from lln_rtq_step).
 *
 * This copy, the one in the runtime's source folder, compiles everything (the host library
 * runs every model kind). `lln export` writes one for the exported model instead, with only
 * what that model needs, so the firmware links no code it cannot reach. Firmware that runs
 * several models needs the union of their files (a part is needed if any file sets it). */
#ifndef LLN_RTQ_CONFIG_H
#define LLN_RTQ_CONFIG_H

#define LLN_RTQ_WITH_LTC 1 /**< LTC cells */
#define LLN_RTQ_WITH_CFC 1 /**< CfC and wired CfC cells */
#define LLN_RTQ_WITH_CFC_GENERIC \
    1                            /**< the generic CfC cells (0: only a model's specialised step) */
#define LLN_RTQ_WITH_PURE 1      /**< CfC's pure mode (with LLN_RTQ_WITH_CFC) */
#define LLN_RTQ_WITH_BACKBONE 1  /**< CfC backbone and MLP hidden-layer activations */
#define LLN_RTQ_WITH_BASELINES 1 /**< the GRU, LSTM and MLP baselines */
#define LLN_RTQ_WITH_PROJ 1      /**< an output projection */

/* An exported LTC model's file also sets LLN_RTQ_LTC_SH_S and LLN_RTQ_LTC_SH_R, the shifts of
 * its sensory and internal synapses' sigmoid arguments, so the runtime's loops hold them as
 * constants (a model with other shifts then gets LLN_RTQ_E_PART). Unset here: read from the
 * model. */

#endif
