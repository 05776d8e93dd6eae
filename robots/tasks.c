/* The task table. The MuJoCo tasks are compiled only when CMake found MuJoCo
 * (cmake/robots.cmake defines LLN_HAVE_MUJOCO); without it they are listed but cannot run. */
#include <string.h>

#include "robots.h"

extern const rb_task_t rb_task_linefollow;
#ifdef LLN_HAVE_MUJOCO
extern const rb_task_t rb_task_cartpole, rb_task_reacher, rb_task_avoid;
#endif

static const rb_task_t *const TASKS[] = {&rb_task_linefollow,
#ifdef LLN_HAVE_MUJOCO
                                         &rb_task_cartpole, &rb_task_reacher, &rb_task_avoid,
#endif
                                         NULL};

int rb_have_mujoco(void)
{
#ifdef LLN_HAVE_MUJOCO
    return 1;
#else
    return 0;
#endif
}

int rb_task_needs_mujoco(const char *name)
{
    return strcmp(name, "cartpole") == 0 || strcmp(name, "reacher") == 0 ||
           strcmp(name, "avoid") == 0;
}

const rb_task_t *rb_task_find(const char *name)
{
    for (int i = 0; TASKS[i] != NULL; i++)
        if (strcmp(TASKS[i]->name, name) == 0)
            return TASKS[i];
    return NULL;
}

const char *rb_task_names(void) { return "line-follow, cartpole, reacher, avoid"; }
