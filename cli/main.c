/* lln: command-line front end (subcommands are added in cli/cmd_*.c). */
#include <stdio.h>
#include <string.h>

#include "lln/model.h"

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("lln %s\n", lln_version());
        return 0;
    }
    fprintf(stderr, "usage: lln --version\n");
    return 2;
}
