# The lower layers of the library (src/common, src/core, src/io) as one object library,
# compiled exactly as the rest of liblln (lln_obj) and linked into liblln with it; and the
# layer check of docs/DESIGN.md ("Layout"): test_layers links these objects alone (no
# liblln, every object; the thread library because core's lln_sequence_mt starts threads), so
# an upward call from core or io to another layer is an undefined symbol, and runs a
# save/load/run round trip on them.
file(GLOB LLN_CORE_IO_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/common/*.c
  ${CMAKE_SOURCE_DIR}/src/core/*.c ${CMAKE_SOURCE_DIR}/src/io/*.c)
add_library(lln_core_io OBJECT ${LLN_CORE_IO_SOURCES})
target_include_directories(lln_core_io PUBLIC ${CMAKE_SOURCE_DIR}/include
  PRIVATE ${CMAKE_SOURCE_DIR}/src)
target_compile_definitions(lln_core_io PRIVATE _POSIX_C_SOURCE=200809L LLN_BUILDING
  LLN_VERSION_STRING="${PROJECT_VERSION}")
target_link_libraries(lln_core_io PUBLIC ZLIB::ZLIB Threads::Threads m)
set_target_properties(lln_core_io PROPERTIES POSITION_INDEPENDENT_CODE ON
  C_VISIBILITY_PRESET hidden)
# Every object is linked (not only those main needs), so every reference must resolve.
add_executable(test_layers ${CMAKE_SOURCE_DIR}/tests/layers/core_io_main.c
  $<TARGET_OBJECTS:lln_core_io>)
target_compile_definitions(test_layers PRIVATE _POSIX_C_SOURCE=200809L)
target_include_directories(test_layers PRIVATE ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(test_layers PRIVATE lln_core_io)
target_link_options(test_layers PRIVATE -Wl,--no-undefined)
add_test(NAME test_layers COMMAND test_layers)

# The naming rule (lln_ public and exported, lln__ internal, static otherwise), with nm.
# Not in a coverage build: --coverage links gcov's runtime into liblln.so, whose own exported
# symbols (__gcov_*, mangle_path) are not ours; every other build (tests stage, ASan) checks it.
if(NOT LLN_COVERAGE)
  add_test(NAME check_symbols COMMAND bash ${CMAKE_SOURCE_DIR}/scripts/check_symbols.sh
    $<TARGET_FILE:lln_static> $<TARGET_FILE:lln_shared>)
endif()
