# `lln sim TASK --ros2` (robots/ros2_link.c): the simulator closes the loop with an lln-ros2
# node over DDS. Optional: only when Cyclone DDS (cyclonedds-dev) and its idlc
# (cyclonedds-tools) are found; without them lln builds as before and --ros2 says so.
find_package(CycloneDDS QUIET CONFIG)
find_program(LLN_SIM_IDLC idlc)
if(NOT CycloneDDS_FOUND OR NOT LLN_SIM_IDLC)
  message(STATUS "lln sim --ros2: not built (needs cyclonedds-dev and cyclonedds-tools)")
  return()
endif()
# the node's ROS 2 message IDL, compiled for the simulator's own use
set(LLN_SIM_GEN ${CMAKE_BINARY_DIR}/generated/sim_ros2)
file(MAKE_DIRECTORY ${LLN_SIM_GEN})
add_custom_command(OUTPUT ${LLN_SIM_GEN}/ros2_msgs.c ${LLN_SIM_GEN}/ros2_msgs.h
  COMMAND ${LLN_SIM_IDLC} -o ${LLN_SIM_GEN} ${CMAKE_SOURCE_DIR}/ros2/ros2_msgs.idl
  DEPENDS ${CMAKE_SOURCE_DIR}/ros2/ros2_msgs.idl
  COMMENT "idlc: ROS 2 message types for lln sim --ros2" VERBATIM)
add_custom_target(lln_sim_ros2_msgs DEPENDS ${LLN_SIM_GEN}/ros2_msgs.c ${LLN_SIM_GEN}/ros2_msgs.h)
if(TARGET lln_generated)
  add_dependencies(lln_generated lln_sim_ros2_msgs)
endif()
add_dependencies(lln_cli_obj lln_sim_ros2_msgs)
target_sources(lln_cli_obj PRIVATE ${CMAKE_SOURCE_DIR}/robots/ros2_link.c ${LLN_SIM_GEN}/ros2_msgs.c)
set_source_files_properties(${CMAKE_SOURCE_DIR}/robots/ros2_link.c ${LLN_SIM_GEN}/ros2_msgs.c
  PROPERTIES INCLUDE_DIRECTORIES ${LLN_SIM_GEN})
target_compile_definitions(lln_cli_obj PRIVATE LLN_HAVE_ROS2=1)
target_link_libraries(lln_cli_obj PUBLIC CycloneDDS::ddsc)
