/* lln new: a model from flags. Every flag becomes a configuration key (lln_config_set), so
 * the CLI, model files and config files share one validation path. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "model_flags.h"

static const char NEW_HELP_HEAD[] =
    "usage: lln new --inputs I [OPTIONS] -o MODEL.lln\n\n"
    "Creates a model with ncps's initialisation distributions and saves it.\n\n"
    "  -i, --inputs I           input features (required)\n";
static const char NEW_HELP_TAIL[] =
    "  -o, --output FILE        where to write the model (required)\n"
    "  -h, --help               this text\n";

int cmd_new(int argc, char **argv)
{
    cli_model_args_t a;
    const char *out = NULL;
    lln_cell_kind_t cell;
    if (!cli_model_find_cell("new", argc, argv, &cell))
        return EXIT_USAGE;
    cli_model_args_init(&a, cell);
    struct option opts[64];
    size_t n = 0;
    for (; CLI_MODEL_OPTIONS[n].name != NULL; n++)
        opts[n] = CLI_MODEL_OPTIONS[n];
    opts[n++] = (struct option){"output", required_argument, 0, 'o'};
    opts[n++] = (struct option){"help", no_argument, 0, 'h'};
    opts[n] = (struct option){0, 0, 0, 0};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "c:i:u:m:w:o:h", opts, NULL)) != -1) {
        if (opt == 'h') {
            fputs(NEW_HELP_HEAD, stdout);
            fputs(CLI_MODEL_HELP, stdout);
            fputs(NEW_HELP_TAIL, stdout);
            return EXIT_OK;
        }
        if (opt == 'o') {
            out = optarg;
            continue;
        }
        if (opt == '?' || cli_model_option("new", &a, opt, optarg) != 1)
            return cli_usage_error("new");
    }
    if (optind < argc) {
        cli_error("new", "unexpected argument '%s'", argv[optind]);
        return cli_usage_error("new");
    }
    if (out == NULL || a.cfg.input_size == 0) {
        cli_error("new", "%s is required", out == NULL ? "-o/--output" : "--inputs");
        return cli_usage_error("new");
    }
    lln_model_t *m;
    lln_error_t err = {LLN_OK, ""};
    if (lln_model_create(&a.cfg, a.seed, &m, &err) != LLN_OK) {
        cli_error("new", "%s", err.msg);
        return EXIT_USAGE;
    }
    if (a.name)
        lln_model_set_meta(m, "name", a.name);
    int ok = cli_save_model("new", m, out);
    if (ok)
        printf("wrote %s\n", out);
    lln_model_free(m);
    return ok ? EXIT_OK : EXIT_FAIL;
}
