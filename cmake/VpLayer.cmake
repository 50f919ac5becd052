# vp_layer(NAME DIR <dir> SOURCES <src>... [DEPS <lib>...] [DEFINITIONS <def>...])
#
# One folder of the data path as a static library, with that folder alone as
# its public include directory and its lower layers as its only links: a
# header of a layer above is not on the include path, so an include that
# points up fails to build.  Each layer is built twice, plain and (NAME_asan)
# under ASan+UBSan for the sanitizer builds of the tests; DEPS that are
# layers get the same suffix.
function(vp_layer name)
  cmake_parse_arguments(L "" "DIR" "SOURCES;DEPS;DEFINITIONS" ${ARGN})
  foreach(variant "" "_asan")
    set(target ${name}${variant})
    add_library(${target} STATIC ${L_SOURCES})
    target_include_directories(${target} PUBLIC ${L_DIR})
    target_compile_definitions(${target} PUBLIC ${L_DEFINITIONS})
    foreach(dep ${L_DEPS})
      if(dep MATCHES "^vp_")
        target_link_libraries(${target} PUBLIC ${dep}${variant})
      else()
        target_link_libraries(${target} PUBLIC ${dep})
      endif()
    endforeach()
    if(variant STREQUAL "_asan")
      target_compile_options(${target} PUBLIC -fsanitize=address,undefined -fno-omit-frame-pointer
                             -fno-sanitize-recover=all)
      target_link_options(${target} PUBLIC -fsanitize=address,undefined)
    endif()
  endforeach()
endfunction()
