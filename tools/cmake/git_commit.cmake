# Writes OUT (a C++ header defining ET_GIT_COMMIT) from `git describe
# --always --dirty` in SOURCE_DIR, at every build, touching OUT only when the
# text changes (so an unchanged commit rebuilds nothing). Run by CMakeLists.txt
# as a build step: cmake -DSOURCE_DIR=... -DOUT=... -P git_commit.cmake
execute_process(COMMAND git describe --always --dirty WORKING_DIRECTORY "${SOURCE_DIR}"
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT commit)
  set(commit "unknown")
endif()
set(text "// Generated at build time by tools/cmake/git_commit.cmake.\n#pragma once\n#define ET_GIT_COMMIT \"${commit}\"\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE "${OUT}" "${text}")
endif()
