# Tests of the benchmark programs (bench/*.c are built as one executable each by the top file).
add_test(NAME bench_ncps COMMAND bash ${CMAKE_SOURCE_DIR}/tests/bench_ncps.sh
  $<TARGET_FILE:bench_speed> $<TARGET_FILE:bench_train>)
