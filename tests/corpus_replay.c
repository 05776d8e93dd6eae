/* Replays a fuzz corpus (tests/corpus/NAME/) through its target's LLVMFuzzerTestOneInput
 * without libFuzzer, so plain ctest runs every committed input on every build (and under ASan
 * and UBSan in the CI tests stage), not only the clang fuzz stage. A target aborts on an
 * invariant it checks; a memory error is the sanitizers' to report. The replay fails when the
 * folder cannot be read or holds no input. Usage: replay_NAME FOLDER */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return 0;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    for (size_t got; buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += got;
        if (n == cap) {
            uint8_t *b = realloc(buf, cap *= 2);
            if (b == NULL)
                free(buf);
            buf = b;
        }
    }
    int ok = buf != NULL && !ferror(f);
    fclose(f);
    if (ok)
        LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_FOLDER\n", argv[0]);
        return 2;
    }
    DIR *d = opendir(argv[1]);
    if (d == NULL) {
        perror(argv[1]);
        return 1;
    }
    int inputs = 0, bad = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (replay(path))
            inputs++;
        else {
            fprintf(stderr, "%s: cannot read\n", path);
            bad++;
        }
    }
    closedir(d);
    printf("%s: %d inputs replayed, %d unreadable\n", argv[1], inputs, bad);
    return inputs > 0 && bad == 0 ? 0 : 1;
}
