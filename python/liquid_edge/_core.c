/* liquid_edge._core: the CPython binding of the liquid-edge C library.
 *
 * Uses only the public API (include/lln/). Arrays cross the boundary through the numpy C
 * API without copies when they are C-contiguous and of the model's float type; anything
 * else is refused with a message that says what to pass instead (a silent copy would hide a
 * 50x slowdown in a streaming loop). Long calls (sequences, training, calibration, export)
 * release the GIL; a model is marked busy meanwhile so no thread can change its parameters
 * under a running kernel. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lln/lln.h"
#include "lln/export.h"

/* ---- errors --------------------------------------------------------------------------- */

/* Exception class per status code, installed by liquid_edge/_errors.py at import. */
static PyObject *g_error_classes[LLN_STATUS_COUNT_];
static PyObject *g_error_base;

static PyObject *raise_status(lln_status_t code, const char *msg)
{
    PyObject *cls = NULL;
    if ((int)code >= 0 && (int)code < LLN_STATUS_COUNT_)
        cls = g_error_classes[code];
    if (!cls)
        cls = g_error_base ? g_error_base : PyExc_RuntimeError;
    if (!msg || !msg[0])
        msg = lln_strerror(code);
    PyObject *exc = PyObject_CallFunction(cls, "s", msg);
    if (!exc)
        return NULL;
    PyObject *c = PyLong_FromLong((long)code);
    if (c) {
        (void)PyObject_SetAttrString(exc, "code", c);
        Py_DECREF(c);
    }
    PyErr_SetObject(cls, exc);
    Py_DECREF(exc);
    return NULL;
}

static PyObject *raise_err(lln_status_t code, const lln_error_t *err)
{
    return raise_status(code, err && err->code == code ? err->msg : NULL);
}

static PyObject *set_error_classes(PyObject *self, PyObject *args)
{
    PyObject *base, *map;
    (void)self;
    if (!PyArg_ParseTuple(args, "OO!", &base, &PyDict_Type, &map))
        return NULL;
    Py_XSETREF(g_error_base, Py_NewRef(base));
    for (int i = 0; i < LLN_STATUS_COUNT_; i++) {
        PyObject *key = PyLong_FromLong(i);
        if (!key)
            return NULL;
        PyObject *cls = PyDict_GetItemWithError(map, key);
        Py_DECREF(key);
        if (!cls && PyErr_Occurred())
            return NULL;
        Py_XSETREF(g_error_classes[i], Py_XNewRef(cls));
    }
    Py_RETURN_NONE;
}

/* ---- arrays ----------------------------------------------------------------------------- */

/* Checks that obj is a C-contiguous float32/float64 ndarray; sets *dtype. name is used in
 *  messages. Returns the array (borrowed) or NULL with TypeError/ValueError set. */
static PyArrayObject *as_float_array(PyObject *obj, const char *name, int *dtype)
{
    if (!PyArray_Check(obj)) {
        PyErr_Format(PyExc_TypeError,
                     "%s must be a numpy.ndarray of float32 or float64, not %.100s "
                     "(use numpy.asarray(%s, dtype=numpy.float32))",
                     name, Py_TYPE(obj)->tp_name, name);
        return NULL;
    }
    PyArrayObject *a = (PyArrayObject *)obj;
    int t = PyArray_TYPE(a);
    if (t == NPY_FLOAT32)
        *dtype = LLN_F32;
    else if (t == NPY_FLOAT64)
        *dtype = LLN_F64;
    else {
        PyObject *d = PyObject_Str((PyObject *)PyArray_DESCR(a));
        PyErr_Format(PyExc_TypeError, "%s has dtype %s; liquid_edge takes float32 or float64", name,
                     d ? PyUnicode_AsUTF8(d) : "?");
        Py_XDECREF(d);
        return NULL;
    }
    if (!PyArray_IS_C_CONTIGUOUS(a)) {
        PyErr_Format(PyExc_ValueError,
                     "%s is not C-contiguous (a transposed or sliced view); pass "
                     "numpy.ascontiguousarray(%s)",
                     name, name);
        return NULL;
    }
    if (!PyArray_ISALIGNED(a)) {
        PyErr_Format(PyExc_ValueError, "%s is not aligned; pass a copy (numpy.array(%s))", name,
                     name);
        return NULL;
    }
    return a;
}

/* Like as_float_array, also checking the dtype (want) and the shape (ndim entries; a -1
 *  entry accepts any size and receives it in dims). */
static PyArrayObject *as_array_shaped(PyObject *obj, const char *name, int want, int ndim,
                                      npy_intp *dims)
{
    int dt;
    PyArrayObject *a = as_float_array(obj, name, &dt);
    if (!a)
        return NULL;
    if (dt != want) {
        PyErr_Format(PyExc_TypeError, "%s is %s but the other arrays are %s; use one dtype", name,
                     dt == LLN_F32 ? "float32" : "float64",
                     want == LLN_F32 ? "float32" : "float64");
        return NULL;
    }
    if (PyArray_NDIM(a) != ndim) {
        PyErr_Format(PyExc_ValueError, "%s must have %d dimensions, it has %d", name, ndim,
                     PyArray_NDIM(a));
        return NULL;
    }
    for (int i = 0; i < ndim; i++) {
        npy_intp got = PyArray_DIM(a, i);
        if (dims[i] < 0)
            dims[i] = got;
        else if (got != dims[i]) {
            PyErr_Format(PyExc_ValueError, "%s has size %zd in dimension %d, expected %zd", name,
                         (Py_ssize_t)got, i, (Py_ssize_t)dims[i]);
            return NULL;
        }
    }
    return a;
}

static PyObject *new_array(int ndim, const npy_intp *dims, int dtype)
{
    return PyArray_SimpleNew(ndim, (npy_intp *)dims, dtype == LLN_F32 ? NPY_FLOAT32 : NPY_FLOAT64);
}

/* An optional float64 array converted (copied when needed) to a contiguous float64 one with
 *  exactly `count` elements; NULL + exception on error. New reference. */
static PyArrayObject *as_f64_count(PyObject *obj, const char *name, npy_intp count)
{
    PyArrayObject *a = (PyArrayObject *)PyArray_FROMANY(obj, NPY_FLOAT64, 0, 0, NPY_ARRAY_IN_ARRAY);
    if (!a)
        return NULL;
    if (PyArray_SIZE(a) != count) {
        PyErr_Format(PyExc_ValueError, "%s has %zd values, expected %zd", name,
                     (Py_ssize_t)PyArray_SIZE(a), (Py_ssize_t)count);
        Py_DECREF(a);
        return NULL;
    }
    return a;
}

/* ---- Model ---------------------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD lln_model_t *m;
    int busy; /* running calls without the GIL; parameter changes are refused meanwhile */
} ModelObject;

typedef struct {
    PyObject_HEAD ModelObject *model; /* strong reference: the state must not outlive it */
    lln_state_t *s;
    int dtype;
    int batch;
} StateObject;

static PyTypeObject ModelType;
static PyTypeObject StateType;

static PyObject *wrap_model(lln_model_t *m)
{
    ModelObject *o = PyObject_New(ModelObject, &ModelType);
    if (!o) {
        lln_model_free(m);
        return NULL;
    }
    o->m = m;
    o->busy = 0;
    return (PyObject *)o;
}

static void Model_dealloc(ModelObject *self)
{
    lln_model_free(self->m);
    PyObject_Free(self);
}

static int check_not_busy(ModelObject *self)
{
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError,
                        "the model is in use by a running call in another thread; change its "
                        "parameters after that call returns");
        return -1;
    }
    return 0;
}

/* Model.create(items: list[tuple[str, str]], seed: int) */
static PyObject *Model_create(PyObject *cls, PyObject *args)
{
    PyObject *items;
    unsigned long long seed;
    const char *cell;
    (void)cls;
    if (!PyArg_ParseTuple(args, "sOK", &cell, &items, &seed))
        return NULL;
    lln_config_t cfg;
    lln_error_t err = {0};
    lln_config_default(&cfg, LLN_CELL_LTC);
    lln_status_t st = lln_config_set(&cfg, "cell", cell, &err);
    if (st)
        return raise_err(st, &err);
    PyObject *seq = PySequence_Fast(items, "items must be a sequence of (key, value) pairs");
    if (!seq)
        return NULL;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
        const char *k, *v;
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, i), "ss", &k, &v)) {
            Py_DECREF(seq);
            return NULL;
        }
        st = lln_config_set(&cfg, k, v, &err);
        if (st) {
            Py_DECREF(seq);
            return raise_err(st, &err);
        }
    }
    Py_DECREF(seq);
    lln_model_t *m = NULL;
    st = lln_model_create(&cfg, seed, &m, &err);
    if (st)
        return raise_err(st, &err);
    return wrap_model(m);
}

static PyObject *Model_load(PyObject *cls, PyObject *args)
{
    PyObject *path_obj;
    (void)cls;
    if (!PyArg_ParseTuple(args, "O&", PyUnicode_FSConverter, &path_obj))
        return NULL;
    lln_model_t *m = NULL;
    lln_error_t err = {0};
    lln_status_t st;
    Py_BEGIN_ALLOW_THREADS st = lln_model_load(PyBytes_AS_STRING(path_obj), &m, &err);
    Py_END_ALLOW_THREADS Py_DECREF(path_obj);
    if (st)
        return raise_err(st, &err);
    return wrap_model(m);
}

static PyObject *Model_from_bytes(PyObject *cls, PyObject *args)
{
    Py_buffer b;
    const char *name = "<bytes>";
    (void)cls;
    if (!PyArg_ParseTuple(args, "y*|s", &b, &name))
        return NULL;
    lln_model_t *m = NULL;
    lln_error_t err = {0};
    lln_status_t st = lln_model_load_mem(b.buf, (size_t)b.len, name, &m, &err);
    PyBuffer_Release(&b);
    if (st)
        return raise_err(st, &err);
    return wrap_model(m);
}

/* Model.import_ncps(path, cell or None, positivity, ode_unfolds, epsilon, output_size,
 *  mode or None, activation, backbone_dropout) */
static PyObject *Model_import_ncps(PyObject *cls, PyObject *args)
{
    PyObject *path_obj;
    const char *cell = NULL, *mode = NULL, *activation = NULL;
    int implicit = 1, unfolds = 6, output_size = 0;
    double epsilon = 1e-8, dropout = 0.0;
    (void)cls;
    if (!PyArg_ParseTuple(args, "O&zpidizzd", PyUnicode_FSConverter, &path_obj, &cell, &implicit,
                          &unfolds, &epsilon, &output_size, &mode, &activation, &dropout))
        return NULL;
    lln_import_opts_t o;
    lln_import_opts_default(&o);
    o.cell = cell;
    o.positivity = implicit ? LLN_POS_SOFTPLUS : LLN_POS_IDENTITY;
    o.ode_unfolds = unfolds;
    o.epsilon = epsilon;
    o.output_size = output_size;
    o.backbone_dropout = dropout;
    lln_error_t err = {0};
    lln_config_t probe;
    lln_config_default(&probe, LLN_CELL_CFC);
    if (mode) {
        lln_status_t st = lln_config_set(&probe, "mode", mode, &err);
        if (st) {
            Py_DECREF(path_obj);
            return raise_err(st, &err);
        }
        o.mode = probe.mode;
        o.mode_given = 1;
    }
    if (activation) {
        lln_status_t st = lln_config_set(&probe, "activation", activation, &err);
        if (st) {
            Py_DECREF(path_obj);
            return raise_err(st, &err);
        }
        o.activation = probe.activation;
    }
    lln_model_t *m = NULL;
    lln_status_t st;
    Py_BEGIN_ALLOW_THREADS st = lln_import_ncps(PyBytes_AS_STRING(path_obj), &o, &m, &err);
    Py_END_ALLOW_THREADS Py_DECREF(path_obj);
    if (st)
        return raise_err(st, &err);
    return wrap_model(m);
}

static PyObject *Model_save(ModelObject *self, PyObject *args)
{
    PyObject *path_obj;
    if (!PyArg_ParseTuple(args, "O&", PyUnicode_FSConverter, &path_obj))
        return NULL;
    lln_error_t err = {0};
    lln_status_t st;
    self->busy++;
    Py_BEGIN_ALLOW_THREADS st = lln_model_save(self->m, PyBytes_AS_STRING(path_obj), &err);
    Py_END_ALLOW_THREADS self->busy--;
    Py_DECREF(path_obj);
    if (st)
        return raise_err(st, &err);
    Py_RETURN_NONE;
}

static PyObject *Model_to_bytes(ModelObject *self, PyObject *unused)
{
    (void)unused;
    unsigned char *buf = NULL;
    size_t len = 0;
    lln_error_t err = {0};
    lln_status_t st = lln_model_save_mem(self->m, &buf, &len, &err);
    if (st)
        return raise_err(st, &err);
    PyObject *b = PyBytes_FromStringAndSize((const char *)buf, (Py_ssize_t)len);
    free(buf);
    return b;
}

static void config_to_dict(const char *key, const char *value, void *ctx)
{
    PyObject *d = ctx;
    PyObject *v = PyUnicode_FromString(value);
    if (v) {
        (void)PyDict_SetItemString(d, key, v);
        Py_DECREF(v);
    }
}

static PyObject *Model_config(ModelObject *self, PyObject *unused)
{
    (void)unused;
    PyObject *d = PyDict_New();
    if (!d)
        return NULL;
    lln_config_foreach(lln_model_config(self->m), config_to_dict, d);
    if (PyErr_Occurred()) {
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

/* [(name, shape tuple, flags)] */
static PyObject *Model_tensors(ModelObject *self, PyObject *unused)
{
    (void)unused;
    size_t n = lln_model_tensor_count(self->m);
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (!list)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const lln_tensor_info_t *t = lln_model_tensor(self->m, i);
        PyObject *shape = t->ndim == 1 ? Py_BuildValue("(i)", t->dims[0])
                                       : Py_BuildValue("(ii)", t->dims[0], t->dims[1]);
        PyObject *item = shape ? Py_BuildValue("(sNI)", t->name, shape, t->flags) : NULL;
        if (!item) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    return list;
}

static const lln_tensor_info_t *find_tensor(ModelObject *self, const char *name)
{
    const lln_tensor_info_t *t = lln_model_find(self->m, name);
    if (!t)
        PyErr_Format(PyExc_KeyError, "the model has no tensor named '%s'", name);
    return t;
}

static PyObject *Model_get_tensor(ModelObject *self, PyObject *args)
{
    const char *name;
    if (!PyArg_ParseTuple(args, "s", &name))
        return NULL;
    const lln_tensor_info_t *t = find_tensor(self, name);
    if (!t)
        return NULL;
    npy_intp dims[2] = {t->dims[0], t->dims[1]};
    PyObject *a = PyArray_SimpleNew(t->ndim, dims, NPY_FLOAT64);
    if (!a)
        return NULL;
    memcpy(PyArray_DATA((PyArrayObject *)a), lln_model_params_const(self->m) + t->offset,
           t->count * sizeof(double));
    return a;
}

static PyObject *Model_set_tensor(ModelObject *self, PyObject *args)
{
    const char *name;
    PyObject *obj;
    if (!PyArg_ParseTuple(args, "sO", &name, &obj))
        return NULL;
    if (check_not_busy(self))
        return NULL;
    const lln_tensor_info_t *t = find_tensor(self, name);
    if (!t)
        return NULL;
    PyArrayObject *a = as_f64_count(obj, name, (npy_intp)t->count);
    if (!a)
        return NULL;
    lln_error_t err = {0};
    lln_status_t st = lln_model_set(self->m, name, PyArray_DATA(a), (size_t)PyArray_SIZE(a), &err);
    Py_DECREF(a);
    if (st)
        return raise_err(st, &err);
    Py_RETURN_NONE;
}

static PyObject *Model_get_params(ModelObject *self, PyObject *unused)
{
    (void)unused;
    npy_intp n = (npy_intp)lln_model_param_count(self->m);
    PyObject *a = PyArray_SimpleNew(1, &n, NPY_FLOAT64);
    if (a)
        memcpy(PyArray_DATA((PyArrayObject *)a), lln_model_params_const(self->m),
               (size_t)n * sizeof(double));
    return a;
}

static PyObject *Model_set_params(ModelObject *self, PyObject *args)
{
    PyObject *obj;
    if (!PyArg_ParseTuple(args, "O", &obj))
        return NULL;
    if (check_not_busy(self))
        return NULL;
    size_t n = lln_model_param_count(self->m);
    PyArrayObject *a = as_f64_count(obj, "params", (npy_intp)n);
    if (!a)
        return NULL;
    /* Validate through a copy so a rejected vector leaves the model as it was. */
    double *p = lln_model_params(self->m);
    double *old = malloc(n * sizeof(double) + 1);
    if (!old) {
        Py_DECREF(a);
        return PyErr_NoMemory();
    }
    memcpy(old, p, n * sizeof(double));
    memcpy(p, PyArray_DATA(a), n * sizeof(double));
    Py_DECREF(a);
    lln_error_t err = {0};
    lln_status_t st = lln_model_prepare(self->m, &err);
    if (st) {
        memcpy(p, old, n * sizeof(double));
        (void)lln_model_prepare(self->m, NULL);
        free(old);
        return raise_err(st, &err);
    }
    free(old);
    Py_RETURN_NONE;
}

static PyObject *Model_meta(ModelObject *self, PyObject *unused)
{
    (void)unused;
    PyObject *d = PyDict_New();
    for (size_t i = 0; d && i < lln_model_meta_count(self->m); i++) {
        const char *k, *v;
        if (lln_model_meta_at(self->m, i, &k, &v) == LLN_OK) {
            PyObject *s = PyUnicode_DecodeUTF8(v, (Py_ssize_t)strlen(v), "replace");
            if (!s || PyDict_SetItemString(d, k, s) < 0) {
                Py_XDECREF(s);
                Py_DECREF(d);
                return NULL;
            }
            Py_DECREF(s);
        }
    }
    return d;
}

static PyObject *Model_set_meta(ModelObject *self, PyObject *args)
{
    const char *k, *v;
    if (!PyArg_ParseTuple(args, "ss", &k, &v))
        return NULL;
    lln_status_t st = lln_model_set_meta(self->m, k, v);
    if (st)
        return raise_status(st, "metadata key must be non-empty");
    Py_RETURN_NONE;
}

static PyObject *Model_stats(ModelObject *self, PyObject *unused)
{
    (void)unused;
    lln_model_stats_t s;
    lln_model_stats(self->m, &s);
    return Py_BuildValue("{sl,sl,sl,sl,sl,sn}", "params", s.params, "synapses", s.synapses,
                         "sensory_synapses", s.sensory_synapses, "macs", s.macs, "transcendentals",
                         s.transcendentals, "weight_bytes_f32", (Py_ssize_t)s.weight_bytes_f32);
}

static PyObject *Model_sizes(ModelObject *self, PyObject *unused)
{
    (void)unused;
    return Py_BuildValue("(iiii)", lln_model_input_size(self->m), lln_model_output_size(self->m),
                         lln_model_state_size(self->m), lln_model_memory_size(self->m));
}

static StateObject *new_state(ModelObject *model, int dtype, int batch)
{
    lln_state_t *s = NULL;
    lln_status_t st = lln_state_create(model->m, (lln_dtype_t)dtype, batch, &s);
    if (st) {
        raise_status(st, "cannot create a state");
        return NULL;
    }
    StateObject *o = PyObject_New(StateObject, &StateType);
    if (!o) {
        lln_state_free(s);
        return NULL;
    }
    Py_INCREF(model);
    o->model = model;
    o->s = s;
    o->dtype = dtype;
    o->batch = batch;
    return o;
}

/* Fills a state from h (batch, N) and c (batch, N) arrays in the state's dtype. */
static int state_fill(StateObject *s, PyObject *h, PyObject *c)
{
    int n = lln_model_state_size(s->model->m), mem = lln_model_memory_size(s->model->m);
    void *hp = NULL, *cp = NULL;
    if (h && h != Py_None) {
        npy_intp d[2] = {s->batch, n};
        PyArrayObject *a =
            (PyArray_Check(h) && PyArray_NDIM((PyArrayObject *)h) == 1 && s->batch == 1)
                ? as_array_shaped(h, "h0", s->dtype, 1, d + 1)
                : as_array_shaped(h, "h0", s->dtype, 2, d);
        if (!a)
            return -1;
        hp = PyArray_DATA(a);
    }
    if (c && c != Py_None) {
        if (!mem) {
            PyErr_SetString(PyExc_ValueError, "c0 given but the model has no mixed memory");
            return -1;
        }
        npy_intp d[2] = {s->batch, mem};
        PyArrayObject *a = as_array_shaped(c, "c0", s->dtype, 2, d);
        if (!a)
            return -1;
        cp = PyArray_DATA(a);
    }
    lln_status_t st = lln_state_set(s->s, hp, cp);
    if (st) {
        raise_status(st, "cannot set the state");
        return -1;
    }
    return 0;
}

/* Model.step(x, dt=1.0, state=None) -> (y, state). x: (I,) or (B, I). */
static PyObject *Model_step(ModelObject *self, PyObject *const *args, Py_ssize_t nargs,
                            PyObject *kwnames)
{
    PyObject *xo = NULL, *dto = NULL, *so = NULL;
    PyObject *slots[3] = {NULL, NULL, NULL};
    static const char *names[3] = {"x", "dt", "state"};
    if (nargs > 3) {
        PyErr_SetString(PyExc_TypeError, "step() takes at most 3 arguments (x, dt, state)");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < nargs; i++)
        slots[i] = args[i];
    if (kwnames) {
        for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(kwnames); k++) {
            const char *kn = PyUnicode_AsUTF8(PyTuple_GET_ITEM(kwnames, k));
            int j = -1;
            for (int q = 0; kn && q < 3; q++)
                if (!strcmp(kn, names[q]))
                    j = q;
            if (j < 0 || slots[j]) {
                PyErr_Format(PyExc_TypeError, "step() got an unexpected or repeated argument '%s'",
                             kn ? kn : "?");
                return NULL;
            }
            slots[j] = args[nargs + k];
        }
    }
    xo = slots[0];
    dto = slots[1];
    so = slots[2];
    if (!xo) {
        PyErr_SetString(PyExc_TypeError, "step() missing the input x");
        return NULL;
    }
    int dtype;
    PyArrayObject *x = as_float_array(xo, "x", &dtype);
    if (!x)
        return NULL;
    int in = lln_model_input_size(self->m), out = lln_model_output_size(self->m);
    int batch;
    if (PyArray_NDIM(x) == 1 && PyArray_DIM(x, 0) == in)
        batch = 1;
    else if (PyArray_NDIM(x) == 2 && PyArray_DIM(x, 1) == in && PyArray_DIM(x, 0) >= 1 &&
             PyArray_DIM(x, 0) <= INT32_MAX)
        batch = (int)PyArray_DIM(x, 0);
    else {
        PyErr_Format(PyExc_ValueError,
                     "x must have shape (%d,) or (batch, %d) for this model's %d inputs", in, in,
                     in);
        return NULL;
    }
    /* dt: a number (all streams), or an array of `batch` values in x's dtype */
    double dt = 1.0;
    PyArrayObject *dta = NULL;
    if (dto && dto != Py_None) {
        if (PyArray_Check(dto) && PyArray_NDIM((PyArrayObject *)dto) > 0) {
            npy_intp d = batch;
            dta = as_array_shaped(dto, "dt", dtype, 1, &d);
            if (!dta)
                return NULL;
        } else {
            dt = PyFloat_AsDouble(dto);
            if (dt == -1.0 && PyErr_Occurred())
                return NULL;
        }
    }
    StateObject *s;
    if (!so || so == Py_None) {
        s = new_state(self, dtype, batch);
        if (!s)
            return NULL;
    } else if (Py_IS_TYPE(so, &StateType)) {
        s = (StateObject *)so;
        if (s->model != self) {
            PyErr_SetString(PyExc_ValueError, "state belongs to another model");
            return NULL;
        }
        if (s->dtype != dtype || s->batch != batch) {
            PyErr_Format(PyExc_ValueError,
                         "state is %s for %d stream(s) but x is %s for %d stream(s)",
                         s->dtype == LLN_F32 ? "float32" : "float64", s->batch,
                         dtype == LLN_F32 ? "float32" : "float64", batch);
            return NULL;
        }
        Py_INCREF(s);
    } else {
        s = new_state(self, dtype, batch); /* an ndarray h as ncps passes it */
        if (!s)
            return NULL;
        if (state_fill(s, so, NULL)) {
            Py_DECREF(s);
            return NULL;
        }
    }
    npy_intp ydims[2] = {batch, out};
    PyObject *y =
        PyArray_NDIM(x) == 1 ? new_array(1, ydims + 1, dtype) : new_array(2, ydims, dtype);
    if (!y) {
        Py_DECREF(s);
        return NULL;
    }
    lln_status_t st;
    void *yp = PyArray_DATA((PyArrayObject *)y);
    if (dtype == LLN_F32) {
        if (dta)
            st = lln_step_batch(self->m, s->s, PyArray_DATA(x), PyArray_DATA(dta), yp);
        else
            st = lln_step(self->m, s->s, PyArray_DATA(x), (float)dt, yp);
    } else {
        if (dta)
            st = lln_step_batch_f64(self->m, s->s, PyArray_DATA(x), PyArray_DATA(dta), yp);
        else
            st = lln_step_f64(self->m, s->s, PyArray_DATA(x), dt, yp);
    }
    if (st) {
        Py_DECREF(y);
        Py_DECREF(s);
        return raise_status(st, st == LLN_E_DT      ? "dt must be finite and >= 1e-20"
                                : st == LLN_E_RANGE ? "x holds a NaN or infinite value"
                                                    : NULL);
    }
    PyObject *r = PyTuple_New(2);
    if (!r) {
        Py_DECREF(y);
        Py_DECREF(s);
        return NULL;
    }
    PyTuple_SET_ITEM(r, 0, y);
    PyTuple_SET_ITEM(r, 1, (PyObject *)s);
    return r;
}

/* Model.sequence(x, timespans=None, h0=None, c0=None, return_states=False, threads=1)
 *  -> (y, h_final, c_final or None, states or None); x (B, T, I). threads: lln_sequence_mt's
 *  (0: every online CPU); the results do not depend on it. */
static PyObject *Model_sequence(ModelObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"x", "timespans", "h0", "c0", "return_states", "threads", NULL};
    PyObject *xo, *to = Py_None, *h0 = Py_None, *c0 = Py_None;
    int want_states = 0, threads = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|OOOpi", kwlist, &xo, &to, &h0, &c0, &want_states,
                                     &threads))
        return NULL;
    if (threads < 0 || threads > LLN_MAX_THREADS) {
        PyErr_Format(PyExc_ValueError, "threads must be 0 (every online CPU) .. %d, not %d",
                     LLN_MAX_THREADS, threads);
        return NULL;
    }
    int dtype;
    npy_intp xd[3] = {-1, -1, lln_model_input_size(self->m)};
    PyArrayObject *x = as_float_array(xo, "x", &dtype);
    if (!x || !(x = as_array_shaped(xo, "x", dtype, 3, xd)))
        return NULL;
    if (xd[0] < 1 || xd[1] < 1 || xd[0] > INT32_MAX || xd[1] > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "x must hold at least one sequence of one step");
        return NULL;
    }
    int B = (int)xd[0], T = (int)xd[1];
    PyArrayObject *ts = NULL;
    if (to != Py_None) {
        npy_intp td[3] = {B, T, 1};
        int nd = PyArray_Check(to) ? PyArray_NDIM((PyArrayObject *)to) : 2;
        ts = as_array_shaped(to, "timespans", dtype, nd == 3 ? 3 : 2, td);
        if (!ts)
            return NULL;
    }
    StateObject *s = new_state(self, dtype, B);
    if (!s)
        return NULL;
    if (state_fill(s, h0, c0)) {
        Py_DECREF(s);
        return NULL;
    }
    int n = lln_model_state_size(self->m), mem = lln_model_memory_size(self->m);
    npy_intp yd[3] = {B, T, lln_model_output_size(self->m)};
    npy_intp sd[3] = {B, T, n};
    npy_intp hd[2] = {B, n};
    PyObject *y = new_array(3, yd, dtype);
    PyObject *states = want_states ? new_array(3, sd, dtype) : (Py_INCREF(Py_None), Py_None);
    PyObject *hT = new_array(2, hd, dtype);
    PyObject *cT = mem ? new_array(2, hd, dtype) : (Py_INCREF(Py_None), Py_None);
    if (!y || !states || !hT || !cT) {
        Py_XDECREF(y);
        Py_XDECREF(states);
        Py_XDECREF(hT);
        Py_XDECREF(cT);
        Py_DECREF(s);
        return NULL;
    }
    void *sp = want_states ? PyArray_DATA((PyArrayObject *)states) : NULL;
    void *tp = ts ? PyArray_DATA(ts) : NULL;
    lln_status_t st;
    self->busy++;
    Py_BEGIN_ALLOW_THREADS if (dtype == LLN_F32) st = lln_sequence_mt(
        self->m, s->s, threads, T, PyArray_DATA(x), tp, PyArray_DATA((PyArrayObject *)y), sp);
    else st = lln_sequence_mt_f64(self->m, s->s, threads, T, PyArray_DATA(x), tp,
                                  PyArray_DATA((PyArrayObject *)y), sp);
    if (!st)
        st = lln_state_get(s->s, PyArray_DATA((PyArrayObject *)hT),
                           mem ? PyArray_DATA((PyArrayObject *)cT) : NULL);
    Py_END_ALLOW_THREADS self->busy--;
    Py_DECREF(s);
    if (st) {
        Py_DECREF(y);
        Py_DECREF(states);
        Py_DECREF(hT);
        Py_DECREF(cT);
        return raise_status(st, st == LLN_E_DT      ? "timespans must be finite and >= 1e-20"
                                : st == LLN_E_RANGE ? "x holds a NaN or infinite value"
                                                    : NULL);
    }
    return Py_BuildValue("(NNNN)", y, hT, cT, states);
}

/* Parses (x, timespans=None) of the quantization calls: float64 x (B, T, I) and timespans
 *  (B, T) or None, both C-contiguous. Fills xd with B, T, I. 0, or -1 with an exception. */
static int parse_f64_sequences(ModelObject *self, PyObject *args, npy_intp xd[3], PyArrayObject **x,
                               PyArrayObject **ts)
{
    PyObject *xo, *to = Py_None;
    *ts = NULL;
    if (!PyArg_ParseTuple(args, "O|O", &xo, &to))
        return -1;
    xd[0] = xd[1] = -1;
    xd[2] = lln_model_input_size(self->m);
    if (!(*x = as_array_shaped(xo, "x", LLN_F64, 3, xd)))
        return -1;
    if (xd[0] < 1 || xd[1] < 1 || xd[0] > INT32_MAX || xd[1] > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "x must hold at least one sequence of one step");
        return -1;
    }
    if (to != Py_None) {
        npy_intp td[2] = {xd[0], xd[1]};
        if (!(*ts = as_array_shaped(to, "timespans", LLN_F64, 2, td)))
            return -1;
    }
    return 0;
}

/* Model.calibrate(x (B,T,I) float64, dt (B,T) float64 or None) */
static PyObject *Model_calibrate(ModelObject *self, PyObject *args)
{
    npy_intp xd[3];
    PyArrayObject *x, *ts;
    if (check_not_busy(self) || parse_f64_sequences(self, args, xd, &x, &ts))
        return NULL;
    lln_error_t err = {0};
    lln_status_t st;
    self->busy++;
    Py_BEGIN_ALLOW_THREADS st = lln_quant_calibrate(
        self->m, (int)xd[0], (int)xd[1], PyArray_DATA(x), ts ? PyArray_DATA(ts) : NULL, &err);
    Py_END_ALLOW_THREADS self->busy--;
    if (st)
        return raise_err(st, &err);
    Py_RETURN_NONE;
}

static PyObject *Model_is_quantized(ModelObject *self, PyObject *unused)
{
    (void)unused;
    return PyBool_FromLong(lln_model_is_quantized(self->m));
}

/* Model.quant_run(x (B,T,I) f64, dt or None) -> (y, h): the fixed-point runtime on the host */
static PyObject *Model_quant_run(ModelObject *self, PyObject *args)
{
    npy_intp xd[3];
    PyArrayObject *x, *ts;
    if (parse_f64_sequences(self, args, xd, &x, &ts))
        return NULL;
    lln_error_t err = {0};
    lln_quant_t *q = NULL;
    lln_status_t st = lln_quant_create(self->m, &q, &err);
    if (st)
        return raise_err(st, &err);
    npy_intp yd[3] = {xd[0], xd[1], lln_model_output_size(self->m)};
    npy_intp hd[3] = {xd[0], xd[1], lln_model_state_size(self->m)};
    PyObject *y = new_array(3, yd, LLN_F64), *h = new_array(3, hd, LLN_F64);
    if (!y || !h) {
        Py_XDECREF(y);
        Py_XDECREF(h);
        lln_quant_free(q);
        return NULL;
    }
    self->busy++;
    Py_BEGIN_ALLOW_THREADS st =
        lln_quant_run(q, (int)xd[0], (int)xd[1], PyArray_DATA(x), ts ? PyArray_DATA(ts) : NULL,
                      PyArray_DATA((PyArrayObject *)y), PyArray_DATA((PyArrayObject *)h), &err);
    Py_END_ALLOW_THREADS self->busy--;
    lln_quant_free(q);
    if (st) {
        Py_DECREF(y);
        Py_DECREF(h);
        return raise_err(st, &err);
    }
    return Py_BuildValue("(NN)", y, h);
}

/* Model.export(dir, target, prefix, memory_limit_kb, float_path, write) -> sizes dict */
static PyObject *Model_export(ModelObject *self, PyObject *args)
{
    PyObject *dir_obj;
    const char *target, *prefix;
    long limit;
    int float_path, write;
    if (!PyArg_ParseTuple(args, "O&sslpp", PyUnicode_FSConverter, &dir_obj, &target, &prefix,
                          &limit, &float_path, &write))
        return NULL;
    lln_export_opts_t o = {target, prefix, limit, float_path};
    lln_export_sizes_t sz = {0, 0, 0};
    lln_error_t err = {0};
    lln_status_t st;
    self->busy++;
    Py_BEGIN_ALLOW_THREADS if (write) st =
        lln_export(self->m, &o, PyBytes_AS_STRING(dir_obj), &sz, &err);
    else st = lln_export_sizes(self->m, &o, &sz, &err);
    Py_END_ALLOW_THREADS self->busy--;
    Py_DECREF(dir_obj);
    if (st)
        return raise_err(st, &err);
    return Py_BuildValue("{sn,sn,sn}", "weight_bytes", (Py_ssize_t)sz.weight_bytes, "state_bytes",
                         (Py_ssize_t)sz.state_bytes, "scratch_bytes", (Py_ssize_t)sz.scratch_bytes);
}

/* ---- training ------------------------------------------------------------------------- */

static int optim_from_dict(PyObject *d, lln_optim_config_t *c)
{
    lln_optim_config_default(c);
    if (!d || d == Py_None)
        return 0;
    PyObject *k, *v;
    Py_ssize_t pos = 0;
    while (PyDict_Next(d, &pos, &k, &v)) {
        const char *key = PyUnicode_AsUTF8(k);
        if (!key)
            return -1;
        double x = PyFloat_AsDouble(v);
        if (x == -1.0 && PyErr_Occurred())
            return -1;
        if (!strcmp(key, "kind"))
            c->kind = (lln_optim_kind_t)(int)x;
        else if (!strcmp(key, "lr"))
            c->lr = x;
        else if (!strcmp(key, "beta1"))
            c->beta1 = x;
        else if (!strcmp(key, "beta2"))
            c->beta2 = x;
        else if (!strcmp(key, "eps"))
            c->eps = x;
        else if (!strcmp(key, "momentum"))
            c->momentum = x;
        else if (!strcmp(key, "nesterov"))
            c->nesterov = (int)x;
        else if (!strcmp(key, "weight_decay"))
            c->weight_decay = x;
        else if (!strcmp(key, "clip_norm"))
            c->clip_norm = x;
        else {
            PyErr_Format(PyExc_ValueError, "unknown optimizer setting '%s'", key);
            return -1;
        }
    }
    return 0;
}

typedef struct {
    PyObject_HEAD ModelObject *model;
    lln_optim_t *opt;
    lln_batch_grad_t *bg;
    int bg_batch, bg_steps, dtype, threads;
    lln_loss_kind_t loss;
    lln_loss_steps_t which;
    double *grad;
    size_t nparam;
} OptimizerObject;

static PyTypeObject OptimizerType;

static void Optimizer_dealloc(OptimizerObject *self)
{
    lln_optim_free(self->opt);
    lln_batch_grad_free(self->bg);
    free(self->grad);
    Py_XDECREF(self->model);
    PyObject_Free(self);
}

/* Optimizer(model, optim dict, loss 0/1, which 0/1, dtype 0/1, threads) */
static PyObject *Optimizer_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    PyObject *mo, *od;
    int loss, which, dtype, threads;
    (void)kw;
    if (!PyArg_ParseTuple(args, "O!Oiiii", &ModelType, &mo, &od, &loss, &which, &dtype, &threads))
        return NULL;
    lln_optim_config_t c;
    if (optim_from_dict(od, &c))
        return NULL;
    ModelObject *m = (ModelObject *)mo;
    lln_error_t err = {0};
    lln_optim_t *opt = NULL;
    lln_status_t st = lln_optim_create(m->m, &c, &opt, &err);
    if (st)
        return raise_err(st, &err);
    OptimizerObject *o = (OptimizerObject *)type->tp_alloc(type, 0);
    if (!o) {
        lln_optim_free(opt);
        return NULL;
    }
    Py_INCREF(m);
    o->model = m;
    o->opt = opt;
    o->loss = loss ? LLN_LOSS_CROSS_ENTROPY : LLN_LOSS_MSE;
    o->which = which ? LLN_LOSS_LAST_STEP : LLN_LOSS_EVERY_STEP;
    o->dtype = dtype;
    o->threads = threads;
    o->nparam = lln_model_param_count(m->m);
    o->grad = calloc(o->nparam + 1, sizeof(double));
    if (!o->grad) {
        Py_DECREF(o);
        return PyErr_NoMemory();
    }
    return (PyObject *)o;
}

/* Optimizer.run(x, target, timespans=None, mask=None, update=True) -> stats dict */
static PyObject *Optimizer_run(OptimizerObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"x", "target", "timespans", "mask", "update", NULL};
    PyObject *xo, *yo, *to = Py_None, *mo = Py_None;
    int update = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|OOp", kwlist, &xo, &yo, &to, &mo, &update))
        return NULL;
    lln_model_t *m = self->model->m;
    int dt = self->dtype;
    npy_intp xd[3] = {-1, -1, lln_model_input_size(m)};
    PyArrayObject *x = as_array_shaped(xo, "x", dt, 3, xd);
    if (!x)
        return NULL;
    if (xd[0] < 1 || xd[1] < 1 || xd[0] > 1 << 20 || xd[1] > 1 << 24) {
        PyErr_SetString(PyExc_ValueError, "x must hold 1 .. 2^20 sequences of 1 .. 2^24 steps");
        return NULL;
    }
    int B = (int)xd[0], T = (int)xd[1];
    npy_intp yd[3] = {B, T, lln_model_output_size(m)};
    PyArrayObject *y = as_array_shaped(yo, "target", dt, self->loss == LLN_LOSS_MSE ? 3 : 2, yd);
    if (!y)
        return NULL;
    PyArrayObject *ts = NULL, *mask = NULL;
    npy_intp td[2] = {B, T};
    if (to != Py_None && !(ts = as_array_shaped(to, "timespans", dt, 2, td)))
        return NULL;
    if (mo != Py_None && !(mask = as_array_shaped(mo, "mask", dt, 2, td)))
        return NULL;
    if (update && check_not_busy(self->model))
        return NULL;
    lln_error_t err = {0};
    lln_status_t st = LLN_OK;
    if (!self->bg || self->bg_batch < B || self->bg_steps != T) {
        lln_batch_grad_free(self->bg);
        self->bg = NULL;
        st = lln_batch_grad_create(m, (lln_dtype_t)dt, B, T, self->threads, self->loss, self->which,
                                   &self->bg, &err);
        if (st)
            return raise_err(st, &err);
        self->bg_batch = B;
        self->bg_steps = T;
    }
    lln_batch_stats_t stats;
    memset(&stats, 0, sizeof stats);
    lln_optim_info_t info = {0, 0, 0, 0};
    memset(self->grad, 0, self->nparam * sizeof(double));
    self->model->busy++;
    Py_BEGIN_ALLOW_THREADS st = lln_batch_grad_run(
        self->bg, m, B, PyArray_DATA(x), ts ? PyArray_DATA(ts) : NULL, PyArray_DATA(y),
        mask ? PyArray_DATA(mask) : NULL, update ? self->grad : NULL, NULL, &stats, &err);
    Py_END_ALLOW_THREADS self->model->busy--;
    if (st)
        return raise_err(st, &err);
    if (update) {
        st = lln_optim_step(self->opt, m, self->grad, &info, &err);
        if (st)
            return raise_err(st, &err);
        if (info.masked) { /* the structure changed: tapes must be remade */
            lln_batch_grad_free(self->bg);
            self->bg = NULL;
        }
    }
    double loss = stats.count > 0 ? stats.loss_sum / stats.count : NAN;
    double acc =
        stats.steps > 0 && self->loss == LLN_LOSS_CROSS_ENTROPY ? stats.correct / stats.steps : NAN;
    return Py_BuildValue("{sd,sd,sd,sd,sd,sl}", "loss", loss, "accuracy", acc, "grad_norm",
                         info.grad_norm, "lr", info.lr, "count", stats.count, "step",
                         lln_optim_steps(self->opt));
}

/* ---- file-based training (lln_trainer) ------------------------------------------------ */

typedef struct {
    PyObject *callback; /* may be NULL */
    int stop;           /* set when Python raised (Ctrl-C or the callback) */
    PyObject *exc_type, *exc_value, *exc_tb;
} ProgressCtx;

static int progress_cb(const lln_train_progress_t *p, void *vctx)
{
    ProgressCtx *ctx = vctx;
    PyGILState_STATE g = PyGILState_Ensure();
    int stop = 0;
    if (PyErr_CheckSignals() < 0)
        stop = 1;
    else if (ctx->callback &&
             (p->event == LLN_TRAIN_EPOCH || p->batch == p->batches || p->batch % 10 == 0)) {
        PyObject *d = Py_BuildValue(
            "{ss,si,si,si,si,sl,sd,sd,sd,sd,sd,sd,sd,si,si,sd}", "event",
            p->event == LLN_TRAIN_EPOCH ? "epoch" : "batch", "epoch", p->epoch, "epochs", p->epochs,
            "batch", p->batch, "batches", p->batches, "step", p->step, "loss", p->loss,
            "batch_loss", p->batch_loss, "lr", p->lr, "grad_norm", p->grad_norm, "valid_loss",
            p->valid_loss, "valid_accuracy", p->valid_accuracy, "best_metric", p->best_metric,
            "best_epoch", p->best_epoch, "improved", p->improved, "seconds", p->seconds);
        PyObject *r = d ? PyObject_CallOneArg(ctx->callback, d) : NULL;
        Py_XDECREF(d);
        if (!r)
            stop = 1;
        else {
            if (PyObject_IsTrue(r) == 0 && r != Py_None)
                stop = 1; /* an explicit False stops */
            Py_DECREF(r);
        }
    }
    if (stop && PyErr_Occurred() && !ctx->exc_type)
        PyErr_Fetch(&ctx->exc_type, &ctx->exc_value, &ctx->exc_tb);
    if (stop)
        ctx->stop = 1;
    PyGILState_Release(g);
    return stop;
}

static const char **str_list(PyObject *seq, int *n)
{
    *n = 0;
    if (!seq || seq == Py_None)
        return NULL;
    Py_ssize_t len = PySequence_Size(seq);
    if (len < 0)
        return NULL;
    const char **v = PyMem_Calloc((size_t)len + 1, sizeof(char *));
    if (!v)
        return (const char **)PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < len; i++) {
        PyObject *it = PySequence_GetItem(seq, i); /* kept alive by seq */
        if (!it) {
            PyMem_Free(v);
            return NULL;
        }
        v[i] = PyUnicode_AsUTF8(it);
        Py_DECREF(it);
        if (!v[i]) {
            PyMem_Free(v);
            return NULL;
        }
    }
    *n = (int)len;
    return v;
}

/* train(model, csv bytes, name, features, targets, sequence, split, dt_col, labels,
 *       window, stride, valid, seed, normalize, optim dict, epochs, batch_size, threads,
 *       patience, loss, which, dtype, checkpoint or None, resume, callback or None)
 *  -> dict (the final progress) */
static PyObject *py_train(PyObject *self, PyObject *args)
{
    PyObject *mo, *feat, *targ, *od, *cb;
    Py_buffer csv;
    const char *name, *seqcol, *splitcol, *dtcol, *ckpt;
    int labels, window, stride, normalize, epochs, bsize, threads, patience, loss, which, dtype,
        resume;
    double valid;
    unsigned long long seed;
    (void)self;
    if (!PyArg_ParseTuple(args, "O!y*sOOzzziiidKpOiiiiiiizpO", &ModelType, &mo, &csv, &name, &feat,
                          &targ, &seqcol, &splitcol, &dtcol, &labels, &window, &stride, &valid,
                          &seed, &normalize, &od, &epochs, &bsize, &threads, &patience, &loss,
                          &which, &dtype, &ckpt, &resume, &cb))
        return NULL;
    ModelObject *m = (ModelObject *)mo;
    PyObject *result = NULL;
    lln_train_config_t tc;
    lln_train_config_default(&tc);
    lln_csv_spec_t spec;
    lln_csv_spec_default(&spec);
    int nf = 0, nt = 0;
    const char **fv = NULL, **tv = NULL;
    lln_dataset_t *ds = NULL;
    lln_trainer_t *tr = NULL;
    lln_error_t err = {0};
    lln_status_t st;
    ProgressCtx ctx = {cb == Py_None ? NULL : cb, 0, NULL, NULL, NULL};
    if (check_not_busy(m) || optim_from_dict(od, &tc.optim))
        goto done;
    if (!(fv = str_list(feat, &nf)) && PyErr_Occurred())
        goto done;
    if (!(tv = str_list(targ, &nt)) && PyErr_Occurred())
        goto done;
    spec.features = fv;
    spec.nfeatures = nf;
    spec.targets = tv;
    spec.ntargets = nt;
    spec.sequence = seqcol;
    spec.split = splitcol;
    spec.dt = dtcol;
    spec.labels = (lln_label_kind_t)labels;
    st = lln_dataset_read_mem(name, csv.buf, (size_t)csv.len, &spec, &ds, &err);
    if (!st)
        st = lln_dataset_make_windows(ds, window, stride, LLN_TAIL_DROP, &err);
    if (!st && !splitcol && valid > 0)
        st = lln_dataset_split(ds, LLN_SPLIT_SHUFFLE, valid, 0.0, seed, &err);
    if (st) {
        raise_err(st, &err);
        goto done;
    }
    if (normalize) {
        lln_dataset_info_t di;
        lln_dataset_info(ds, &di);
        double *v = calloc(2 * ((size_t)di.inputs + (size_t)di.outputs) + 1, sizeof(double));
        if (!v) {
            PyErr_NoMemory();
            goto done;
        }
        double *im = v, *is = v + di.inputs, *om = is + di.inputs, *os = om + di.outputs;
        st = lln_dataset_fit_norm(ds, 1u << LLN_TRAIN, LLN_NORM_UNIQUE_ROWS, 1e-6, im, is, om, os,
                                  &err);
        if (!st)
            st = lln_model_set_norm(m->m, im, is, loss ? NULL : om, loss ? NULL : os, &err);
        free(v);
        if (st) {
            raise_err(st, &err);
            goto done;
        }
    }
    tc.epochs = epochs;
    tc.batch_size = bsize;
    tc.threads = threads;
    tc.seed = seed;
    tc.patience = patience;
    tc.loss = loss ? LLN_LOSS_CROSS_ENTROPY : LLN_LOSS_MSE;
    tc.loss_steps = which ? LLN_LOSS_LAST_STEP : LLN_LOSS_EVERY_STEP;
    tc.dtype = (lln_dtype_t)dtype;
    tc.checkpoint = ckpt;
    tc.progress = progress_cb;
    tc.progress_ctx = &ctx;
    st = lln_trainer_create(m->m, ds, &tc, &tr, &err);
    if (!st && resume && ckpt)
        st = lln_trainer_load_checkpoint(tr, ckpt, &err);
    if (st) {
        raise_err(st, &err);
        goto done;
    }
    m->busy++;
    Py_BEGIN_ALLOW_THREADS st = lln_trainer_run(tr, &err);
    Py_END_ALLOW_THREADS m->busy--;
    if (ctx.exc_type) { /* Ctrl-C or the callback raised: the checkpoint is already written */
        PyErr_Restore(ctx.exc_type, ctx.exc_value, ctx.exc_tb);
        ctx.exc_type = NULL;
        goto done;
    }
    if (st) {
        raise_err(st, &err);
        goto done;
    }
    lln_train_progress_t p;
    lln_trainer_status(tr, &p);
    result =
        Py_BuildValue("{si,si,sl,sd,sd,sd,sd,si,si,sd,si}", "epoch", p.epoch, "epochs", p.epochs,
                      "step", p.step, "loss", p.loss, "valid_loss", p.valid_loss, "valid_accuracy",
                      p.valid_accuracy, "best_metric", p.best_metric, "best_epoch", p.best_epoch,
                      "finished", p.finished, "seconds", p.seconds, "stopped", ctx.stop);
done:
    lln_trainer_free(tr);
    lln_dataset_free(ds);
    PyMem_Free(fv);
    PyMem_Free(tv);
    PyBuffer_Release(&csv);
    return result;
}

/* ---- State ---------------------------------------------------------------------------- */

static void State_dealloc(StateObject *self)
{
    lln_state_free(self->s);
    Py_XDECREF(self->model);
    PyObject_Free(self);
}

static PyObject *State_get(StateObject *self, int memory)
{
    int n = memory ? lln_model_memory_size(self->model->m) : lln_model_state_size(self->model->m);
    if (n == 0)
        Py_RETURN_NONE;
    npy_intp d[2] = {self->batch, n};
    PyObject *a = new_array(2, d, self->dtype);
    if (!a)
        return NULL;
    lln_status_t st = memory ? lln_state_get(self->s, NULL, PyArray_DATA((PyArrayObject *)a))
                             : lln_state_get(self->s, PyArray_DATA((PyArrayObject *)a), NULL);
    if (st) {
        Py_DECREF(a);
        return raise_status(st, NULL);
    }
    return a;
}

static PyObject *State_h(StateObject *self, void *c)
{
    (void)c;
    return State_get(self, 0);
}
static PyObject *State_c(StateObject *self, void *c)
{
    (void)c;
    return State_get(self, 1);
}
static PyObject *State_dtype(StateObject *self, void *c)
{
    (void)c;
    return PyUnicode_FromString(self->dtype == LLN_F32 ? "float32" : "float64");
}
static PyObject *State_batch(StateObject *self, void *c)
{
    (void)c;
    return PyLong_FromLong(self->batch);
}
static PyObject *State_reset(StateObject *self, PyObject *unused)
{
    (void)unused;
    lln_state_reset(self->s);
    Py_RETURN_NONE;
}
static PyObject *State_set(StateObject *self, PyObject *args)
{
    PyObject *h = Py_None, *c = Py_None;
    if (!PyArg_ParseTuple(args, "|OO", &h, &c))
        return NULL;
    if (state_fill(self, h, c))
        return NULL;
    Py_RETURN_NONE;
}

static PyGetSetDef State_getset[] = {
    {"h", (getter)State_h, NULL, "hidden state, a (batch, N) copy", NULL},
    {"c", (getter)State_c, NULL, "LSTM memory (mixed memory), a (batch, N) copy, or None", NULL},
    {"dtype", (getter)State_dtype, NULL, "'float32' or 'float64'", NULL},
    {"batch", (getter)State_batch, NULL, "number of parallel streams", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyMethodDef State_methods[] = {
    {"reset", (PyCFunction)State_reset, METH_NOARGS, "Zero the hidden state (and memory)."},
    {"set", (PyCFunction)State_set, METH_VARARGS, "set(h=None, c=None): copy a state in."},
    {NULL, NULL, 0, NULL}};

static PyTypeObject StateType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "liquid_edge._core.State",
    .tp_basicsize = sizeof(StateObject),
    .tp_dealloc = (destructor)State_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The state of one or more streams of a model, in one precision. model.step() "
              "updates it in place and returns it.",
    .tp_methods = State_methods,
    .tp_getset = State_getset,
};

static PyMethodDef Model_methods[] = {
    {"create", (PyCFunction)Model_create, METH_VARARGS | METH_CLASS, NULL},
    {"load", (PyCFunction)Model_load, METH_VARARGS | METH_CLASS, NULL},
    {"from_bytes", (PyCFunction)Model_from_bytes, METH_VARARGS | METH_CLASS, NULL},
    {"import_ncps", (PyCFunction)Model_import_ncps, METH_VARARGS | METH_CLASS, NULL},
    {"save", (PyCFunction)Model_save, METH_VARARGS, NULL},
    {"to_bytes", (PyCFunction)Model_to_bytes, METH_NOARGS, NULL},
    {"config", (PyCFunction)Model_config, METH_NOARGS, NULL},
    {"tensors", (PyCFunction)Model_tensors, METH_NOARGS, NULL},
    {"get_tensor", (PyCFunction)Model_get_tensor, METH_VARARGS, NULL},
    {"set_tensor", (PyCFunction)Model_set_tensor, METH_VARARGS, NULL},
    {"get_params", (PyCFunction)Model_get_params, METH_NOARGS, NULL},
    {"set_params", (PyCFunction)Model_set_params, METH_VARARGS, NULL},
    {"meta", (PyCFunction)Model_meta, METH_NOARGS, NULL},
    {"set_meta", (PyCFunction)Model_set_meta, METH_VARARGS, NULL},
    {"stats", (PyCFunction)Model_stats, METH_NOARGS, NULL},
    {"sizes", (PyCFunction)Model_sizes, METH_NOARGS, NULL},
    {"step", (PyCFunction)(void (*)(void))Model_step, METH_FASTCALL | METH_KEYWORDS, NULL},
    {"sequence", (PyCFunction)(void (*)(void))Model_sequence, METH_VARARGS | METH_KEYWORDS, NULL},
    {"calibrate", (PyCFunction)Model_calibrate, METH_VARARGS, NULL},
    {"is_quantized", (PyCFunction)Model_is_quantized, METH_NOARGS, NULL},
    {"quant_run", (PyCFunction)Model_quant_run, METH_VARARGS, NULL},
    {"export", (PyCFunction)Model_export, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}};

static PyTypeObject ModelType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "liquid_edge._core.Model",
    .tp_basicsize = sizeof(ModelObject),
    .tp_dealloc = (destructor)Model_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A liquid-edge model (the C lln_model_t); see liquid_edge.Model.",
    .tp_methods = Model_methods,
};

static PyMethodDef Optimizer_methods[] = {
    {"run", (PyCFunction)(void (*)(void))Optimizer_run, METH_VARARGS | METH_KEYWORDS, NULL},
    {NULL, NULL, 0, NULL}};

static PyTypeObject OptimizerType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "liquid_edge._core.Optimizer",
    .tp_basicsize = sizeof(OptimizerObject),
    .tp_dealloc = (destructor)Optimizer_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Batch loss, exact gradient and optimizer step (lln_batch_grad + lln_optim).",
    .tp_methods = Optimizer_methods,
    .tp_new = Optimizer_new,
};

static PyObject *py_version(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    return PyUnicode_FromString(lln_version());
}

static PyObject *py_export_targets(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    PyObject *l = PyList_New(0);
    for (const char *const *t = lln_export_targets(); l && *t; t++) {
        PyObject *s = PyUnicode_FromString(*t);
        if (!s || PyList_Append(l, s) < 0) {
            Py_XDECREF(s);
            Py_DECREF(l);
            return NULL;
        }
        Py_DECREF(s);
    }
    return l;
}

static PyMethodDef module_methods[] = {
    {"version", py_version, METH_NOARGS, "The C library's version."},
    {"export_targets", py_export_targets, METH_NOARGS, "Firmware export target names."},
    {"train", py_train, METH_VARARGS,
     "Train on CSV bytes with lln_trainer (see liquid_edge.train)."},
    {"_set_error_classes", set_error_classes, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module_def = {PyModuleDef_HEAD_INIT,
                                        "_core",
                                        "The liquid-edge C library (use the liquid_edge package).",
                                        -1,
                                        module_methods,
                                        NULL,
                                        NULL,
                                        NULL,
                                        NULL};

PyMODINIT_FUNC PyInit__core(void)
{
    import_array();
    if (PyType_Ready(&ModelType) < 0 || PyType_Ready(&StateType) < 0 ||
        PyType_Ready(&OptimizerType) < 0)
        return NULL;
    PyObject *mod = PyModule_Create(&module_def);
    if (!mod)
        return NULL;
    if (PyModule_AddObjectRef(mod, "Model", (PyObject *)&ModelType) < 0 ||
        PyModule_AddObjectRef(mod, "State", (PyObject *)&StateType) < 0 ||
        PyModule_AddObjectRef(mod, "Optimizer", (PyObject *)&OptimizerType) < 0) {
        Py_DECREF(mod);
        return NULL;
    }
    return mod;
}
