/** @file
 * liquid-edge umbrella header: everything public. */
#ifndef LLN_LLN_H
#define LLN_LLN_H

#include "lln/status.h"
#include "lln/wiring.h"
#include "lln/model.h"
#include "lln/quant.h"
#include "lln/format.h"
#include "lln/import.h"
#include "lln/grad.h"
#include "lln/data.h"
#include "lln/train.h"
#include "lln/sparse.h"
#include "lln/profile.h"
#include "lln/export.h"
#include "lln/csv.h"
#include "lln/util.h"

#endif
