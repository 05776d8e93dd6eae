/* The cell kinds, CfC modes and activations are written three times: lln/model.h (the
 * library) and the two firmware runtimes, runtime/lln_rt.h and runtime/lln_rtq.h, which must
 * compile on a microcontroller without the library's headers. Model tables carry them as
 * numbers, so the three must agree: checked here at compile time, one line per value. */
#include "../../runtime/lln_rt.h"
#include "../../runtime/lln_rtq.h"
#include "common/static_assert.h"
#include "lln/model.h"

#define SAME(lib, rt, rtq, name) \
    LLN__STATIC_ASSERT((int)(lib) == (int)(rt) && (int)(lib) == (int)(rtq), name)

SAME(LLN_CELL_LTC, LLN_RT_LTC, LLN_RTQ_LTC, cell_ltc);
SAME(LLN_CELL_CFC, LLN_RT_CFC, LLN_RTQ_CFC, cell_cfc);
SAME(LLN_CELL_WIRED_CFC, LLN_RT_WIRED_CFC, LLN_RTQ_WIRED_CFC, cell_wired_cfc);
SAME(LLN_CELL_GRU, LLN_RT_GRU, LLN_RTQ_GRU, cell_gru);
SAME(LLN_CELL_LSTM, LLN_RT_LSTM, LLN_RTQ_LSTM, cell_lstm);
SAME(LLN_CELL_MLP, LLN_RT_MLP, LLN_RTQ_MLP, cell_mlp);
SAME(LLN_CFC_DEFAULT, LLN_RT_MODE_DEFAULT, LLN_RTQ_MODE_DEFAULT, mode_default);
SAME(LLN_CFC_NO_GATE, LLN_RT_MODE_NO_GATE, LLN_RTQ_MODE_NO_GATE, mode_no_gate);
SAME(LLN_CFC_PURE, LLN_RT_MODE_PURE, LLN_RTQ_MODE_PURE, mode_pure);
SAME(LLN_ACT_LECUN_TANH, LLN_RT_ACT_LECUN_TANH, LLN_RTQ_ACT_LECUN_TANH, act_lecun_tanh);
SAME(LLN_ACT_TANH, LLN_RT_ACT_TANH, LLN_RTQ_ACT_TANH, act_tanh);
SAME(LLN_ACT_RELU, LLN_RT_ACT_RELU, LLN_RTQ_ACT_RELU, act_relu);
SAME(LLN_ACT_SILU, LLN_RT_ACT_SILU, LLN_RTQ_ACT_SILU, act_silu);
SAME(LLN_ACT_GELU, LLN_RT_ACT_GELU, LLN_RTQ_ACT_GELU, act_gelu);
