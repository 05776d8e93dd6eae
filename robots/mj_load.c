/* Loading the tasks' MJCF models: the copies embedded in the lln binary (robots/ *.xml, so
 * `lln sim` works from any folder) through MuJoCo's in-memory file system, or a file given
 * with --mjcf. Either way the model is checked for what the task reads and drives. */
#include <mujoco/mujoco.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mj_task.h"

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

static int has_names(const mjModel *m, const char *const *names, int type, char *err, size_t errlen)
{
    for (int i = 0; names != NULL && names[i] != NULL; i++)
        if (mj_name2id(m, type, names[i]) < 0) {
            snprintf(err, errlen, "the MJCF model has no %s named '%s'",
                     type == mjOBJ_SITE ? "site" : "geom", names[i]);
            return 0;
        }
    return 1;
}

int rb_mj_open(rb_mj_t *w, const rb_mj_need_t *need, const char *mjcf, char *err, size_t errlen)
{
    memset(w, 0, sizeof *w);
    mjModel *m = rb_mj_load(need->name, mjcf, err, errlen);
    if (m == NULL)
        return 0;
    int ok = 0;
    if (m->nsensordata != need->nsensordata || m->nu != need->nu)
        snprintf(err, errlen,
                 "the MJCF model has %d sensor values and %d actuators; the task needs %d and %d",
                 m->nsensordata, m->nu, need->nsensordata, need->nu);
    else if (m->nq != need->nq)
        snprintf(err, errlen, "the MJCF model has %d position coordinates; the task needs %d",
                 m->nq, need->nq);
    else if (has_names(m, need->geoms, mjOBJ_GEOM, err, errlen) &&
             has_names(m, need->sites, mjOBJ_SITE, err, errlen))
        ok = 1;
    if (ok && (w->d = mj_makeData(m)) == NULL) {
        snprintf(err, errlen, "out of memory");
        ok = 0;
    }
    if (!ok) {
        mj_deleteModel(m);
        return 0;
    }
    w->m = m;
    return 1;
}

void rb_mj_close(rb_mj_t *w)
{
    mj_deleteData(w->d);
    mj_deleteModel(w->m);
    w->d = NULL, w->m = NULL;
}

void rb_mj_run(rb_mj_t *w, long ms)
{
    long n = (long)(0.001 * (double)ms / w->m->opt.timestep + 0.5);
    for (long k = 0; k < n; k++)
        mj_step(w->m, w->d);
    mj_forward(w->m, w->d);
}

void *rb_mj_env_open(size_t size, const rb_mj_need_t *need, const char *mjcf, char *err,
                     size_t errlen)
{
    rb_mj_t *w = calloc(1, size);
    if (w == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (!rb_mj_open(w, need, mjcf, err, errlen)) {
        free(w);
        return NULL;
    }
    return w;
}

void rb_mj_env_close(rb_env_t *env)
{
    if (env == NULL)
        return;
    rb_mj_close((rb_mj_t *)(void *)env);
    free(env);
}
