/* Force-included into the unit tests of the Windows build (cmake/platforms.cmake): the POSIX
 * calls the tests use that mingw-w64 lacks. */
#ifndef LLN_TESTS_WIN_COMPAT_H
#define LLN_TESTS_WIN_COMPAT_H
#ifdef _WIN32
#include <direct.h>
#include <io.h>
#include <stdlib.h>
#include <string.h>

/* mkdtemp: the template's XXXXXX replaced (_mktemp_s), then the folder created. */
static inline char *lln_test_mkdtemp(char *tmpl)
{
    if (_mktemp_s(tmpl, strlen(tmpl) + 1) != 0 || _mkdir(tmpl) != 0)
        return NULL;
    return tmpl;
}
#define mkdtemp lln_test_mkdtemp
/* mkdir(path, mode): Windows has no permission bits */
#define mkdir(path, mode) _mkdir(path)
#endif
#endif
