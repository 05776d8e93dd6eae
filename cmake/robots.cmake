# The robot task zoo (robots/): `lln data make TASK` and `lln sim TASK`. MuJoCo (Debian
# libmujoco-dev) is optional: found by its header and library; without it the MuJoCo tasks are left out and `lln sim` says so.
set(LLN_ROBOTS_SOURCES ${CMAKE_SOURCE_DIR}/robots/episode.c ${CMAKE_SOURCE_DIR}/robots/rng.c
  ${CMAKE_SOURCE_DIR}/robots/tasks.c ${CMAKE_SOURCE_DIR}/robots/task_linefollow.c
  ${CMAKE_SOURCE_DIR}/robots/policy.c
  ${CMAKE_SOURCE_DIR}/robots/data.c ${CMAKE_SOURCE_DIR}/robots/firmware.c)
option(LLN_MUJOCO "Build the MuJoCo robot tasks when MuJoCo is found" ON)
set(LLN_HAVE_MUJOCO OFF)
if(LLN_MUJOCO)
  # Debian's CMake package names an include folder it does not install: header and library
  find_path(LLN_MUJOCO_INCLUDE mujoco/mujoco.h)
  find_library(LLN_MUJOCO_LIBRARY mujoco)
  if(LLN_MUJOCO_INCLUDE AND LLN_MUJOCO_LIBRARY)
    set(LLN_MUJOCO_LIB ${LLN_MUJOCO_LIBRARY})
    set(LLN_HAVE_MUJOCO ON)
  endif()
endif()
if(LLN_HAVE_MUJOCO)
  message(STATUS "MuJoCo found: lln sim runs all robot tasks")
  set(LLN_MJCF cartpole.xml reacher.xml avoid.xml)
  set(mjcf_files "")
  set(mjcf_names "")
  set(mjcf_deps "")
  set(i 0)
  foreach(f ${LLN_MJCF})
    list(APPEND mjcf_files ${CMAKE_SOURCE_DIR}/robots/${f})
    list(APPEND mjcf_names rb_mjcf_${i})
    list(APPEND mjcf_deps ${CMAKE_SOURCE_DIR}/robots/${f})
    math(EXPR i "${i} + 1")
  endforeach()
  string(REPLACE ";" "|" mjcf_files "${mjcf_files}")
  string(REPLACE ";" "|" mjcf_names "${mjcf_names}")
  string(REPLACE ";" "|" mjcf_paths "${LLN_MJCF}")
  set(LLN_MJCF_EMBED ${CMAKE_BINARY_DIR}/generated/mjcf_embed.c)
  add_custom_command(OUTPUT ${LLN_MJCF_EMBED}
    COMMAND ${CMAKE_COMMAND} -DOUT=${LLN_MJCF_EMBED} "-DFILES=${mjcf_files}"
      "-DNAMES=${mjcf_names}" "-DPATHS=${mjcf_paths}" -DTABLE=rb_mjcf_files
      -P ${CMAKE_SOURCE_DIR}/cmake/embed.cmake
    DEPENDS ${mjcf_deps} ${CMAKE_SOURCE_DIR}/cmake/embed.cmake
    COMMENT "Embedding the robot tasks' MJCF models" VERBATIM)
  list(APPEND LLN_ROBOTS_SOURCES ${LLN_MJCF_EMBED} ${CMAKE_SOURCE_DIR}/robots/mj_load.c
    ${CMAKE_SOURCE_DIR}/robots/task_cartpole.c ${CMAKE_SOURCE_DIR}/robots/task_reacher.c
    ${CMAKE_SOURCE_DIR}/robots/task_avoid.c)
  target_compile_definitions(lln_cli_obj PRIVATE LLN_HAVE_MUJOCO=1)
  target_include_directories(lln_cli_obj PRIVATE ${LLN_MUJOCO_INCLUDE})
  target_link_libraries(lln_cli_obj PUBLIC ${LLN_MUJOCO_LIB})
else()
  message(STATUS "MuJoCo not found (apt-get install libmujoco-dev): lln sim runs line-follow only")
endif()
if(LLN_CLI_WITHOUT_SIM) # cmake/cli_port.cmake: no lln sim on Windows
  list(REMOVE_ITEM LLN_ROBOTS_SOURCES ${CMAKE_SOURCE_DIR}/robots/firmware.c)
endif()
# the tasks are command-line code: in the CLI's object library, with its public-API-only rule
target_sources(lln_cli_obj PRIVATE ${LLN_ROBOTS_SOURCES})
target_include_directories(lln_cli_obj PUBLIC ${CMAKE_SOURCE_DIR}/robots)
