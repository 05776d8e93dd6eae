/** @file
 * liquid-edge: wirings (which neuron talks to which), built exactly as ncps builds them.
 *
 * Matrices are row-major with the SOURCE (pre-synaptic) index first:
 *   adjacency[src * units + dst], sensory[input * units + dst], entries in {-1, 0, +1}
 * (0 = no synapse, sign = polarity). Motor (output) neurons are ids 0..output_dim-1.
 * The same spec, input width and seed give the matrices ncps 1.0.1 gives.
 */
#ifndef LLN_WIRING_H
#define LLN_WIRING_H

#include "lln/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most layers a wiring (and so a wired CfC) may have. */
#define LLN_MAX_LAYERS 8

/** The wiring generators of ncps, and CUSTOM for a structure given by masks. */
typedef enum lln_wiring_kind {
    LLN_WIRING_CUSTOM = 0, /**< structure given by masks (e.g. imported); no generator */
    LLN_WIRING_FULL = 1,   /**< ncps FullyConnected(units, output_dim, seed, self_connections) */
    LLN_WIRING_RANDOM = 2, /**< ncps Random(units, output_dim, sparsity, seed) */
    LLN_WIRING_NCP = 3,    /**< ncps NCP(inter, command, motor, fanouts..., seed) */
    LLN_WIRING_AUTONCP = 4 /**< ncps AutoNCP(units, output_size, sparsity, seed) */
} lln_wiring_kind_t;

/** Constructor arguments of a wiring, named as in ncps. */
typedef struct lln_wiring_spec {
    lln_wiring_kind_t kind;  /**< which generator */
    int units;               /**< N (FULL, RANDOM, AUTONCP); NCP derives it */
    int output_dim;          /**< FULL/RANDOM: 0 means units; AUTONCP: output_size */
    int self_connections;    /**< FULL only (1 = ncps default) */
    double sparsity;         /**< RANDOM: [0,1); AUTONCP: [0.1,1.0] */
    int inter;               /**< NCP: inter neurons */
    int command;             /**< NCP: command neurons */
    int motor;               /**< NCP: motor (output) neurons */
    int sensory_fanout;      /**< NCP: inter neurons each sensory input connects to */
    int inter_fanout;        /**< NCP: command neurons each inter neuron connects to */
    int recurrent_command;   /**< NCP: recurrent synapses among the command neurons */
    int motor_fanin;         /**< NCP: command neurons each motor neuron receives from */
    unsigned long long seed; /**< FULL/RANDOM: erev_init_seed/random_seed; NCP: < 2^32 */
} lln_wiring_spec_t;

/** A built wiring. Owns its arrays; release with lln_wiring_free(). */
typedef struct lln_wiring {
    int units;              /**< N: neurons */
    int input_dim;          /**< sensory inputs */
    int output_dim;         /**< motor (output) neurons: ids 0..output_dim-1 */
    signed char *adjacency; /**< units*units */
    signed char *sensory;   /**< input_dim*units */
    int num_layers;         /**< 1 for FULL/RANDOM, 3 for NCP/AUTONCP (inter, command, motor) */
    int layer_size[LLN_MAX_LAYERS]; /**< neurons per layer (num_layers entries) */
    int *layer_ids; /**< neuron ids, layers concatenated in layer order, ascending within */
} lln_wiring_t;

/** Sizes of the wiring a spec describes, computed without generating it. */
typedef struct lln_wiring_shape {
    int units;                      /**< N: neurons */
    int output_dim;                 /**< motor (output) neurons */
    int num_layers;                 /**< as lln_wiring_t::num_layers */
    int layer_size[LLN_MAX_LAYERS]; /**< neurons per layer (num_layers entries) */
} lln_wiring_shape_t;

/** Validates spec (as lln_wiring_validate) and fills its sizes; allocates nothing. */
LLN_API lln_status_t lln_wiring_shape(const lln_wiring_spec_t *spec, int input_dim,
                                      lln_wiring_shape_t *out, lln_error_t *err);

/** Fills spec with ncps's defaults for kind (seeds 1111 / 22222, self connections on,
 *  AutoNCP sparsity 0.5). Sizes are left 0 for the caller. */
LLN_API void lln_wiring_spec_default(lln_wiring_spec_t *spec, lln_wiring_kind_t kind);

/** Checks a spec as ncps does (plus sanity bounds); says which argument is wrong. */
LLN_API lln_status_t lln_wiring_validate(const lln_wiring_spec_t *spec, int input_dim,
                                         lln_error_t *err);

/** Builds the wiring for input_dim sensory inputs. out is overwritten (not freed first). */
LLN_API lln_status_t lln_wiring_build(const lln_wiring_spec_t *spec, int input_dim,
                                      lln_wiring_t *out, lln_error_t *err);

/** Frees the arrays of w and zeroes it. NULL-safe. */
LLN_API void lln_wiring_free(lln_wiring_t *w);

/** Number of internal synapses: nonzero entries of the adjacency matrix (0 for NULL). */
LLN_API long lln_wiring_synapses(const lln_wiring_t *w);
/** Number of sensory synapses: nonzero entries of the sensory matrix (0 for NULL). */
LLN_API long lln_wiring_sensory_synapses(const lln_wiring_t *w);

/** "fc", "random", "ncp", "autoncp", "custom". */
LLN_API const char *lln_wiring_kind_name(lln_wiring_kind_t kind);
/** Inverse of lln_wiring_kind_name; LLN_E_ARG for an unknown name. */
LLN_API lln_status_t lln_wiring_kind_parse(const char *name, lln_wiring_kind_t *kind);

#ifdef __cplusplus
}
#endif
#endif
