# Kernel programs: clang for the BPF target against a vmlinux.h dumped from
# the running kernel's BTF, then a libbpf skeleton from bpftool.
find_program(BPF_CLANG NAMES clang clang-16 clang-15 clang-14 REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /usr/local/sbin REQUIRED)

set(VP_BTF_SOURCE /sys/kernel/btf/vmlinux CACHE FILEPATH "BTF used to generate vmlinux.h")
set(VP_BPF_GEN_DIR ${CMAKE_BINARY_DIR}/bpf-gen)
file(MAKE_DIRECTORY ${VP_BPF_GEN_DIR})
# <bpf/usdt.bpf.h> includes <linux/errno.h>, which wants <asm/errno.h> from
# the multiarch directory that -target bpf does not search.
set(VP_BPF_SYS_INCLUDES)
if(CMAKE_LIBRARY_ARCHITECTURE)
  set(VP_BPF_SYS_INCLUDES -idirafter /usr/include/${CMAKE_LIBRARY_ARCHITECTURE})
endif()

add_custom_command(
  OUTPUT ${VP_BPF_GEN_DIR}/vmlinux.h
  COMMAND ${BPFTOOL} btf dump file ${VP_BTF_SOURCE} format c > ${VP_BPF_GEN_DIR}/vmlinux.h.tmp
  COMMAND ${CMAKE_COMMAND} -E rename ${VP_BPF_GEN_DIR}/vmlinux.h.tmp ${VP_BPF_GEN_DIR}/vmlinux.h
  COMMENT "Generating vmlinux.h from ${VP_BTF_SOURCE}"
  VERBATIM)
add_custom_target(vp_vmlinux_h DEPENDS ${VP_BPF_GEN_DIR}/vmlinux.h)

# bpf_object(<name> <source.bpf.c> [DEPENDS headers...])
# Produces ${VP_BPF_GEN_DIR}/<name>.skel.h and an INTERFACE target <name>_skel.
function(bpf_object name src)
  cmake_parse_arguments(ARG "" "" "DEPENDS" ${ARGN})
  set(obj ${VP_BPF_GEN_DIR}/${name}.bpf.o)
  set(skel ${VP_BPF_GEN_DIR}/${name}.skel.h)
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${BPF_CLANG} -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror
            -I${VP_BPF_GEN_DIR} -I${CMAKE_SOURCE_DIR}/bpf ${LIBBPF_CFLAGS} ${VP_BPF_SYS_INCLUDES}
            -c ${src} -o ${obj}
    DEPENDS ${src} ${ARG_DEPENDS} ${VP_BPF_GEN_DIR}/vmlinux.h
    COMMENT "BPF ${name}"
    VERBATIM)
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${BPFTOOL} gen skeleton ${obj} name ${name} > ${skel}.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${skel}.tmp ${skel}
    DEPENDS ${obj}
    VERBATIM)
  add_custom_target(${name}_skel_gen DEPENDS ${skel})
  add_library(${name}_skel INTERFACE)
  target_include_directories(${name}_skel INTERFACE ${VP_BPF_GEN_DIR} ${CMAKE_SOURCE_DIR}/bpf)
  add_dependencies(${name}_skel ${name}_skel_gen)
endfunction()
