/* The firmware runtime's tables for a model (runtime/lln_rt.h layout), built in memory from
 * the float64 master parameters. The exporter prints them as C; `lln verify` runs the
 * runtime on them on the host as the bit-exact reference. Internal. */
#ifndef LLN_RT_IMAGE_H
#define LLN_RT_IMAGE_H

#include <stddef.h>

#include "../../runtime/lln_rt.h"
#include "lln/model.h"

#define LLN_RT_MAX_ARRAYS 256

typedef struct lln_rt_array {
    char name[64];
    int is_u16;
    size_t n;
    void *data; /* float[n] or uint16_t[n] */
} lln_rt_array_t;

typedef struct lln_rt_image {
    lln_rt_model_t model;
    lln_rt_cfc_t cfc[LLN_MAX_LAYERS];
    lln_rt_dense_t backbone[LLN_MAX_BACKBONE];
    lln_rt_base_t base; /* the baselines' tables (model.base points here) */
    lln_rt_array_t arrays[LLN_RT_MAX_ARRAYS];
    int narrays;
    size_t weight_bytes; /* const data: every array */
} lln_rt_image_t;

/* Builds the image; free with lln__rt_image_free. */
lln_status_t lln__rt_image_build(const lln_model_t *m, lln_rt_image_t *img, lln_error_t *err);
void lln__rt_image_free(lln_rt_image_t *img);
/* Name of the array holding p (NULL if p is NULL or not an array of img). */
const char *lln__rt_image_name(const lln_rt_image_t *img, const void *p);

#endif
