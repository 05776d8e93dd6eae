/* Firmware in the loop (robots/firmware.c): the exported firmware of a policy, built for an
 * emulated microcontroller, runs under QEMU in lockstep with the physics. A quantized model
 * gives the fixed-point firmware: each reading goes over the emulated UART as integers (Δt
 * and the inputs, in the model's fixed-point formats), the firmware answers with its integer
 * commands, and the host fixed-point runtime takes the same integers. Any other model gives
 * the float32 firmware (lln export --float): the readings and commands travel as float32
 * bits, and the reference is the host float32 firmware runtime (lln_fw_*, the one lln verify
 * uses). The firmware's commands drive the robot; each is compared bit for bit. */
#ifndef LLN_ROBOTS_FIRMWARE_H
#define LLN_ROBOTS_FIRMWARE_H

#include "policy.h"

typedef struct rb_firmware rb_firmware_t;

/* Exports the model m for target (fixed point if it is quantized, else float32), builds it
 * (cross compiler), and prepares the controller in *c. keep: a work folder to keep (NULL: a
 * temporary one). 0 + message. */
int rb_firmware_open(rb_firmware_t **fw, const lln_model_t *m, const rb_task_t *t,
                     const char *target, const char *keep, rb_controller_t *c, char *err,
                     size_t errlen);
/* Steps compared, and those whose commands differed from the host reference run. */
void rb_firmware_counts(const rb_firmware_t *fw, long *steps, long *mismatches);
/* Seconds spent waiting for the emulated firmware. */
double rb_firmware_seconds(const rb_firmware_t *fw);
/* CPU seconds QEMU has used so far (from /proc; 0 when unknown). */
double rb_firmware_cpu_seconds(const rb_firmware_t *fw);
void rb_firmware_close(rb_firmware_t *fw);
/* 1 for the fixed-point firmware, 0 for the float32 one. */
int rb_firmware_fixed(const rb_firmware_t *fw);

/* Targets whose UART the lockstep link uses (the MPS2 boards' CMSDK UART). */
int rb_firmware_target_ok(const char *target);

#endif
