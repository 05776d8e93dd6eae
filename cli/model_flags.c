/* Model-structure flags shared by `lln new` and `lln train` (see model_flags.h). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "model_flags.h"

enum {
    O_SPARSITY = CLI_MODEL_OPT_FIRST,
    O_NCP,
    O_NOSELF,
    O_WSEED,
    O_SEED,
    O_UNFOLDS,
    O_EPS,
    O_POS,
    O_INMAP,
    O_OUTMAP,
    O_MODE,
    O_ACT,
    O_BBU,
    O_BBL,
    O_BBD,
    O_PROJ,
    O_MIXED,
    O_SET,
    O_NAME,
    O_WINDOW,
    O_READOUT
};

const struct option CLI_MODEL_OPTIONS[] = {
    {"cell", required_argument, 0, 'c'},
    {"inputs", required_argument, 0, 'i'},
    {"units", required_argument, 0, 'u'},
    {"outputs", required_argument, 0, 'm'},
    {"wiring", required_argument, 0, 'w'},
    {"sparsity", required_argument, 0, O_SPARSITY},
    {"ncp", required_argument, 0, O_NCP},
    {"no-self-connections", no_argument, 0, O_NOSELF},
    {"wiring-seed", required_argument, 0, O_WSEED},
    {"seed", required_argument, 0, O_SEED},
    {"ode-unfolds", required_argument, 0, O_UNFOLDS},
    {"epsilon", required_argument, 0, O_EPS},
    {"positivity", required_argument, 0, O_POS},
    {"input-mapping", required_argument, 0, O_INMAP},
    {"output-mapping", required_argument, 0, O_OUTMAP},
    {"mode", required_argument, 0, O_MODE},
    {"activation", required_argument, 0, O_ACT},
    {"backbone-units", required_argument, 0, O_BBU},
    {"backbone-layers", required_argument, 0, O_BBL},
    {"backbone-dropout", required_argument, 0, O_BBD},
    {"proj-size", required_argument, 0, O_PROJ},
    {"mixed-memory", no_argument, 0, O_MIXED},
    {"set", required_argument, 0, O_SET},
    {"name", required_argument, 0, O_NAME},
    {"mlp-window", required_argument, 0, O_WINDOW},
    {"readout", required_argument, 0, O_READOUT},
    {0, 0, 0, 0},
};

const char CLI_MODEL_HELP[] =
    "  -c, --cell KIND          ltc (default), cfc, wired_cfc; baselines gru, lstm, mlp\n"
    "  -u, --units N            neurons / state size (not needed with --ncp)\n"
    "  -m, --outputs M          output (motor) neurons: AutoNCP output_size, or output_dim of\n"
    "                           fc/random wirings (default: all units)\n"
    "  -w, --wiring KIND        fc (default), random, ncp, autoncp (ltc and wired_cfc)\n"
    "      --sparsity S         random: [0,1); autoncp: [0.1,1.0] (default 0.5)\n"
    "      --ncp I,C,M,SF,IF,RC,MF  NCP(inter, command, motor, sensory_fanout, inter_fanout,\n"
    "                           recurrent_command_synapses, motor_fanin)\n"
    "      --no-self-connections  fc wiring without self synapses\n"
    "      --wiring-seed S      wiring RNG seed (ncps defaults: fc/random 1111, ncp 22222)\n"
    "      --seed S             parameter initialisation seed (default 1)\n"
    "  LTC:\n"
    "      --ode-unfolds K      solver unfolds per step (default 6)\n"
    "      --epsilon E          denominator epsilon (default 1e-8)\n"
    "      --positivity P       softplus (default) or identity\n"
    "      --input-mapping MAP  affine (default), linear, none\n"
    "      --output-mapping MAP affine (default), linear, none\n"
    "      --readout R          motor (default, ncps: output map of the first M neurons) or\n"
    "                           dense (a layer y = W v + b over all units, as the LTC\n"
    "                           paper's code; outputs = --proj-size, lln train: targets)\n"
    "  CfC:\n"
    "      --mode MODE          default, no_gate, pure\n"
    "      --activation A       lecun_tanh (default), tanh, relu, silu, gelu\n"
    "      --backbone-units U   (default 128)    --backbone-layers L (default 1)\n"
    "      --backbone-dropout P (default 0)      --proj-size P (default none)\n"
    "  Baselines (discrete time: dt is ignored):\n"
    "      gru, lstm: --units N (hidden size), --proj-size P (output layer fc)\n"
    "      mlp: --mlp-window K  input rows the MLP sees (default 8; units = K * inputs)\n"
    "           hidden layers --backbone-layers x --backbone-units, --activation\n"
    "           (default relu), output layer --proj-size\n"
    "  Both:\n"
    "      --mixed-memory       an LSTM memory cell in front of the cell\n"
    "      --set KEY=VALUE      any configuration key of docs/FORMAT.md\n"
    "      --name TEXT          stored as metadata 'name'\n";

/* Option -> configuration key (options not listed are handled in apply_special). */
static const struct {
    int opt;
    const char *key;
} KEYS[] = {
    {'i', "input_size"},
    {'u', "units"},
    {'m', "wiring.output_dim"},
    {'w', "wiring"},
    {O_SPARSITY, "wiring.sparsity"},
    {O_WSEED, "wiring.seed"},
    {O_UNFOLDS, "ode_unfolds"},
    {O_EPS, "epsilon"},
    {O_POS, "positivity"},
    {O_INMAP, "input_mapping"},
    {O_OUTMAP, "output_mapping"},
    {O_MODE, "mode"},
    {O_ACT, "activation"},
    {O_BBU, "backbone_units"},
    {O_BBL, "backbone_layers"},
    {O_BBD, "backbone_dropout"},
    {O_PROJ, "proj_size"},
    {O_WINDOW, "mlp_window"},
    {O_READOUT, "readout"},
};

/* --ncp I,C,M,SF,IF,RC,MF */
static int set_ncp(const char *cmd, lln_config_t *c, const char *v)
{
    static const char *const keys[] = {"wiring.inter",        "wiring.command",
                                       "wiring.motor",        "wiring.sensory_fanout",
                                       "wiring.inter_fanout", "wiring.recurrent_command",
                                       "wiring.motor_fanin"};
    char buf[256];
    snprintf(buf, sizeof buf, "%s", v);
    char *save = NULL, *tok = strtok_r(buf, ",", &save);
    int n = 0;
    for (; tok != NULL && n < 7; tok = strtok_r(NULL, ",", &save), n++)
        if (!cli_config_set(cmd, "--ncp", c, keys[n], tok))
            return 0;
    if (n != 7 || tok != NULL) {
        cli_error(cmd, "--ncp needs 7 comma-separated integers, got '%s'", v);
        return 0;
    }
    c->wiring.kind = LLN_WIRING_NCP;
    return 1;
}

static int apply_special(const char *cmd, cli_model_args_t *a, int opt, const char *v)
{
    long x;
    switch (opt) {
    case O_NCP:
        a->wiring_given = a->outputs_given = a->units_given = 1;
        return set_ncp(cmd, &a->cfg, v);
    case O_NOSELF: a->cfg.wiring.self_connections = 0; return 1;
    case O_SEED:
        if (!cli_parse_int(cmd, "--seed", v, 0, 0x7fffffffL, &x))
            return 0;
        a->seed = (unsigned long long)x;
        return 1;
    case O_MIXED: a->cfg.mixed_memory = 1; return 1;
    case O_SET: {
        char key[128];
        const char *eq = strchr(v, '=');
        if (eq == NULL || (size_t)(eq - v) >= sizeof key) {
            cli_error(cmd, "--set needs KEY=VALUE, got '%s'", v);
            return 0;
        }
        memcpy(key, v, (size_t)(eq - v));
        key[eq - v] = '\0';
        return cli_config_set(cmd, "--set", &a->cfg, key, eq + 1);
    }
    case O_NAME: a->name = v; return 1;
    default: return -1;
    }
}

int cli_model_option(const char *cmd, cli_model_args_t *a, int opt, const char *v)
{
    if (opt == 'c')
        return 1; /* applied first, by cli_model_find_cell */
    a->wiring_given |= opt == 'w';
    a->inputs_given |= opt == 'i';
    a->outputs_given |= opt == 'm';
    a->units_given |= opt == 'u';
    a->proj_given |= opt == O_PROJ;
    char name[48] = "";
    for (int k = 0; CLI_MODEL_OPTIONS[k].name != NULL; k++)
        if (CLI_MODEL_OPTIONS[k].val == opt)
            snprintf(name, sizeof name, "--%s", CLI_MODEL_OPTIONS[k].name);
    for (size_t k = 0; k < sizeof KEYS / sizeof KEYS[0]; k++)
        if (KEYS[k].opt == opt) /* the message names the option as given, then the key */
            return cli_config_set(cmd, name[0] ? name : NULL, &a->cfg, KEYS[k].key, v);
    return apply_special(cmd, a, opt, v);
}

int cli_model_find_cell(const char *cmd, int argc, char **argv, lln_cell_kind_t *cell)
{
    *cell = LLN_CELL_LTC;
    for (int i = 1; i < argc && argv[i] != NULL; i++) {
        const char *v = NULL;
        if ((strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--cell") == 0) && i + 1 < argc)
            v = argv[i + 1];
        else if (strncmp(argv[i], "--cell=", 7) == 0)
            v = argv[i] + 7;
        if (v == NULL)
            continue;
        lln_config_t tmp;
        lln_config_default(&tmp, LLN_CELL_LTC);
        if (!cli_config_set(cmd, "--cell", &tmp, "cell", v))
            return 0;
        *cell = tmp.cell;
    }
    return 1;
}

void cli_model_args_init(cli_model_args_t *a, lln_cell_kind_t cell)
{
    memset(a, 0, sizeof *a);
    lln_config_default(&a->cfg, cell);
    a->seed = 1;
}
