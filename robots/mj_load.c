/* Loading the tasks' MJCF models: the copies embedded in the lln binary (robots/ *.xml, so
 * `lln sim` works from any folder) through MuJoCo's in-memory file system, or a file given
 * with --mjcf. Either way the model is checked for what the task reads and drives. */
#include <mujoco/mujoco.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "robots.h"

typedef struct {
    const char *path;
    const unsigned char *data;
    const size_t *len;
} rb_mjcf_entry;
extern const rb_mjcf_entry rb_mjcf_files[];

void *rb_mj_load(const char *name, const char *path, char *err, size_t errlen)
{
    char msg[1000] = "";
    mjModel *m = NULL;
    if (path != NULL) {
        FILE *f = fopen(path, "rb");
        if (f == NULL) {
            snprintf(err, errlen, "%s: cannot open the MJCF file", path);
            return NULL;
        }
        fclose(f);
        m = mj_loadXML(path, NULL, msg, sizeof msg);
        if (m == NULL)
            snprintf(err, errlen, "%s: not a valid MJCF model: %s", path, msg);
        return m;
    }
    const rb_mjcf_entry *e = rb_mjcf_files;
    while (e->path != NULL && strcmp(e->path, name) != 0)
        e++;
    if (e->path == NULL) {
        snprintf(err, errlen, "no embedded MJCF model '%s'", name);
        return NULL;
    }
    mjVFS *vfs = malloc(sizeof *vfs);
    if (vfs == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    mj_defaultVFS(vfs);
    if (mj_makeEmptyFileVFS(vfs, name, (int)*e->len) != 0) {
        snprintf(err, errlen, "%s: MuJoCo's virtual file system refused the model", name);
        free(vfs);
        return NULL;
    }
    int i = mj_findFileVFS(vfs, name);
    memcpy(vfs->filedata[i], e->data, *e->len);
    m = mj_loadXML(name, vfs, msg, sizeof msg);
    if (m == NULL)
        snprintf(err, errlen, "embedded %s: %s", name, msg);
    mj_deleteVFS(vfs);
    free(vfs);
    return m;
}

int rb_mj_require(void *model, int nsensordata, int nu, const char *const *names, int type,
                  char *err, size_t errlen)
{
    const mjModel *m = model;
    if (m->nsensordata != nsensordata || m->nu != nu) {
        snprintf(err, errlen,
                 "the MJCF model has %d sensor values and %d actuators; the task needs %d and %d",
                 m->nsensordata, m->nu, nsensordata, nu);
        return 0;
    }
    for (int i = 0; names != NULL && names[i] != NULL; i++)
        if (mj_name2id(m, type, names[i]) < 0) {
            snprintf(err, errlen, "the MJCF model has no %s named '%s'",
                     type == mjOBJ_SITE ? "site" : type == mjOBJ_GEOM ? "geom" : "object",
                     names[i]);
            return 0;
        }
    return 1;
}
