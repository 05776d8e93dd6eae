# `lln sim TASK --ros2` (robots/ros2_link.c): the simulator closes the loop with an lln-ros2
# node over DDS. Optional: only when Cyclone DDS (cyclonedds-dev) and its idlc
# (cyclonedds-tools) are found; without them lln builds as before and --ros2 says so.
if(NOT LLN_ROS2_TYPES_FOUND)
  message(STATUS "lln sim --ros2: not built (needs cyclonedds-dev and cyclonedds-tools)")
  return()
endif()
# the message types of cmake/ros2_types.cmake (compiled once, shared with lln-ros2)
target_sources(lln_cli_obj PRIVATE ${CMAKE_SOURCE_DIR}/robots/ros2_link.c)
target_compile_definitions(lln_cli_obj PRIVATE LLN_HAVE_ROS2=1)
target_link_libraries(lln_cli_obj PUBLIC lln_ros2_types)
