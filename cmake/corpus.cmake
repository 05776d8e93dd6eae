# Every fuzz corpus (tests/corpus/NAME/) replayed under plain ctest through its target
# (tools/fuzz_NAME.c) with a small driver instead of libFuzzer (tests/corpus_replay.c).
file(GLOB LLN_FUZZ_TARGETS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tools/fuzz_*.c)
foreach(src ${LLN_FUZZ_TARGETS})
  get_filename_component(fuzz ${src} NAME_WE)
  string(REGEX REPLACE "^fuzz_" "" name ${fuzz})
  add_executable(replay_${name} ${src} ${CMAKE_SOURCE_DIR}/tests/corpus_replay.c)
  target_compile_definitions(replay_${name} PRIVATE _POSIX_C_SOURCE=200809L)
  target_include_directories(replay_${name} PRIVATE ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(replay_${name} PRIVATE lln_static)
  add_test(NAME corpus_${name} COMMAND replay_${name} ${CMAKE_SOURCE_DIR}/tests/corpus/${name})
endforeach()
