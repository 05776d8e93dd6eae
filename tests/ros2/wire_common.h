/* Shared by the wire-test talker and listener (tests/ros2/). */
#ifndef LLN_ROS2_WIRE_COMMON_H
#define LLN_ROS2_WIRE_COMMON_H

#include <stdio.h>
#include <stdlib.h>

#include "dds/dds.h"

/* The DDS domain: ROS_DOMAIN_ID as in ROS 2 (default 0). */
static inline dds_domainid_t domain_from_env(void)
{
    const char *d = getenv("ROS_DOMAIN_ID");
    return d != NULL && *d != '\0' ? (dds_domainid_t)strtol(d, NULL, 10) : 0;
}

/* A command-line number, or exit 2 naming it. */
static inline double arg_num(const char *s, const char *what)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !(v == v)) {
        fprintf(stderr, "%s: '%s' is not a number\n", what, s);
        exit(2);
    }
    return v;
}

#endif
