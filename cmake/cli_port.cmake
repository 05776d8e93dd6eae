# The lln command on each operating system (docs/DESIGN.md, "Platforms"). Included from the
# CLI section of CMakeLists.txt once LLN_CLI_SOURCES (cli/*.c but main.c) is known; sets
# LLN_CLI_PORT_LIBS for the CLI's link line (cJSON; on Windows winpthreads, whose
# clock_gettime the progress display and the training history use).
#  - cli/os.h, the CLI's operating-system layer: cli/port/os_win32.c on Windows,
#    cli/port/os_posix.c everywhere else; exactly one of the two is compiled.
#  - Windows leaves out lln compare, search and sim (they profile or run firmware under QEMU)
#    and robots/firmware.c (sim's QEMU link); cli/port/without_emulators.c says so instead.
#  - cJSON (Debian libcjson-dev, through pkg-config) is required on POSIX systems. Debian
#    builds it for no mingw-w64 target, so a Windows build without it also leaves out lln
#    report and plot (they read JSON result files) and links cli/port/without_cjson.c.
#    (MSYS2's mingw-w64-x86_64-cjson provides it to a native Windows build.)
set(LLN_CLI_PORT ${CMAKE_SOURCE_DIR}/cli/port)
set(LLN_CLI_PORT_LIBS "")
set(LLN_CLI_WITHOUT_SIM OFF)
if(WIN32)
  pkg_check_modules(CJSON IMPORTED_TARGET libcjson)
  list(APPEND LLN_CLI_SOURCES ${LLN_CLI_PORT}/os_win32.c ${LLN_CLI_PORT}/without_emulators.c)
  list(APPEND LLN_CLI_PORT_LIBS Threads::Threads)
  foreach(f cmd_compare compare_util cmd_search search_run search_space cmd_sim)
    list(REMOVE_ITEM LLN_CLI_SOURCES ${CMAKE_SOURCE_DIR}/cli/${f}.c)
  endforeach()
  set(LLN_CLI_WITHOUT_SIM ON) # cmake/robots.cmake leaves robots/firmware.c out
else()
  pkg_check_modules(CJSON REQUIRED IMPORTED_TARGET libcjson)
  list(APPEND LLN_CLI_SOURCES ${LLN_CLI_PORT}/os_posix.c)
endif()
if(CJSON_FOUND)
  list(APPEND LLN_CLI_PORT_LIBS PkgConfig::CJSON)
else()
  foreach(f cmd_report cmd_plot report_load report_figs)
    list(REMOVE_ITEM LLN_CLI_SOURCES ${CMAKE_SOURCE_DIR}/cli/${f}.c)
  endforeach()
  list(APPEND LLN_CLI_SOURCES ${LLN_CLI_PORT}/without_cjson.c)
  message(STATUS "cJSON not found: lln without report and plot")
endif()
