# The C types of the ROS 2 messages the node and `lln sim --ros2` exchange, generated once from the
# hand-written ros2/ros2_msgs.idl by Cyclone DDS's idlc and compiled once into the static library
# lln_ros2_types, which both front ends link (cmake/ros2.cmake, cmake/sim_ros2.cmake).
# Defines LLN_ROS2_TYPES_FOUND; without cyclonedds-dev + cyclonedds-tools it is FALSE and the
# including files skip what needs DDS. lln_generated: the generated headers alone (no
# compiling), so that a static analyser can read ros2/, robots/ and tests/ros2/ in a configured
# but unbuilt tree (.ci/stages/security.sh).
add_custom_target(lln_generated)
set(LLN_ROS2_TYPES_FOUND FALSE)
find_package(CycloneDDS QUIET CONFIG)
find_program(LLN_IDLC idlc)
if(NOT CycloneDDS_FOUND OR NOT LLN_IDLC)
  return()
endif()
set(LLN_ROS2_TYPES_FOUND TRUE)
set(LLN_ROS2_GEN ${CMAKE_BINARY_DIR}/generated/ros2)
file(MAKE_DIRECTORY ${LLN_ROS2_GEN})
add_custom_command(OUTPUT ${LLN_ROS2_GEN}/ros2_msgs.c ${LLN_ROS2_GEN}/ros2_msgs.h
  COMMAND ${LLN_IDLC} -o ${LLN_ROS2_GEN} ${CMAKE_SOURCE_DIR}/ros2/ros2_msgs.idl
  DEPENDS ${CMAKE_SOURCE_DIR}/ros2/ros2_msgs.idl
  COMMENT "idlc: ROS 2 message types" VERBATIM)
add_custom_target(lln_ros2_msgs DEPENDS ${LLN_ROS2_GEN}/ros2_msgs.c ${LLN_ROS2_GEN}/ros2_msgs.h)
add_dependencies(lln_generated lln_ros2_msgs)
add_library(lln_ros2_types STATIC ${LLN_ROS2_GEN}/ros2_msgs.c)
add_dependencies(lln_ros2_types lln_ros2_msgs) # one target runs idlc (no parallel double run)
set_target_properties(lln_ros2_types PROPERTIES C_STANDARD 11 POSITION_INDEPENDENT_CODE ON)
target_include_directories(lln_ros2_types PUBLIC ${LLN_ROS2_GEN})
target_link_libraries(lln_ros2_types PUBLIC CycloneDDS::ddsc)
