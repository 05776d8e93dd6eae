/* Reader for PyTorch checkpoints written by torch.save() in the zip format (torch >= 1.6;
): a zip archive holding "<folder>/data.pkl" (a pickled dict of tensors)
 * and one raw storage per tensor under "<folder>/data/<key>". No PyTorch or Python needed.
 *
 * The file is treated as untrusted: every size is checked against the bytes actually
 * present before anything is read or allocated, the pickle interpreter understands only
 * the opcodes and globals torch uses for tensors, and its stack, memo and object count
 * are bounded. Internal to liquid-edge (not installed). */
#ifndef LLN_PTFILE_H
#define LLN_PTFILE_H

#include <stddef.h>

#include "casefile.h"
#include "lln/status.h"

/* Reads a torch.save()d dict / OrderedDict of tensors (a state_dict, or a plain dict like
 * golden io.pt). Fills out->tensors in file order: name = dict key, dims, count, and the
 * values converted to double (float32/float64/float16/bfloat16/int64/int32/int16/int8/
 * uint8/bool storages; strides and storage offsets honoured). out->config stays empty.
 * On error *out is left empty and err holds "path: what is wrong (entry, offset)".
 * Free with lln__case_free(). */
lln_status_t lln__pt_load(const char *path, lln_case_t *out, lln_error_t *err);

/* Skips the CRC-32 checks. Only for fuzzing, so that mutated pickle bytes reach the
 * interpreter instead of being stopped by the checksum. */
#define LLN_PT_NO_CRC 1u

/* Same as lln__pt_load() on a checkpoint already in memory (buf is only read, and not
 * kept after the call). name is used in messages in place of the path. */
lln_status_t lln__pt_load_mem(const void *buf, size_t len, const char *name, unsigned flags,
                              lln_case_t *out, lln_error_t *err);

#endif
