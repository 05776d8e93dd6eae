# Writes lln.pc from cmake/lln.pc.in at install time (called by install(CODE) in
# CMakeLists.txt with LLN_PC_IN, LLN_PC_OUT, LLN_PC_PREFIX (the install-time prefix),
# LLN_PC_VERSION, LLN_PC_LIBDIR, LLN_PC_INCLUDEDIR). Relative directories are written as
# ${prefix}/DIR so that `pkg-config --define-prefix` / `--define-variable=prefix=` relocate.
foreach(dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${LLN_PC_${dir}}")
    set(LLN_PC_${dir}_REF "${LLN_PC_${dir}}")
  else()
    set(LLN_PC_${dir}_REF "\${prefix}/${LLN_PC_${dir}}")
  endif()
endforeach()
configure_file("${LLN_PC_IN}" "${LLN_PC_OUT}" @ONLY)
