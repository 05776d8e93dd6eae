# The optimizer's element-wise loops (src/train/optim.c) vectorise only when sqrt needs no
# error branch: GCC and Clang otherwise keep a call that may set errno for a negative
# argument (never the case there: Adam's second moment is >= 0). Nothing in the file reads
# errno, and the results are the same bits (sqrt is correctly rounded either way).
if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
  set_source_files_properties(${CMAKE_SOURCE_DIR}/src/train/optim.c PROPERTIES
    COMPILE_OPTIONS "-fno-math-errno")
endif()
