# lln-mpi: the lln command with training and search spread over MPI processes (cli/dist.h,
# mpi/dist_mpi.c, docs/CLUSTER.md). Optional: built when CMake finds an MPI C library
# (Debian: libopenmpi-dev); -DLLN_MPI=OFF skips it. The library itself never links MPI.
# The CLI's process group is one process in lln (mpi/dist_local.c, a static library that
# the CLI's object library brings to everything linking it) and MPI in lln-mpi, whose
# mpi/dist_mpi.c object defines the same functions first, so the archive's are not taken.
add_library(lln_dist_local STATIC ${CMAKE_SOURCE_DIR}/mpi/dist_local.c)
set_target_properties(lln_dist_local PROPERTIES C_STANDARD 11)
target_include_directories(lln_dist_local PRIVATE ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR}/cli)
target_link_libraries(lln_cli_obj PUBLIC lln_dist_local)
option(LLN_MPI "Build lln-mpi when an MPI C library is found" ON)
set(LLN_HAVE_MPI OFF)
if(LLN_MPI)
  find_package(MPI COMPONENTS C QUIET)
  if(MPI_C_FOUND)
    set(LLN_HAVE_MPI ON)
    add_executable(lln-mpi ${CMAKE_SOURCE_DIR}/cli/main.c ${CMAKE_SOURCE_DIR}/mpi/dist_mpi.c
      $<TARGET_OBJECTS:lln_cli_obj>)
    set_target_properties(lln-mpi PROPERTIES C_STANDARD 11
      INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
    target_link_libraries(lln-mpi PRIVATE lln_cli_obj lln_shared MPI::MPI_C)
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
