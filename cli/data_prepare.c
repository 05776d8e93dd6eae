#include "cli.h"
#include "cli_data.h"
int prepare_traffic(const char *shared, textout_t *out, long *rows) { (void)shared; (void)out; (void)rows; return 0; }
int prepare_walker2d(const char *shared, textout_t *out, long *rows) { (void)shared; (void)out; (void)rows; return 0; }
