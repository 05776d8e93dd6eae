/* The node's configuration file (docs/ROS2.md, "Configuration"): an INI-style text file with a
 * [node] section, one [input NAME] section per subscribed topic and one [output NAME] section
 * per published topic. Parsing checks every key and value and names the file, line and key of
 * the first problem. No DDS here, so the parser is testable on its own. */
#ifndef LLN_ROS2_NODE_CONFIG_H
#define LLN_ROS2_NODE_CONFIG_H

#include <stddef.h>

#define NC_MAX_PORTS 16  /* inputs, and outputs, per node */
#define NC_MAX_FIELDS 64 /* values one topic contributes to (or takes from) the model */
#define NC_NAME 64
#define NC_TOPIC 256

/* Message types the node knows. */
typedef enum nc_msg_type {
    NC_IMU,        /* sensor_msgs/msg/Imu (input) */
    NC_LASERSCAN,  /* sensor_msgs/msg/LaserScan (input) */
    NC_JOINTSTATE, /* sensor_msgs/msg/JointState (input and output) */
    NC_F32ARRAY,   /* std_msgs/msg/Float32MultiArray (input and output) */
    NC_TWIST,      /* geometry_msgs/msg/Twist (output) */
    NC_MSG_TYPE_COUNT
} nc_msg_type_t;

typedef enum nc_reliability { NC_RELIABLE = 0, NC_BEST_EFFORT = 1 } nc_reliability_t;
typedef enum nc_step_mode { NC_STEP_TRIGGER = 0, NC_STEP_EVERY = 1 } nc_step_mode_t;
/* Which thread takes the inputs and steps: Cyclone's receive thread (a data-available listener,
 * one thread hop less) or the node's main thread (woken by a waitset). */
typedef enum nc_step_thread { NC_THREAD_RECEIVE = 0, NC_THREAD_NODE = 1 } nc_step_thread_t;
/* Which array of a JointState: position, velocity or effort. */
typedef enum nc_joint_field {
    NC_JOINT_POSITION = 0,
    NC_JOINT_VELOCITY,
    NC_JOINT_EFFORT
} nc_joint_field_t;

typedef struct nc_qos {
    nc_reliability_t reliability;
    int depth;       /* KEEP_LAST depth, 1..10000 */
    double deadline; /* seconds between messages the reader expects (0 = none) */
} nc_qos_t;

/* One subscribed or published topic. */
typedef struct nc_port {
    char name[NC_NAME];   /* the section's NAME (metrics label) */
    char topic[NC_TOPIC]; /* ROS name, e.g. /imu (the DDS topic is "rt" + this) */
    nc_msg_type_t type;
    nc_qos_t qos;
    int width;                /* model values this topic provides (input) or takes (output) */
    int first;                /* index of its first value in the model's input or output vector */
    int field[NC_MAX_FIELDS]; /* Imu: nc_imu_field index; Twist: nc_twist_field index */
    char joints[NC_MAX_FIELDS][NC_NAME]; /* JointState: joint names, in model order */
    nc_joint_field_t joint_field;        /* JointState: which array */
    double safe[NC_MAX_FIELDS];          /* output: the safe command (model output units) */
    int line;                            /* where the section starts */
} nc_port_t;

typedef struct nc_config {
    int domain; /* DDS domain (= ROS_DOMAIN_ID) */
    nc_step_mode_t step;
    nc_step_thread_t step_thread;
    int write_batch;           /* 1: Cyclone's write batching, flushed after each batch of inputs */
    int trigger;               /* index into inputs (step = trigger) */
    double max_age;            /* s: an input older than this relative to the step -> no step */
    double gap_reset;          /* s: a larger Δt resets the state first (0 = never) */
    double dt_initial;         /* s: Δt of the first step after start or a reset */
    double time_scale;         /* model time units per second of stamp time */
    double watchdog;           /* s without a published command -> safe command (0 = off) */
    double diagnostics_period; /* s between DiagnosticArray messages (0 = off) */
    char reset_topic[NC_TOPIC]; /* std_msgs/msg/Bool; "" = none */
    char metrics[NC_TOPIC];     /* "HOST:PORT" for /metrics, "" = off */
    char name[NC_NAME];         /* diagnostics name and hardware_id */
    int n_inputs, n_outputs;
    nc_port_t inputs[NC_MAX_PORTS];
    nc_port_t outputs[NC_MAX_PORTS];
    int input_width, output_width; /* sums of the ports' widths */
} nc_config_t;

/* Field names of Imu inputs (index = nc_port_t.field value) and Twist outputs. */
#define NC_IMU_FIELDS 10
#define NC_TWIST_FIELDS 6
extern const char *const nc_imu_fields[NC_IMU_FIELDS];
extern const char *const nc_twist_fields[NC_TWIST_FIELDS];

/* ROS type name ("sensor_msgs/msg/Imu") of a type, and its DDS type name. */
const char *nc_type_name(nc_msg_type_t t);
const char *nc_dds_type_name(nc_msg_type_t t);

/* Parses text (the contents of file `path`, used in messages). On error returns -1 and writes
 * "PATH:LINE: key 'K': problem" into err. */
int nc_parse(const char *text, const char *path, nc_config_t *cfg, char *err, size_t errlen);
/* Reads and parses a file; -1 with a message on error. */
int nc_load(const char *path, nc_config_t *cfg, char *err, size_t errlen);
/* Checks the ports against the model's input and output sizes; -1 with a message. */
int nc_check_model(const nc_config_t *cfg, const char *path, int model_inputs, int model_outputs,
                   char *err, size_t errlen);

#endif
