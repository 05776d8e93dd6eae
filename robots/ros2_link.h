/* `lln sim TASK --ros2`: a controller that is a ROS 2 node somewhere on the DDS network (an
 * lln-ros2 running the policy). The simulator publishes each sensor reading as a
 * std_msgs/Float32MultiArray on /lln_sim/sensors, stamped (DDS source timestamp) with the
 * simulated time, and takes the command from /lln_sim/commands (Float32MultiArray); before
 * each episode it publishes std_msgs/Bool true on /lln_sim/reset, stamped with the episode's
 * start, and waits until it is acknowledged. Built only with Cyclone DDS (LLN_HAVE_ROS2). */
#ifndef LLN_ROBOTS_ROS2_LINK_H
#define LLN_ROBOTS_ROS2_LINK_H

#include <stddef.h>

#include "robots.h"

typedef struct rb_ros2 rb_ros2_t;

/* Joins DDS domain ROS_DOMAIN_ID (default 0; CYCLONEDDS_URI as usual) and waits up to
 * wait_s seconds for a node to subscribe to the sensors and publish the commands. Each
 * command must come within reply_s seconds of its reading. 0 + message on failure. */
int rb_ros2_open(rb_ros2_t **out, const rb_task_t *t, double wait_s, double reply_s,
                 rb_controller_t *c, char *err, size_t errlen);
void rb_ros2_close(rb_ros2_t *l);

#endif
