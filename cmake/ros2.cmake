# lln-ros2: the ROS 2 node over Cyclone DDS (ros2/, docs/ROS2.md). Built only when Cyclone DDS
# (Debian cyclonedds-dev + cyclonedds-tools for idlc) and libmicrohttpd (libmicrohttpd-dev,
# the /metrics endpoint) are found, so the core kit builds without them.
pkg_check_modules(MHD QUIET IMPORTED_TARGET libmicrohttpd)
if(NOT LLN_ROS2_TYPES_FOUND OR NOT MHD_FOUND)
  message(STATUS "lln-ros2: not built (needs cyclonedds-dev, cyclonedds-tools, libmicrohttpd-dev)")
  return()
endif()
message(STATUS "lln-ros2: building the ROS 2 node (Cyclone DDS ${CycloneDDS_VERSION})")

# The message types come from cmake/ros2_types.cmake (lln_ros2_types, shared with lln sim).
add_executable(lln_ros2 ${CMAKE_SOURCE_DIR}/ros2/node.c ${CMAKE_SOURCE_DIR}/ros2/node_config.c
  ${CMAKE_SOURCE_DIR}/ros2/metrics.c ${CMAKE_SOURCE_DIR}/ros2/scan_bins.c)
set_target_properties(lln_ros2 PROPERTIES OUTPUT_NAME lln-ros2 C_STANDARD 11)
target_compile_definitions(lln_ros2 PRIVATE _POSIX_C_SOURCE=200809L _DEFAULT_SOURCE)
target_include_directories(lln_ros2 PRIVATE ${CMAKE_SOURCE_DIR}/ros2)
# Only the public API: like `lln`, the node links the shared library, which exports the lln_
# symbols alone (a call to an internal function would not link). zlib: the model's Adler-32.
target_link_libraries(lln_ros2 PRIVATE lln_shared lln_ros2_types PkgConfig::MHD ZLIB::ZLIB
  Threads::Threads m)
set_target_properties(lln_ros2 PROPERTIES INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
install(TARGETS lln_ros2 RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${CMAKE_SOURCE_DIR}/ros2/lln-ros2.service ${CMAKE_SOURCE_DIR}/ros2/example.conf
  ${CMAKE_SOURCE_DIR}/ros2/cyclonedds-loopback.xml ${CMAKE_SOURCE_DIR}/ros2/grafana-dashboard.json
  DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/liquid-edge/ros2)

# Unit test of the config parser and the LaserScan binning (no DDS traffic).
add_executable(test_ros2_units ${CMAKE_SOURCE_DIR}/tests/ros2/test_ros2_units.c
  ${CMAKE_SOURCE_DIR}/ros2/node_config.c ${CMAKE_SOURCE_DIR}/ros2/scan_bins.c)
set_target_properties(test_ros2_units PROPERTIES C_STANDARD 11)
target_compile_definitions(test_ros2_units PRIVATE _POSIX_C_SOURCE=200809L)
target_include_directories(test_ros2_units PRIVATE ${CMAKE_SOURCE_DIR}/ros2)
target_link_libraries(test_ros2_units PRIVATE m)
add_test(NAME ros2_units COMMAND test_ros2_units)

# The wire tests: a talker and a listener built from IDL that tests/ros2/msg2idl.py generates
# from the upstream ROS 2 .msg files (shared reference material), not from ros2/ros2_msgs.idl.
set(LLN_ROS2_MSGS ${LLN_SHARED_DIR}/anchors/ros2-interfaces)
find_program(LLN_PYTHON3 python3)
if(EXISTS ${LLN_ROS2_MSGS}/sensor_msgs/msg/Imu.msg AND LLN_PYTHON3)
  set(LLN_ROS2_TGEN ${CMAKE_BINARY_DIR}/generated/ros2_upstream)
  file(MAKE_DIRECTORY ${LLN_ROS2_TGEN})
  add_custom_command(OUTPUT ${LLN_ROS2_TGEN}/upstream_msgs.c ${LLN_ROS2_TGEN}/upstream_msgs.h
    COMMAND ${LLN_PYTHON3} ${CMAKE_SOURCE_DIR}/tests/ros2/msg2idl.py ${LLN_ROS2_MSGS}
      -o ${LLN_ROS2_TGEN}/upstream_msgs.idl sensor_msgs/Imu sensor_msgs/LaserScan
      sensor_msgs/JointState geometry_msgs/Twist std_msgs/Float32MultiArray std_msgs/Bool
      diagnostic_msgs/DiagnosticArray
    COMMAND ${LLN_IDLC} -o ${LLN_ROS2_TGEN} ${LLN_ROS2_TGEN}/upstream_msgs.idl
    DEPENDS ${CMAKE_SOURCE_DIR}/tests/ros2/msg2idl.py
    COMMENT "msg2idl + idlc: upstream ROS 2 message types for the wire tests" VERBATIM)
  add_custom_target(lln_ros2_upstream_msgs
    DEPENDS ${LLN_ROS2_TGEN}/upstream_msgs.c ${LLN_ROS2_TGEN}/upstream_msgs.h)
  add_dependencies(lln_generated lln_ros2_upstream_msgs)
  foreach(t talker listener dds_ping)
    add_executable(ros2_test_${t} ${CMAKE_SOURCE_DIR}/tests/ros2/${t}.c
      ${LLN_ROS2_TGEN}/upstream_msgs.c)
    set_target_properties(ros2_test_${t} PROPERTIES C_STANDARD 11)
    add_dependencies(ros2_test_${t} lln_ros2_upstream_msgs)
    target_compile_definitions(ros2_test_${t} PRIVATE _POSIX_C_SOURCE=200809L _DEFAULT_SOURCE)
    target_include_directories(ros2_test_${t} PRIVATE ${LLN_ROS2_TGEN} ${CMAKE_SOURCE_DIR}/tests/ros2)
    target_link_libraries(ros2_test_${t} PRIVATE CycloneDDS::ddsc m)
  endforeach()
  add_executable(ros2_test_overflow_model ${CMAKE_SOURCE_DIR}/tests/ros2/overflow_model.c)
  target_link_libraries(ros2_test_overflow_model PRIVATE lln_shared)
  add_test(NAME ros2_wire COMMAND bash ${CMAKE_SOURCE_DIR}/tests/ros2/run.sh
    ${CMAKE_BINARY_DIR} quick)
  set_tests_properties(ros2_wire PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300 RUN_SERIAL TRUE)
else()
  message(STATUS "lln-ros2: wire tests not built (no ${LLN_ROS2_MSGS} or no python3)")
endif()
