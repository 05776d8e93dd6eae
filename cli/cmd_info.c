/* lln info: what a model is and what one step costs. */
#include <getopt.h>
#include <string.h>

#include "cli.h"

static const char INFO_HELP[] =
    "usage: lln info MODEL.lln [--json]\n\n"
    "Prints the cell, its configuration, the wiring and neuron groups, parameter and synapse\n"
    "counts, multiply-accumulates and transcendental calls per step (one sample), and the\n"
    "bytes of state and weights.\n\n"
    "  --json       machine-readable output\n"
    "  -h, --help   this text\n";

static void print_groups(const lln_model_t *m)
{
    const lln_config_t *c = lln_model_config(m);
    const lln_wiring_t *w = lln_model_wiring(m);
    static const char *const names[] = {"inter", "command", "motor"};
    if (w != NULL && w->num_layers == 3) {
        int first = 0;
        for (int l = 0; l < 3; l++) {
            int lo = w->layer_ids[first], hi = w->layer_ids[first + w->layer_size[l] - 1];
            printf("  %-8s %3d neurons (ids %d-%d)\n", names[l], w->layer_size[l], lo, hi);
            first += w->layer_size[l];
        }
    } else if (c->cell == LLN_CELL_WIRED_CFC) {
        for (int l = 0; l < c->num_layers; l++)
            printf("  layer %d  %3d neurons\n", l, c->layer_sizes[l]);
    }
}

/* Metadata come from the file: control characters (C0, DEL and the C1 range U+0080..U+009F,
 * which includes the terminal's CSI) are shown as \xNN / \u00NN, so a model file cannot move
 * the cursor, retitle the window or hide text on the terminal that lists it. */
static void put_safe(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            printf("\\x%02x", *p);
        else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
            printf("\\u%04x", *++p);
        else if (*p == '\\')
            fputs("\\\\", stdout);
        else
            putchar(*p);
    }
}

static void print_text(const char *path, const lln_model_t *m)
{
    const lln_config_t *c = lln_model_config(m);
    lln_model_stats_t st;
    lln_model_stats(m, &st);
    printf("model        %s\n", path);
    printf("cell         %s", lln_cell_name(c->cell));
    if (c->cell == LLN_CELL_LTC)
        printf(" (ode_unfolds %d, epsilon %g, positivity %s, input map %s, output map %s)\n",
               c->ode_unfolds, c->epsilon,
               c->positivity == LLN_POS_SOFTPLUS ? "softplus" : "identity",
               lln_mapping_name(c->input_mapping), lln_mapping_name(c->output_mapping));
    else if (c->cell == LLN_CELL_CFC)
        printf(" (mode %s, backbone %d x %d %s)\n", lln_cfc_mode_name(c->mode), c->backbone_layers,
               c->backbone_units, lln_activation_name(c->activation));
    else if (c->cell == LLN_CELL_GRU || c->cell == LLN_CELL_LSTM)
        printf(" (torch %sCell, discrete time: dt ignored)\n",
               c->cell == LLN_CELL_GRU ? "GRU" : "LSTM");
    else if (c->cell == LLN_CELL_MLP)
        printf(" (window of %d inputs, hidden %d x %d %s, discrete time: dt ignored)\n",
               c->mlp_window, c->backbone_layers, c->backbone_units,
               lln_activation_name(c->activation));
    else
        printf(" (mode %s)\n", lln_cfc_mode_name(c->mode));
    if (c->cell == LLN_CELL_LTC || c->cell == LLN_CELL_WIRED_CFC)
        printf("wiring       %s\n", lln_wiring_kind_name(c->wiring.kind));
    if (c->cell == LLN_CELL_LTC && c->readout == LLN_READOUT_DENSE)
        printf("readout      dense (fc: %d x %d over all units)\n", c->proj_size, c->units);
    else if (c->cell == LLN_CELL_LTC)
        printf("readout      motor (the first %d neurons, output map %s)\n", c->output_size,
               lln_mapping_name(c->output_mapping));
    print_groups(m);
    printf("inputs       %d\noutputs      %d\nunits        %d\n", lln_model_input_size(m),
           lln_model_output_size(m), lln_model_state_size(m));
    if (c->mixed_memory)
        printf("memory       LSTM mixed memory (%d cell values)\n", lln_model_memory_size(m));
    else if (c->cell == LLN_CELL_LSTM)
        printf("memory       LSTM cell state (%d values)\n", lln_model_memory_size(m));
    if (c->proj_size > 0)
        printf("projection   %d\n", c->proj_size);
    printf("parameters   %ld\n", st.params);
    if (c->cell == LLN_CELL_LTC)
        printf("synapses     %ld internal, %ld sensory\n", st.synapses, st.sensory_synapses);
    printf("per step     %ld MACs, %ld transcendental calls\n", st.macs, st.transcendentals);
    printf("state        %zu bytes (float32 hidden state), %zu bytes per stream incl. scratch\n",
           (size_t)(lln_model_state_size(m) + lln_model_memory_size(m)) * sizeof(float),
           lln_state_bytes(m, LLN_F32, 1));
    printf("weights      %zu bytes (float32 kernel tables)\n", st.weight_bytes_f32);
    for (size_t i = 0; i < lln_model_meta_count(m); i++) {
        const char *k, *v;
        if (lln_model_meta_at(m, i, &k, &v) == LLN_OK) {
            fputs("meta         ", stdout);
            put_safe(k);
            fputs(" = ", stdout);
            put_safe(v);
            putchar('\n');
        }
    }
}

static void json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch < 0x20 || ch == 0x7f)
            printf("\\u%04x", ch);
        else if (ch == 0xc2 && (unsigned char)s[1] >= 0x80 && (unsigned char)s[1] <= 0x9f) /* C1 */
            printf("\\u%04x", (unsigned char)*++s);
        else
            putchar(ch);
    }
    putchar('"');
}

static void print_json(const char *path, const lln_model_t *m)
{
    const lln_config_t *c = lln_model_config(m);
    lln_model_stats_t st;
    lln_model_stats(m, &st);
    printf("{\"model\": ");
    json_string(path);
    printf(", \"cell\": \"%s\", \"wiring\": \"%s\", \"inputs\": %d, \"outputs\": %d, "
           "\"units\": %d, \"mixed_memory\": %d, \"parameters\": %ld, \"synapses\": %ld, "
           "\"sensory_synapses\": %ld, \"macs_per_step\": %ld, \"transcendentals_per_step\": %ld, "
           "\"state_bytes_f32\": %zu, \"stream_bytes_f32\": %zu, \"weight_bytes_f32\": %zu",
           lln_cell_name(c->cell), lln_wiring_kind_name(c->wiring.kind), lln_model_input_size(m),
           lln_model_output_size(m), lln_model_state_size(m), c->mixed_memory, st.params,
           st.synapses, st.sensory_synapses, st.macs, st.transcendentals,
           (size_t)(lln_model_state_size(m) + lln_model_memory_size(m)) * sizeof(float),
           lln_state_bytes(m, LLN_F32, 1), st.weight_bytes_f32);
    if (c->cell == LLN_CELL_LTC)
        printf(", \"readout\": \"%s\"", lln_readout_name(c->readout));
    printf(", \"meta\": {");
    for (size_t i = 0; i < lln_model_meta_count(m); i++) {
        const char *k, *v;
        if (lln_model_meta_at(m, i, &k, &v) != LLN_OK)
            continue;
        fputs(i ? ", " : "", stdout);
        json_string(k);
        printf(": ");
        json_string(v);
    }
    printf("}}\n");
}

int cmd_info(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    int opt, json = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (opt == 'h') {
            fputs(INFO_HELP, stdout);
            return EXIT_OK;
        }
        if (opt != 'j')
            return cli_usage_error("info");
        json = 1;
    }
    if (optind != argc - 1) {
        cli_error("info", "expected exactly one model file");
        return cli_usage_error("info");
    }
    lln_model_t *m = cli_load_model("info", argv[optind]);
    if (m == NULL)
        return EXIT_FAIL;
    if (json)
        print_json(argv[optind], m);
    else
        print_text(argv[optind], m);
    lln_model_free(m);
    return EXIT_OK;
}
