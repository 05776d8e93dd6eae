/* lln train --help (see train_cli.h). */
#include <stdio.h>

#include "train_cli.h"

static const char TRAIN_HELP_HEAD[] =
    "usage: lln train --data FILE [OPTIONS] -o MODEL.lln\n"
    "       lln train --config FILE [OPTIONS]\n\n"
    "Trains a liquid network on a CSV log with exact backpropagation through time and saves\n"
    "the model of the best validation epoch, with the input normalization fitted on the\n"
    "training split. Ctrl-C stops after the running batch and saves (exit status 130); the\n"
    "same command with --resume continues exactly where it stopped.\n\n"
    "  Model (a new one from these flags, as in lln new; inputs and outputs follow the data):\n"
    "      --init MODEL         start from an existing model instead\n"
    "  -i, --inputs I           must equal the number of features (default: from the data)\n";

static const char TRAIN_HELP_TRAIN[] =
    "  Training:\n"
    "      --loss KIND          mse (default for regression), cross-entropy (for labels)\n"
    "      --loss-steps KIND    every (default) or last (sequence classification)\n"
    "      --epochs N           passes over the training windows (default 10)\n"
    "      --batch N            sequences per batch (default 32)\n"
    "      --drop-last          leave out each epoch's last batch when it is smaller than N\n"
    "                           (default: it is trained on too)\n"
    "      --optimizer KIND     adam (default), adamw, sgd\n"
    "      --lr RATE            learning rate (default 1e-3)\n"
    "      --beta1 B            Adam first-moment decay (default 0.9)\n"
    "      --beta2 B            Adam second-moment decay (default 0.999)\n"
    "      --adam-eps E         Adam epsilon (default 1e-8)\n"
    "      --momentum M         SGD momentum (default 0)\n"
    "      --nesterov           SGD: Nesterov momentum\n"
    "      --weight-decay W     adam/sgd: L2 added to the gradient; adamw: decoupled (default 0)\n"
    "      --clip-norm C        scale the gradient down to L2 norm C (default: no clipping)\n"
    "      --lr-schedule KIND   constant (default), step, cosine\n"
    "      --lr-step-epochs E   step: multiply the rate by --lr-gamma every E epochs (default 1)\n"
    "      --lr-gamma G         step: the factor (default 0.1)\n"
    "      --lr-decay-epochs E  cosine: epochs from --lr to --lr-min (default: the whole run)\n"
    "      --lr-min M           cosine: the final rate (default 0)\n"
    "      --warmup-epochs E    linear warm-up over E epochs first (default 0)\n"
    "      --patience N         stop after N epochs without a better validation value\n"
    "                           (default 0: never)\n"
    "      --monitor KIND       what picks the best epoch: auto (accuracy for labels, else\n"
    "                           loss), loss, accuracy, valid_mse (the validation MSE in the\n"
    "                           data's units, not weighted by the target normalization)\n"
    "      --precision P        f32 (default) or f64\n"
    "      --threads N          threads (default: all online CPUs); the same seed and N give a\n"
    "                           bit-identical model\n"
    "      --eval-batch N       sequences per validation pass (default 256)\n"
    "  Sparsity (synapses: LTC w/sensory_w, wired CfC ff1/ff2; dense CfC: L1 only):\n"
    "      --l1 LAMBDA          L1 on synapse weights (soft threshold lr*LAMBDA per step)\n"
    "      --group-lasso LAMBDA group lasso per neuron (all its synapses in and out)\n"
    "      --prune-threshold T  prune synapses weaker than T into the model's masks\n"
    "      --prune-every E      prune after every E epochs (default: after the last one)\n"
    "  Energy budget (train, then prune the weakest synapses and fine-tune until it fits):\n"
    "      --energy-budget-mw B average power budget in mW\n"
    "      --rate HZ            steps per second the model runs at\n"
    "      --device D           device of the estimate (lln profile --list-devices)\n"
    "      --devices FILE       device database instead of the built-in one (as lln profile)\n"
    "      --budget-rounds N    pruning rounds at most (default 8)\n"
    "      --prune-fraction F   share of the present synapses pruned per round (default 0.25)\n"
    "      --round-epochs N     fine-tuning epochs per round (default: --epochs)\n"
    "  Output:\n"
    "  -o, --output FILE        the best model (also written after every better epoch)\n"
    "      --checkpoint FILE    written atomically after every epoch (default FILE.ckpt)\n"
    "      --history FILE.csv   one row per epoch: epoch,train_loss,valid_loss,valid_metric,\n"
    "                           lr,seconds (rewritten atomically; --resume keeps the rows)\n"
    "      --no-checkpoint      none\n"
    "      --resume             continue from the checkpoint (give the same options)\n"
    "      --config FILE        options as 'key = value' lines (long names; docs/CLI.md)\n"
    "      --quiet              no progress output\n"
    "  -h, --help               this text\n\n"
    "Exit status: 0 trained; 1 bad data, model or I/O; 2 bad command line; 130 interrupted.\n";

void train_print_help(void)
{
    fputs(TRAIN_HELP_HEAD, stdout);
    fputs(CLI_MODEL_HELP, stdout);
    fputs(CLI_DATA_HELP, stdout);
    fputs(TRAIN_HELP_TRAIN, stdout);
}
