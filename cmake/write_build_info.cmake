# Run at build time (not configure time) by the steel_build_info target, so run.json's source revision is the
# one the binary was built from, "-dirty" included. configure_file rewrites build_info.cpp only when the text
# changes, so an unchanged revision recompiles nothing.
# Inputs: -DSOURCE_DIR=<project source> -DTEMPLATE=<build_info.cpp.in> -DOUTPUT=<build_info.cpp>
execute_process(COMMAND git describe --always --dirty
                WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE STEEL_SOURCE_REVISION OUTPUT_STRIP_TRAILING_WHITESPACE
                ERROR_QUIET RESULT_VARIABLE git_result)
if(NOT git_result EQUAL 0 OR STEEL_SOURCE_REVISION STREQUAL "")
  set(STEEL_SOURCE_REVISION "unknown")
endif()
set(PROJECT_SOURCE_DIR ${SOURCE_DIR})
configure_file(${TEMPLATE} ${OUTPUT} @ONLY)
