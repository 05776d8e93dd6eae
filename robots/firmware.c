/* Firmware in the loop (robots/firmware.h). The exported fixed-point firmware gets a main
 * that serves steps over the board's UART (the CMSDK UART0 of the MPS2 boards QEMU emulates
 * for Cortex-M3/M4/M7); QEMU connects that UART to a Unix socket this process listens on.
 * Frames, little-endian: host 'S' int32 dt, I x int16 inputs -> firmware status byte,
 * O x int16 outputs (fixed point), or host 'S' dt and I inputs as float32 bits -> status
 * byte, O outputs as float32 bits (float32); host 'R' -> firmware 'r' (state reset); host 'Q' -> firmware exits.
 * The firmware's console and exit status go through semihosting, as in `lln verify`. */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "firmware.h"
#include "lln/export.h"
#include "os.h"
#include "verify_run.h"

#define WORK_MAX 1024
#define PATH_MAX_ (WORK_MAX + 256)
#define REPLY_TIMEOUT_MS 20000

struct rb_firmware {
    int fixed;        /* the fixed-point firmware (quantized model), else float32 */
    rb_policy_t host; /* fixed point: the host fixed-point reference */
    lln_fw_t *ref;    /* float32: the host float32 firmware runtime */
    const rb_task_t *t;
    char work[WORK_MAX];
    int keep, sock, conn;
    pid_t pid;
    uint32_t *hbuf; /* float32: the reference's state after a step */
    long steps, mismatches;
    double wait_s;
};

static const char *const UART_TARGETS[] = {"cortex-m3", "cortex-m4", "cortex-m4f", "cortex-m7",
                                           NULL};

int rb_firmware_target_ok(const char *target)
{
    for (int i = 0; UART_TARGETS[i]; i++)
        if (strcmp(target, UART_TARGETS[i]) == 0)
            return 1;
    return 0;
}

/* The UART0 link both firmware mains share (then the flavour, then FW_LOOP). */
static const char FW_UART[] =
    "/* lln sim --firmware: the policy served over UART0 (CMSDK UART, MPS2 boards). */\n"
    "#include <stdint.h>\n#include <string.h>\n\n#include \"lln_model.h\"\n\n"
    "#define UART_DATA (*(volatile uint32_t *)0x40004000u)\n"
    "#define UART_STATE (*(volatile uint32_t *)0x40004004u)\n"
    "#define UART_CTRL (*(volatile uint32_t *)0x40004008u)\n"
    "#define UART_INTCLEAR (*(volatile uint32_t *)0x4000400Cu)\n"
    "#define UART_BAUDDIV (*(volatile uint32_t *)0x40004010u)\n"
    "#define NVIC_ISER0 (*(volatile uint32_t *)0xE000E100u)\n"
    "#define NVIC_ICPR0 (*(volatile uint32_t *)0xE000E280u)\n\n"
    "/* Waits for a byte asleep (WFI): the RX interrupt (IRQ 0) is enabled but masked by\n"
    " * PRIMASK, so it only wakes the core; QEMU then idles instead of spinning. */\n"
    "static unsigned getb(void)\n{\n    for (;;) {\n        UART_INTCLEAR = 2u;\n"
    "        NVIC_ICPR0 = 1u;\n        if (UART_STATE & 2u)\n            break;\n"
    "        __asm__ volatile(\"wfi\");\n    }\n"
    "    return UART_DATA & 0xffu;\n}\n\n"
    "static uint32_t getw(unsigned bytes)\n{\n    uint32_t w = 0;\n"
    "    for (unsigned k = 0; k < bytes; k++)\n        w |= (uint32_t)getb() << (8 * k);\n"
    "    return w;\n}\n\n"
    "static void putb(unsigned c)\n{\n    while (UART_STATE & 1u)\n        ;\n"
    "    UART_DATA = c & 0xffu;\n}\n\n"
    "static void putw(uint32_t w, unsigned bytes)\n{\n"
    "    for (unsigned k = 0; k < bytes; k++)\n        putb(w >> (8 * k));\n}\n\n";

/* The serving loop, after the flavour's RESET() and STEP(). */
static const char FW_LOOP[] =
    "/* Commands: 'S' step, 'R' reset (answers 'r'), 'Q' quit. */\n"
    "static unsigned command(void)\n{\n    for (;;) {\n        unsigned c = getb();\n"
    "        if (c != 'R')\n            return c;\n        RESET();\n        putb('r');\n"
    "    }\n}\n\n"
    "int main(void)\n{\n    UART_BAUDDIV = 16u;\n    __asm__ volatile(\"cpsid i\");\n"
    "    UART_CTRL = 3u | 8u; /* TX and RX enabled, RX interrupt */\n    NVIC_ISER0 = 1u;\n"
    "    RESET();\n    for (;;) {\n        unsigned c = command();\n"
    "        if (c == 'Q')\n            return 0;\n        if (c != 'S')\n            return 3;\n"
    "        STEP();\n    }\n}\n";

/* Fixed point: int32 dt and int16 inputs in the model's formats -> int16 outputs. */
static const char FW_FIXED[] =
    "static int16_t state[LLN_STATE_LEN], s16[LLN_SCRATCH16_LEN], x[LLN_INPUTS], y[LLN_OUTPUTS];\n"
    "static int32_t s32[LLN_SCRATCH32_LEN];\n"
    "#define RESET() lln_rtq_reset(&lln_model, state)\n"
    "#define STEP() do { \\\n"
    "    int32_t d = (int32_t)getw(4); \\\n"
    "    for (int i = 0; i < LLN_INPUTS; i++) \\\n"
    "        x[i] = (int16_t)(uint16_t)getw(2); \\\n"
    "    putb((unsigned)lln_rtq_step(&lln_model, state, x, d, y, s16, s32)); \\\n"
    "    for (int o = 0; o < LLN_OUTPUTS; o++) \\\n"
    "        putw((uint16_t)y[o], 2); \\\n"
    "} while (0)\n";

/* float32: the IEEE-754 bits of dt and of each input -> the bits of each output. */
static const char FW_FLOAT[] =
    "static float state[LLN_STATE_FLOATS], scratch[LLN_SCRATCH_FLOATS], x[LLN_INPUTS],\n"
    "    y[LLN_OUTPUTS];\n"
    "static float getf(void)\n{\n    uint32_t w = getw(4);\n    float v;\n"
    "    memcpy(&v, &w, sizeof v);\n    return v;\n}\n"
    "static void putf(float v)\n{\n    uint32_t w;\n    memcpy(&w, &v, sizeof w);\n"
    "    putw(w, 4);\n}\n"
    "#define RESET() lln_rt_reset(&lln_model, state)\n"
    "#define STEP() do { \\\n"
    "    float d = getf(); \\\n"
    "    for (int i = 0; i < LLN_INPUTS; i++) \\\n"
    "        x[i] = getf(); \\\n"
    "    putb((unsigned)lln_rt_step(&lln_model, state, x, d, y, scratch)); \\\n"
    "    for (int o = 0; o < LLN_OUTPUTS; o++) \\\n"
    "        putf(y[o]); \\\n"
    "} while (0)\n";

static int write_main(const char *path, int fixed)
{
    FILE *f = fopen(path, "w");
    int ok = f && fputs(FW_UART, f) >= 0 && fputs(fixed ? FW_FIXED : FW_FLOAT, f) >= 0 &&
             fputs(FW_LOOP, f) >= 0;
    return (f && fclose(f) == 0) && ok;
}

/* The target's QEMU command line (from the harness's table), with UART0 on the socket. */
static int qemu_argv(rb_firmware_t *fw, const char *target, const char *sock, const char *elf,
                     char ***out, char *err, size_t errlen)
{
    char script[PATH_MAX_], list[PATH_MAX_];
    snprintf(script, sizeof script,
             ". '%s/sim/targets.sh' && sim_target \"$1\" && "
             "printf '%%s\\n' \"${SIM_QEMU[@]}\"",
             fw->work);
    snprintf(list, sizeof list, "%s/qemu.argv", fw->work);
    char *argv[] = {"bash", "-c", script, "_", (char *)target, NULL};
    if (cli_run(argv, list, NULL, NULL) != 0) {
        snprintf(err, errlen, "cannot read the QEMU command of %s from the harness", target);
        return 0;
    }
    FILE *f = fopen(list, "r");
    char **a = calloc(64, sizeof *a), line[512];
    int n = 0;
    while (f && a && n < 56 && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (n > 0 && strcmp(a[n - 1], "-serial") == 0 && strcmp(line, "none") == 0)
            snprintf(line, sizeof line, "chardev:uart0");
        a[n++] = strdup(line);
    }
    if (f)
        fclose(f);
    if (a == NULL || n < 2) {
        snprintf(err, errlen, "empty QEMU command for %s", target);
        free(a);
        return 0;
    }
    char spec[PATH_MAX_ + 64];
    snprintf(spec, sizeof spec, "socket,id=uart0,path=%s", sock);
    a[n++] = strdup("-chardev");
    a[n++] = strdup(spec);
    a[n++] = strdup("-kernel");
    a[n++] = strdup(elf);
    *out = a;
    return 1;
}

static void free_argv(char **a)
{
    for (int i = 0; a && a[i]; i++)
        free(a[i]);
    free(a);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int send_all(rb_firmware_t *fw, const unsigned char *b, size_t n)
{
    while (n > 0) {
        ssize_t k = send(fw->conn, b, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return 0;
        b += k, n -= (size_t)k;
    }
    return 1;
}

static int recv_all(rb_firmware_t *fw, unsigned char *b, size_t n)
{
    double t0 = now_s();
    while (n > 0) {
        struct pollfd p = {fw->conn, POLLIN, 0};
        int r = poll(&p, 1, REPLY_TIMEOUT_MS);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return 0;
        ssize_t k = recv(fw->conn, b, n, 0);
        if (k <= 0)
            return 0;
        b += k, n -= (size_t)k;
    }
    fw->wait_s += now_s() - t0;
    return 1;
}

static int fw_reset(void *ctx)
{
    rb_firmware_t *fw = ctx;
    if (fw->fixed)
        lln_quant_stream_reset(fw->host.stream);
    else
        lln_fw_reset(fw->ref);
    unsigned char c = 'R', ack = 0;
    return send_all(fw, &c, 1) && recv_all(fw, &ack, 1) && ack == 'r';
}

/* Sends a step frame and reads the status byte and n reply bytes. 0 + message on failure. */
static int exchange(rb_firmware_t *fw, const unsigned char *frame, size_t len, unsigned char *reply,
                    size_t n, char *err, size_t errlen)
{
    if (!send_all(fw, frame, len) || !recv_all(fw, reply, 1 + n)) {
        snprintf(err, errlen, "firmware: no answer over the UART (QEMU ended or hung)");
        return 0;
    }
    if (reply[0] != 0) {
        snprintf(err, errlen, "firmware: step refused (status %d)", reply[0]);
        return 0;
    }
    return 1;
}

static void put32(unsigned char *b, uint32_t w)
{
    for (int k = 0; k < 4; k++)
        b[k] = (unsigned char)(w >> (8 * k));
}

/* float32: dt and the inputs as float bits; the host float32 firmware runtime gets the same
 * floats, and the firmware's output bits must equal its bits. */
static int act_float(rb_firmware_t *fw, const double *obs, double dt, double *cmd, char *err,
                     size_t errlen)
{
    float x[RB_MAX_OBS], d = (float)dt;
    uint32_t yh[RB_MAX_ACT], *h = fw->hbuf;
    for (int i = 0; i < fw->t->nobs; i++) {
        if (!isfinite(obs[i])) {
            snprintf(err, errlen, "float32 firmware: input %d is not finite", i);
            return 0;
        }
        x[i] = (float)obs[i];
    }
    if (!(d > 0) || !isfinite(d)) {
        snprintf(err, errlen, "float32 firmware: dt %g is not a finite value > 0", dt);
        return 0;
    }
    int hrc = lln_fw_step(fw->ref, x, d, yh, h);
    unsigned char frame[1 + 4 + 4 * RB_MAX_OBS], reply[1 + 4 * RB_MAX_ACT];
    size_t n = 0;
    uint32_t w;
    frame[n++] = 'S';
    memcpy(&w, &d, sizeof w);
    put32(frame + n, w), n += 4;
    for (int i = 0; i < fw->t->nobs; i++) {
        memcpy(&w, &x[i], sizeof w);
        put32(frame + n, w), n += 4;
    }
    if (!exchange(fw, frame, n, reply, 4 * (size_t)fw->t->nact, err, errlen))
        return 0;
    if (hrc != 0) {
        snprintf(err, errlen, "host float32 runtime refused a step the firmware took (status %d)",
                 hrc);
        return 0;
    }
    int same = 1;
    for (int o = 0; o < fw->t->nact; o++) {
        const unsigned char *b = reply + 1 + 4 * o;
        w = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        same &= w == yh[o];
        float v;
        memcpy(&v, &w, sizeof v);
        cmd[o] = v;
    }
    fw->steps++;
    fw->mismatches += !same;
    return 1;
}

static int fw_act(void *ctx, rb_env_t *env, const double *obs, double dt, double *cmd, char *err,
                  size_t errlen)
{
    (void)env;
    rb_firmware_t *fw = ctx;
    if (!fw->fixed)
        return act_float(fw, obs, dt, cmd, err, errlen);
    short xq[RB_MAX_OBS], yq[RB_MAX_ACT];
    long dtq;
    double host_cmd[RB_MAX_ACT];
    if (!rb_quant_step(&fw->host, obs, dt, xq, &dtq, yq, host_cmd, err, errlen))
        return 0;
    unsigned char frame[1 + 4 + 2 * RB_MAX_OBS], reply[1 + 2 * RB_MAX_ACT];
    size_t n = 0;
    frame[n++] = 'S';
    for (int k = 0; k < 4; k++)
        frame[n++] = (unsigned char)((unsigned long)dtq >> (8 * k));
    for (int i = 0; i < fw->t->nobs; i++) {
        frame[n++] = (unsigned char)((unsigned short)xq[i] & 0xff);
        frame[n++] = (unsigned char)((unsigned short)xq[i] >> 8);
    }
    if (!exchange(fw, frame, n, reply, 2 * (size_t)fw->t->nact, err, errlen))
        return 0;
    int same = 1;
    for (int o = 0; o < fw->t->nact; o++) {
        short v = (short)(unsigned short)(reply[1 + 2 * o] | reply[2 + 2 * o] << 8);
        same &= v == yq[o];
        cmd[o] = lln_quant_decode(fw->host.quant, o, v);
    }
    fw->steps++;
    fw->mismatches += !same;
    return 1;
}

int rb_firmware_open(rb_firmware_t **out, const lln_model_t *m, const rb_task_t *t,
                     const char *target, const char *keep, rb_controller_t *c, char *err,
                     size_t errlen)
{
    *out = NULL;
    rb_firmware_t *fw = calloc(1, sizeof *fw);
    if (fw == NULL) {
        snprintf(err, errlen, "out of memory");
        return 0;
    }
    fw->t = t;
    fw->sock = fw->conn = -1;
    *out = fw;
    fw->fixed = lln_model_is_quantized(m);
    lln_error_t e = {LLN_OK, ""};
    if (fw->fixed) {
        if (!rb_policy_open(&fw->host, m, t, 1, err, errlen))
            return 0;
    } else {
        int outs = 0, hlen = 0;
        if (lln_model_input_size(m) != t->nobs || lln_model_output_size(m) != t->nact) {
            snprintf(err, errlen, "the model's inputs and outputs do not fit task %s", t->name);
            return 0;
        }
        if (lln_fw_create(m, 0, &fw->ref, &e) != LLN_OK) {
            snprintf(err, errlen, "float32 runtime: %s", e.msg);
            return 0;
        }
        lln_fw_shape(fw->ref, &outs, &hlen);
        if ((fw->hbuf = calloc((size_t)hlen + 1, sizeof *fw->hbuf)) == NULL) {
            snprintf(err, errlen, "out of memory");
            return 0;
        }
    }
    snprintf(fw->work, sizeof fw->work, "%s", keep ? keep : "/tmp/lln-sim-fw-XXXXXX");
    fw->keep = keep != NULL;
    if (keep ? mkdir(fw->work, 0777) != 0 && errno != EEXIST : mkdtemp(fw->work) == NULL) {
        snprintf(err, errlen, "%s: cannot create: %s", fw->work, strerror(errno));
        fw->work[0] = '\0';
        return 0;
    }
    char dir[PATH_MAX_], path[PATH_MAX_ + 64], elf[PATH_MAX_], log[PATH_MAX_];
    snprintf(dir, sizeof dir, "%s/fw", fw->work);
    lln_export_opts_t o = {target, "lln", 0, !fw->fixed};
    if (lln_export(m, &o, dir, NULL, &e) != LLN_OK) {
        snprintf(err, errlen, "export: %s", e.msg);
        return 0;
    }
    snprintf(path, sizeof path, "%s/sim_main.c", dir);
    if (!verify_write_harness("sim", fw->work) || !write_main(path, fw->fixed)) {
        snprintf(err, errlen, "%s: cannot write the firmware's main", path);
        return 0;
    }
    snprintf(elf, sizeof elf, "%s/fw.elf", fw->work);
    snprintf(log, sizeof log, "%s/build.log", fw->work);
    char tool[PATH_MAX_], s1[PATH_MAX_ + 64], s2[PATH_MAX_ + 64], s3[PATH_MAX_ + 64];
    snprintf(tool, sizeof tool, "%s/sim/build.sh", fw->work);
    snprintf(s1, sizeof s1, "%s/%s", dir, fw->fixed ? "lln_rtq.c" : "lln_rt.c");
    snprintf(s2, sizeof s2, "%s/lln_model.c", dir);
    snprintf(s3, sizeof s3, "%s/lln_fx.c", dir);
    char *bargv[] = {"bash",
                     tool,
                     (char *)target,
                     elf,
                     path,
                     s1,
                     s2,
                     fw->fixed ? s3 : "--",
                     fw->fixed ? "--" : "-ffp-contract=off",
                     fw->fixed ? "-ffp-contract=off" : NULL,
                     NULL};
    int rc = cli_run(bargv, log, log, NULL);
    if (rc != 0) {
        snprintf(err, errlen, "building for %s failed (exit %d%s): see %s", target, rc,
                 rc == 127 ? ": a cross compiler is missing, lln doctor" : "", log);
        return 0;
    }
    /* the socket QEMU's UART connects to */
    char sockp[PATH_MAX_];
    snprintf(sockp, sizeof sockp, "%s/uart.sock", fw->work);
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(sockp) >= sizeof addr.sun_path) {
        snprintf(err, errlen, "%s: socket path too long", sockp);
        return 0;
    }
    memcpy(addr.sun_path, sockp, strlen(sockp) + 1);
    fw->sock = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fw->sock < 0 || bind(fw->sock, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(fw->sock, 1) != 0) {
        snprintf(err, errlen, "%s: cannot listen: %s", sockp, strerror(errno));
        return 0;
    }
    char **qargv = NULL;
    if (!qemu_argv(fw, target, sockp, elf, &qargv, err, errlen))
        return 0;
    snprintf(log, sizeof log, "%s/qemu.log", fw->work);
    fflush(NULL);
    fw->pid = fork();
    if (fw->pid == 0) {
        FILE *in = freopen("/dev/null", "r", stdin), *o1 = freopen(log, "w", stdout);
        (void)in, (void)o1;
        dup2(fileno(stdout), 2);
        execvp(qargv[0], qargv);
        _exit(127);
    }
    free_argv(qargv);
    if (fw->pid < 0) {
        snprintf(err, errlen, "cannot start QEMU: %s", strerror(errno));
        return 0;
    }
    struct pollfd p = {fw->sock, POLLIN, 0};
    if (poll(&p, 1, REPLY_TIMEOUT_MS) <= 0 || (fw->conn = accept(fw->sock, NULL, NULL)) < 0) {
        snprintf(err, errlen, "QEMU did not connect to the UART socket (see %s)", log);
        return 0;
    }
    c->name = fw->fixed ? "int-firmware" : "float-firmware";
    c->ctx = fw;
    c->reset = fw_reset;
    c->act = fw_act;
    return 1;
}

void rb_firmware_counts(const rb_firmware_t *fw, long *steps, long *mismatches)
{
    *steps = fw ? fw->steps : 0;
    *mismatches = fw ? fw->mismatches : 0;
}

double rb_firmware_seconds(const rb_firmware_t *fw) { return fw ? fw->wait_s : 0; }

double rb_firmware_cpu_seconds(const rb_firmware_t *fw)
{
    char path[64], buf[1024];
    if (fw == NULL || fw->pid <= 0)
        return 0;
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)fw->pid);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* the command name may hold spaces */
    unsigned long ut = 0, st = 0;
    if (p == NULL ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return 0;
    long hz = sysconf(_SC_CLK_TCK);
    return hz > 0 ? (double)(ut + st) / (double)hz : 0;
}

void rb_firmware_close(rb_firmware_t *fw)
{
    if (fw == NULL)
        return;
    if (fw->conn >= 0) {
        unsigned char q = 'Q';
        send_all(fw, &q, 1);
        close(fw->conn);
    }
    if (fw->sock >= 0)
        close(fw->sock);
    if (fw->pid > 0) {
        int status;
        for (int i = 0; i < 50 && waitpid(fw->pid, &status, WNOHANG) == 0; i++)
            usleep(20000);
        if (waitpid(fw->pid, &status, WNOHANG) == 0) {
            kill(fw->pid, SIGTERM);
            waitpid(fw->pid, &status, 0);
        }
    }
    if (fw->fixed)
        rb_policy_close(&fw->host);
    lln_fw_free(fw->ref);
    free(fw->hbuf);
    if (fw->work[0] && !fw->keep)
        verify_remove_tree(fw->work);
    free(fw);
}

int rb_firmware_fixed(const rb_firmware_t *fw) { return fw && fw->fixed; }
