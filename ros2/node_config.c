/* Parser of the node's configuration file (see node_config.h). */
#include "node_config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const nc_imu_fields[NC_IMU_FIELDS] = {
    "orientation.x",         "orientation.y",        "orientation.z",      "orientation.w",
    "angular_velocity.x",    "angular_velocity.y",   "angular_velocity.z", "linear_acceleration.x",
    "linear_acceleration.y", "linear_acceleration.z"};
const char *const nc_twist_fields[NC_TWIST_FIELDS] = {"linear.x",  "linear.y",  "linear.z",
                                                      "angular.x", "angular.y", "angular.z"};

static const struct {
    const char *ros, *dds;
    int input, output;
} types[NC_MSG_TYPE_COUNT] = {
    [NC_IMU] = {"sensor_msgs/msg/Imu", "sensor_msgs::msg::dds_::Imu_", 1, 0},
    [NC_LASERSCAN] = {"sensor_msgs/msg/LaserScan", "sensor_msgs::msg::dds_::LaserScan_", 1, 0},
    [NC_JOINTSTATE] = {"sensor_msgs/msg/JointState", "sensor_msgs::msg::dds_::JointState_", 1, 1},
    [NC_F32ARRAY] = {"std_msgs/msg/Float32MultiArray", "std_msgs::msg::dds_::Float32MultiArray_", 1,
                     1},
    [NC_TWIST] = {"geometry_msgs/msg/Twist", "geometry_msgs::msg::dds_::Twist_", 0, 1},
};

const char *nc_type_name(nc_msg_type_t t) { return types[t].ros; }
const char *nc_dds_type_name(nc_msg_type_t t) { return types[t].dds; }

typedef struct parser {
    const char *path;
    int line;
    char *err;
    size_t errlen;
} parser_t;

/* Flawfinder: ignore (format attribute, not a call) */
__attribute__((format(printf, 3, 4))) static int fail(parser_t *p, const char *key, const char *fmt,
                                                      ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    /* NOLINT below: va_start is right above (an analyzer false positive) */
    /* Flawfinder: ignore (fmt: format-checked) */
    vsnprintf(what, sizeof what, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
    va_end(ap);
    if (key != NULL)
        snprintf(p->err, p->errlen, "%s:%d: key '%s': %s", p->path, p->line, key, what);
    else
        snprintf(p->err, p->errlen, "%s:%d: %s", p->path, p->line, what);
    return -1;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* A finite number in [lo, hi]. */
static int get_num(parser_t *p, const char *key, const char *v, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (end == v || *trim(end) != '\0' || errno == ERANGE || !isfinite(x))
        return fail(p, key, "'%s' is not a finite number", v);
    if (x < lo || x > hi)
        return fail(p, key, "%g is out of range [%g, %g]", x, lo, hi);
    *out = x;
    return 0;
}

static int get_int(parser_t *p, const char *key, const char *v, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (end == v || *trim(end) != '\0' || errno == ERANGE)
        return fail(p, key, "'%s' is not an integer", v);
    if (x < lo || x > hi)
        return fail(p, key, "%ld is out of range [%d, %d]", x, lo, hi);
    *out = (int)x;
    return 0;
}

/* A ROS topic name: starts with '/', then [A-Za-z0-9_/], no "//", no trailing '/'. */
static int get_topic(parser_t *p, const char *key, const char *v, char *out, int allow_empty)
{
    size_t n = strlen(v);
    if (n == 0 && allow_empty) {
        out[0] = '\0';
        return 0;
    }
    if (n < 2 || n >= NC_TOPIC || v[0] != '/' || v[n - 1] == '/' || strstr(v, "//") != NULL)
        return fail(p, key, "'%s' is not a ROS topic name like /robot/cmd_vel", v);
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)v[i]) && v[i] != '_' && v[i] != '/')
            return fail(p, key, "'%s': character '%c' is not allowed in a ROS topic name", v, v[i]);
    memcpy(out, v, n + 1);
    return 0;
}

/* Splits a space- or comma-separated list into at most NC_MAX_FIELDS words (in place); every
 * words[0..n-1] is set. */
static int split(parser_t *p, const char *key, char *v, char **words)
{
    int n = 0;
    char *q = v;
    for (;;) {
        while (*q == ' ' || *q == '\t' || *q == ',')
            *q++ = '\0';
        if (*q == '\0')
            break;
        if (n == NC_MAX_FIELDS) {
            fail(p, key, "more than %d values", NC_MAX_FIELDS);
            return -1;
        }
        words[n++] = q;
        while (*q != '\0' && *q != ' ' && *q != '\t' && *q != ',')
            q++;
    }
    if (n == 0) {
        fail(p, key, "empty list");
        return -1;
    }
    return n;
}

static int lookup(const char *const *names, int count, const char *w)
{
    for (int i = 0; i < count; i++)
        if (strcmp(names[i], w) == 0)
            return i;
    return -1;
}

static int parse_type(parser_t *p, const char *v, int output, nc_msg_type_t *out)
{
    for (int t = 0; t < NC_MSG_TYPE_COUNT; t++) {
        /* accept "pkg/msg/Name" and the short "pkg/Name" */
        const char *full = types[t].ros, *slash = strchr(full, '/');
        char shortname[96];
        snprintf(shortname, sizeof shortname, "%.*s%s", (int)(slash - full), full,
                 strrchr(full, '/'));
        if (strcmp(v, full) != 0 && strcmp(v, shortname) != 0)
            continue;
        if (output ? !types[t].output : !types[t].input)
            return fail(p, "type",
                        "%s cannot be %s (inputs: Imu, LaserScan, JointState, "
                        "Float32MultiArray; outputs: Twist, Float32MultiArray, JointState)",
                        full, output ? "an output" : "an input");
        *out = (nc_msg_type_t)t;
        return 0;
    }
    return fail(p, "type",
                "unknown message type '%s' (known: sensor_msgs/msg/Imu, sensor_msgs/msg/LaserScan, "
                "sensor_msgs/msg/JointState, std_msgs/msg/Float32MultiArray, "
                "geometry_msgs/msg/Twist)",
                v);
}

/* Keys seen in the current port section, to check completeness when the section ends. */
typedef struct seen {
    int topic, type, fields, bins, size, joints, safe, field;
    int safe_n;
} seen_t;

static int port_key(parser_t *p, nc_port_t *pt, int output, seen_t *s, const char *key, char *v)
{
    char *w[NC_MAX_FIELDS] = {NULL};
    int n;
    if (strcmp(key, "topic") == 0)
        return s->topic = 1, get_topic(p, key, v, pt->topic, 0);
    if (strcmp(key, "type") == 0) {
        if (s->type)
            return fail(p, key, "given twice in this section");
        s->type = 1;
        return parse_type(p, v, output, &pt->type);
    }
    if (!s->type && strcmp(key, "reliability") != 0 && strcmp(key, "depth") != 0 &&
        strcmp(key, "deadline") != 0)
        return fail(p, key, "comes before 'type' (say the message type first)");
    if (strcmp(key, "reliability") == 0) {
        if (strcmp(v, "reliable") == 0)
            pt->qos.reliability = NC_RELIABLE;
        else if (strcmp(v, "best_effort") == 0)
            pt->qos.reliability = NC_BEST_EFFORT;
        else
            return fail(p, key, "'%s' is not 'reliable' or 'best_effort'", v);
        return 0;
    }
    if (strcmp(key, "depth") == 0)
        return get_int(p, key, v, 1, 100000, &pt->qos.depth);
    if (strcmp(key, "deadline") == 0) {
        if (output)
            return fail(p, key, "applies to inputs only");
        return get_num(p, key, v, 0, 3600, &pt->qos.deadline);
    }
    if (strcmp(key, "fields") == 0 && (pt->type == NC_IMU || pt->type == NC_TWIST)) {
        const char *const *names = pt->type == NC_IMU ? nc_imu_fields : nc_twist_fields;
        int count = pt->type == NC_IMU ? NC_IMU_FIELDS : NC_TWIST_FIELDS;
        if ((n = split(p, key, v, w)) < 0)
            return -1;
        for (int i = 0; i < n; i++) {
            if ((pt->field[i] = lookup(names, count, w[i])) < 0)
                return fail(p, key, "'%s' is not a field of %s (e.g. %s)", w[i],
                            nc_type_name(pt->type), names[count - 1]);
            for (int j = 0; j < i; j++)
                if (pt->field[j] == pt->field[i])
                    return fail(p, key, "'%s' appears twice", w[i]);
        }
        pt->width = n;
        return s->fields = 1, 0;
    }
    if (strcmp(key, "bins") == 0 && pt->type == NC_LASERSCAN)
        return s->bins = 1, get_int(p, key, v, 1, NC_MAX_FIELDS, &pt->width);
    if (strcmp(key, "size") == 0 && pt->type == NC_F32ARRAY)
        return s->size = 1, get_int(p, key, v, 1, NC_MAX_FIELDS, &pt->width);
    if (strcmp(key, "joints") == 0 && pt->type == NC_JOINTSTATE) {
        if ((n = split(p, key, v, w)) < 0)
            return -1;
        for (int i = 0; i < n; i++) {
            if (strlen(w[i]) >= NC_NAME)
                return fail(p, key, "joint name '%s' is longer than %d characters", w[i],
                            NC_NAME - 1);
            for (int j = 0; j < i; j++)
                if (strcmp(pt->joints[j], w[i]) == 0)
                    return fail(p, key, "joint '%s' appears twice", w[i]);
            snprintf(pt->joints[i], sizeof pt->joints[i], "%s", w[i]);
        }
        pt->width = n;
        return s->joints = 1, 0;
    }
    if (strcmp(key, "field") == 0 && pt->type == NC_JOINTSTATE) {
        static const char *const jf[] = {"position", "velocity", "effort"};
        int k = lookup(jf, 3, v);
        if (k < 0)
            return fail(p, key, "'%s' is not position, velocity or effort", v);
        pt->joint_field = (nc_joint_field_t)k;
        return s->field = 1, 0;
    }
    if (strcmp(key, "safe") == 0 && output) {
        if ((n = split(p, key, v, w)) < 0)
            return -1;
        for (int i = 0; i < n; i++)
            if (get_num(p, key, w[i], -1e30, 1e30, &pt->safe[i]) < 0)
                return -1;
        s->safe_n = n;
        return s->safe = 1, 0;
    }
    return fail(p, key, "unknown key for a %s %s section", nc_type_name(pt->type),
                output ? "[output]" : "[input]");
}

/* Checks a finished port section. */
static int port_end(parser_t *p, nc_port_t *pt, int output, const seen_t *s)
{
    const char *what = output ? "output" : "input";
    int line = p->line;
    p->line = pt->line;
    int rc = 0;
    if (!s->type)
        rc = fail(p, "type", "[%s %s] has no message type", what, pt->name);
    else if (!s->topic)
        rc = fail(p, "topic", "[%s %s] has no topic", what, pt->name);
    else if ((pt->type == NC_IMU || pt->type == NC_TWIST) && !s->fields)
        rc = fail(p, "fields", "[%s %s] must list the %s fields it uses", what, pt->name,
                  nc_type_name(pt->type));
    else if (pt->type == NC_LASERSCAN && !s->bins)
        rc = fail(p, "bins", "[%s %s] must say how many bins the scan is reduced to", what,
                  pt->name);
    else if (pt->type == NC_F32ARRAY && !s->size)
        rc = fail(p, "size", "[%s %s] must give the number of values", what, pt->name);
    else if (pt->type == NC_JOINTSTATE && !s->joints)
        rc = fail(p, "joints", "[%s %s] must list the joint names", what, pt->name);
    else if (output && !s->safe)
        rc = fail(p, "safe", "[output %s] needs a safe command (%d values) for the watchdog",
                  pt->name, pt->width);
    else if (output && s->safe_n != pt->width)
        rc = fail(p, "safe", "[output %s] has %d safe values for %d outputs", pt->name, s->safe_n,
                  pt->width);
    p->line = line;
    return rc;
}

static void defaults(nc_config_t *c)
{
    memset(c, 0, sizeof *c);
    c->domain = -1; /* ROS_DOMAIN_ID, else 0 */
    c->step = NC_STEP_EVERY;
    c->step_thread = NC_THREAD_RECEIVE;
    c->write_batch = 0;
    c->trigger = -1;
    c->max_age = 0.5;
    c->gap_reset = 1.0;
    c->dt_initial = 0.01;
    c->time_scale = 1.0;
    c->watchdog = 0.5;
    c->diagnostics_period = 1.0;
    snprintf(c->name, sizeof c->name, "%s", "lln_ros2");
}

static int node_key(parser_t *p, nc_config_t *c, const char *key, char *v, char *trigger)
{
    if (strcmp(key, "domain") == 0)
        return get_int(p, key, v, 0, 232, &c->domain);
    if (strcmp(key, "step") == 0) {
        if (strcmp(v, "trigger") == 0)
            c->step = NC_STEP_TRIGGER;
        else if (strcmp(v, "every") == 0)
            c->step = NC_STEP_EVERY;
        else
            return fail(p, key, "'%s' is not 'trigger' or 'every'", v);
        return 0;
    }
    if (strcmp(key, "step_thread") == 0) {
        if (strcmp(v, "receive") == 0)
            c->step_thread = NC_THREAD_RECEIVE;
        else if (strcmp(v, "node") == 0)
            c->step_thread = NC_THREAD_NODE;
        else
            return fail(p, key, "'%s' is not 'receive' or 'node'", v);
        return 0;
    }
    if (strcmp(key, "write_batch") == 0) {
        if (strcmp(v, "on") == 0 || strcmp(v, "off") == 0)
            c->write_batch = strcmp(v, "on") == 0;
        else
            return fail(p, key, "'%s' is not 'on' or 'off'", v);
        return 0;
    }
    if (strcmp(key, "trigger") == 0) {
        if (strlen(v) >= NC_NAME || v[0] == '\0')
            return fail(p, key, "'%s' is not an input section name", v);
        snprintf(trigger, NC_NAME, "%s", v);
        return 0;
    }
    if (strcmp(key, "max_age") == 0)
        return get_num(p, key, v, 1e-6, 3600, &c->max_age);
    if (strcmp(key, "gap_reset") == 0)
        return get_num(p, key, v, 0, 3600, &c->gap_reset);
    if (strcmp(key, "dt_initial") == 0)
        return get_num(p, key, v, 1e-9, 3600, &c->dt_initial);
    if (strcmp(key, "time_scale") == 0)
        return get_num(p, key, v, 1e-9, 1e9, &c->time_scale);
    if (strcmp(key, "watchdog") == 0)
        return get_num(p, key, v, 0, 3600, &c->watchdog);
    if (strcmp(key, "diagnostics_period") == 0)
        return get_num(p, key, v, 0, 3600, &c->diagnostics_period);
    if (strcmp(key, "reset_topic") == 0)
        return get_topic(p, key, v, c->reset_topic, 1);
    if (strcmp(key, "metrics") == 0) {
        if (strcmp(v, "off") == 0) {
            c->metrics[0] = '\0';
            return 0;
        }
        const char *colon = strrchr(v, ':');
        int port;
        if (colon == NULL || colon == v || strlen(v) >= NC_TOPIC ||
            get_int(p, key, colon + 1, 1, 65535, &port) < 0)
            return fail(p, key, "'%s' is not HOST:PORT (e.g. 127.0.0.1:9464) or 'off'", v);
        snprintf(c->metrics, sizeof c->metrics, "%s", v);
        return 0;
    }
    if (strcmp(key, "name") == 0) {
        if (v[0] == '\0' || strlen(v) >= NC_NAME)
            return fail(p, key, "must be 1..%d characters", NC_NAME - 1);
        snprintf(c->name, sizeof c->name, "%s", v);
        return 0;
    }
    return fail(
        p, key,
        "unknown key in [node] (known: domain, step, step_thread, write_batch, trigger, max_age, "
        "gap_reset, "
        "dt_initial, time_scale, watchdog, diagnostics_period, reset_topic, metrics, name)");
}

int nc_parse(const char *text, const char *path, nc_config_t *c, char *err, size_t errlen)
{
    parser_t p = {path, 0, err, errlen};
    defaults(c);
    enum { NONE, NODE, INPUT, OUTPUT } sec = NONE;
    nc_port_t *pt = NULL;
    seen_t seen = {0};
    char trigger[NC_NAME] = "", line[1024];
    int node_seen = 0, trigger_line = 0;
    const char *s = text;
    while (*s != '\0') {
        const char *e = strchr(s, '\n');
        size_t n = e != NULL ? (size_t)(e - s) : strlen(s);
        p.line++;
        if (n >= sizeof line)
            return fail(&p, NULL, "line longer than %zu characters", sizeof line - 1);
        memcpy(line, s, n);
        line[n] = '\0';
        s += n + (e != NULL);
        char *hash = strchr(line, '#');
        if (hash != NULL)
            *hash = '\0';
        char *l = trim(line);
        if (*l == '\0')
            continue;
        if (*l == '[') {
            if ((sec == INPUT || sec == OUTPUT) && port_end(&p, pt, sec == OUTPUT, &seen) < 0)
                return -1;
            char *close = strchr(l, ']');
            if (close == NULL || *trim(close + 1) != '\0')
                return fail(&p, NULL, "malformed section header '%s'", l);
            *close = '\0';
            char *h = trim(l + 1), *name = h + strcspn(h, " \t");
            if (*name != '\0')
                *name++ = '\0';
            name = trim(name);
            if (strcmp(h, "node") == 0 && *name == '\0') {
                if (node_seen++)
                    return fail(&p, NULL, "a second [node] section");
                sec = NODE;
                continue;
            }
            int out = strcmp(h, "output") == 0;
            if (!out && strcmp(h, "input") != 0)
                return fail(&p, NULL,
                            "unknown section [%s] (sections: [node], [input NAME], "
                            "[output NAME])",
                            h);
            if (*name == '\0' || strlen(name) >= NC_NAME)
                return fail(&p, NULL, "[%s NAME] needs a name of 1..%d characters", h, NC_NAME - 1);
            for (const char *q = name; *q; q++)
                if (!isalnum((unsigned char)*q) && *q != '_')
                    return fail(&p, NULL, "section name '%s': use letters, digits and '_'", name);
            int *count = out ? &c->n_outputs : &c->n_inputs;
            nc_port_t *arr = out ? c->outputs : c->inputs;
            if (*count == NC_MAX_PORTS)
                return fail(&p, NULL, "more than %d %ss", NC_MAX_PORTS, h);
            for (int i = 0; i < *count; i++)
                if (strcmp(arr[i].name, name) == 0)
                    return fail(&p, NULL, "[%s %s] appears twice", h, name);
            pt = &arr[(*count)++];
            memset(pt, 0, sizeof *pt);
            snprintf(pt->name, sizeof pt->name, "%s", name);
            pt->line = p.line;
            pt->qos.reliability = out ? NC_RELIABLE : NC_BEST_EFFORT;
            pt->qos.depth = out ? 10 : 5;
            memset(&seen, 0, sizeof seen);
            sec = out ? OUTPUT : INPUT;
            continue;
        }
        char *eq = strchr(l, '=');
        if (eq == NULL)
            return fail(&p, NULL, "expected 'key = value' or a [section], got '%s'", l);
        *eq = '\0';
        char *key = trim(l), *v = trim(eq + 1);
        if (*key == '\0')
            return fail(&p, NULL, "a value without a key");
        if (sec == NONE)
            return fail(&p, key, "outside a section (start with [node] or [input NAME])");
        int rc;
        if (sec == NODE) {
            rc = node_key(&p, c, key, v, trigger);
            if (strcmp(key, "trigger") == 0)
                trigger_line = p.line;
        } else {
            rc = port_key(&p, pt, sec == OUTPUT, &seen, key, v);
        }
        if (rc < 0)
            return -1;
    }
    if ((sec == INPUT || sec == OUTPUT) && port_end(&p, pt, sec == OUTPUT, &seen) < 0)
        return -1;
    p.line = trigger_line;
    if (c->n_inputs == 0)
        return fail(&p, NULL, "no [input NAME] section");
    if (c->n_outputs == 0)
        return fail(&p, NULL, "no [output NAME] section");
    if (c->step == NC_STEP_TRIGGER) {
        if (trigger[0] == '\0')
            return fail(&p, "trigger", "step = trigger needs 'trigger = INPUT' in [node]");
        for (int i = 0; i < c->n_inputs; i++)
            if (strcmp(c->inputs[i].name, trigger) == 0)
                c->trigger = i;
        if (c->trigger < 0)
            return fail(&p, "trigger", "no [input %s] section", trigger);
    } else if (trigger[0] != '\0') {
        return fail(&p, "trigger", "only used with step = trigger");
    }
    for (int i = 0; i < c->n_inputs; i++) {
        c->inputs[i].first = c->input_width;
        c->input_width += c->inputs[i].width;
    }
    for (int i = 0; i < c->n_outputs; i++) {
        c->outputs[i].first = c->output_width;
        c->output_width += c->outputs[i].width;
    }
    return 0;
}

int nc_load(const char *path, nc_config_t *cfg, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 20, len = 0;
    char *text = malloc(cap + 1);
    if (text == NULL) {
        fclose(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    len = fread(text, 1, cap + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || len > cap) {
        free(text);
        snprintf(err, errlen, "%s: %s", path, bad ? "read error" : "larger than 1 MiB");
        return -1;
    }
    text[len] = '\0';
    if (strlen(text) != len) {
        free(text);
        snprintf(err, errlen, "%s: contains a NUL byte (not a text file)", path);
        return -1;
    }
    int rc = nc_parse(text, path, cfg, err, errlen);
    free(text);
    return rc;
}

int nc_check_model(const nc_config_t *c, const char *path, int model_inputs, int model_outputs,
                   char *err, size_t errlen)
{
    if (c->input_width != model_inputs) {
        snprintf(err, errlen, "%s: the inputs give %d values but the model takes %d", path,
                 c->input_width, model_inputs);
        return -1;
    }
    if (c->output_width != model_outputs) {
        snprintf(err, errlen, "%s: the outputs take %d values but the model gives %d", path,
                 c->output_width, model_outputs);
        return -1;
    }
    return 0;
}
