# Helper functions that give every Probity target the same flags (STYLE.md §6).

# -Wno-missing-field-initializers: GCC 12 wrongly warns about designated initializers that
# leave members to their defaults, which is how Probity builds option structs.
set(PROBITY_WARNING_FLAGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
    -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual -Wimplicit-fallthrough
    -Wno-missing-field-initializers)
if(PROBITY_WARNINGS_AS_ERRORS)
  list(APPEND PROBITY_WARNING_FLAGS -Werror)
endif()

function(probity_apply_flags target)
  target_compile_options(${target} PRIVATE ${PROBITY_WARNING_FLAGS})
  if(PROBITY_SANITIZE)
    string(REPLACE ";" "," _san "${PROBITY_SANITIZE}")
    target_compile_options(${target} PRIVATE -fsanitize=${_san} -fno-omit-frame-pointer
                                             -fno-sanitize-recover=all)
    target_link_options(${target} PRIVATE -fsanitize=${_san})
  endif()
endfunction()

# probity_add_library(<module> SOURCES ... [DEPS ...])
# Creates probity_<module> with alias probity::<module>; includes are repo-root-relative.
function(probity_add_library module)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  set(target probity_${module})
  add_library(${target} STATIC ${ARG_SOURCES})
  add_library(probity::${module} ALIAS ${target})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  probity_apply_flags(${target})
endfunction()

# probity_add_test(<name> SOURCES ... [DEPS ...] [LABELS ...])
# One GoogleTest executable, each test registered with CTest via gtest_discover_tests.
function(probity_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
      PROBITY_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
      PROBITY_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
  probity_apply_flags(${name})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  gtest_discover_tests(${name} PROPERTIES LABELS "${ARG_LABELS}" DISCOVERY_TIMEOUT 60)
endfunction()

# probity_embed_file(<target-var> <input> <symbol>)
# Generates a .cc defining `std::string_view probity::embedded::<symbol>()` with the file's
# bytes, so the binary carries the demo data and runs from any directory.
function(probity_embed_file out_var input symbol)
  set(output ${PROJECT_BINARY_DIR}/embedded/${symbol}.cc)
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DINPUT=${input} -DOUTPUT=${output} -DSYMBOL=${symbol}
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedFile.cmake
    DEPENDS ${input} ${PROJECT_SOURCE_DIR}/cmake/EmbedFile.cmake
    COMMENT "Embedding ${input}")
  set(${out_var} ${output} PARENT_SCOPE)
endfunction()
