# The lln command on each operating system (docs/DESIGN.md, "Platforms"). Included from the
# CLI section of CMakeLists.txt once LLN_CLI_SOURCES (cli/*.c but main.c) is known; sets
# LLN_CLI_PORT_LIBS for the CLI's link line.
#  - cli/os.h, the CLI's operating-system layer: cli/port/os_win32.c on Windows,
#    cli/port/os_posix.c everywhere else; exactly one of the two is compiled.
#  - cJSON (Debian libcjson-dev, through pkg-config) is required on POSIX systems. Debian
#    builds it for no mingw-w64 target, so a Windows build without it leaves out the commands
#    that read or write JSON result files (report, plot, compare, search, sim) and links
#    cli/port/without_cjson.c, whose stand-ins say so, instead.
set(LLN_CLI_PORT ${CMAKE_SOURCE_DIR}/cli/port)
if(WIN32)
  list(APPEND LLN_CLI_SOURCES ${LLN_CLI_PORT}/os_win32.c)
  pkg_check_modules(CJSON IMPORTED_TARGET libcjson)
else()
  list(APPEND LLN_CLI_SOURCES ${LLN_CLI_PORT}/os_posix.c)
  pkg_check_modules(CJSON REQUIRED IMPORTED_TARGET libcjson)
endif()
set(LLN_CLI_PORT_LIBS "")
if(WIN32)
  list(APPEND LLN_CLI_PORT_LIBS Threads::Threads)
endif()
if(CJSON_FOUND)
  list(APPEND LLN_CLI_PORT_LIBS PkgConfig::CJSON)
else()
  foreach(f cmd_report cmd_plot report_load report_figs cmd_compare compare_util cmd_search
      search_run search_space cmd_sim)
    list(REMOVE_ITEM LLN_CLI_SOURCES ${CMAKE_SOURCE_DIR}/cli/${f}.c)
  endforeach()
  list(APPEND LLN_CLI_SOURCES ${LLN_CLI_PORT}/without_cjson.c)
  set(LLN_CLI_WITHOUT_SIM ON) # robots/firmware.c (lln sim's QEMU link) is left out too
  message(STATUS "cJSON not found: lln without report, plot, compare, search and sim")
endif()
