# lln-mpi: the lln command with training and search spread over MPI processes (cli/dist.h,
# mpi/dist_mpi.c, docs/CLUSTER.md). Optional: built when CMake finds an MPI C library
# (Debian: libopenmpi-dev); -DLLN_MPI=OFF skips it. The library itself never links MPI.
# The CLI's sources are compiled again for it, with mpi/dist_mpi.c in place of
# cli/dist_local.c (the one-process group of lln and of the tests that link lln_cli_obj).
option(LLN_MPI "Build lln-mpi when an MPI C library is found" ON)
set(LLN_HAVE_MPI OFF)
if(LLN_MPI)
  find_package(MPI COMPONENTS C QUIET)
  if(MPI_C_FOUND)
    set(LLN_HAVE_MPI ON)
    set(LLN_MPI_CLI_SOURCES ${LLN_CLI_SOURCES})
    list(REMOVE_ITEM LLN_MPI_CLI_SOURCES ${CMAKE_SOURCE_DIR}/cli/dist_local.c)
    add_executable(lln-mpi ${CMAKE_SOURCE_DIR}/cli/main.c ${LLN_MPI_CLI_SOURCES}
      ${CMAKE_SOURCE_DIR}/mpi/dist_mpi.c)
    set_target_properties(lln-mpi PROPERTIES C_STANDARD 11
      INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
    target_include_directories(lln-mpi PRIVATE ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR}/cli)
    target_compile_definitions(lln-mpi PRIVATE _POSIX_C_SOURCE=200809L _DEFAULT_SOURCE LLN_MPI=1
      LLN_VERSION_STRING="${PROJECT_VERSION}")
    target_link_libraries(lln-mpi PRIVATE lln_shared PkgConfig::CJSON ZLIB::ZLIB m MPI::MPI_C)
    # Its own install component, not in the default installation: the release tarball and its
    # SBOM cover lln and liblln, whose dependencies do not include an MPI library.
    #   cmake --install BUILD --component mpi
    install(TARGETS lln-mpi RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT mpi
      EXCLUDE_FROM_ALL)
    message(STATUS "MPI ${MPI_C_VERSION} found: building lln-mpi")
  else()
    message(STATUS "MPI not found: lln-mpi is not built (install libopenmpi-dev)")
  endif()
endif()
