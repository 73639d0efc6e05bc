# plumb_embed_files(TARGET NAME NAMESPACE ns FILES a.json b.json ...)
# Generates a C++ source that holds each file's bytes, and a header declaring
#   std::span<const plumb::EmbeddedFile> ns::files();
# so schemas and migrations are compiled into the binary and can never drift from the tree.
function(plumb_embed_files target)
  cmake_parse_arguments(ARG "" "NAMESPACE;HEADER" "FILES" ${ARGN})
  set(out_dir ${PROJECT_BINARY_DIR}/generated/embedded)
  set(cpp ${out_dir}/${target}.cpp)
  set(hpp ${out_dir}/${target}.hpp)
  set(script ${PROJECT_SOURCE_DIR}/cmake/embed_run.cmake)
  # Several files: keep the list one argument through add_custom_command and the shell.
  string(REPLACE ";" "$<SEMICOLON>" files_arg "${ARG_FILES}")
  add_custom_command(
    OUTPUT ${cpp} ${hpp}
    COMMAND ${CMAKE_COMMAND} -DOUT_CPP=${cpp} -DOUT_HPP=${hpp} -DNAMESPACE=${ARG_NAMESPACE}
            -DBASE=${PROJECT_SOURCE_DIR} "-DFILES=${files_arg}" -P ${script}
    DEPENDS ${ARG_FILES} ${script}
    COMMENT "Embedding ${target}"
    VERBATIM)
  add_library(${target} STATIC ${cpp})
  target_include_directories(${target} PUBLIC ${PROJECT_BINARY_DIR}/generated)
endfunction()
