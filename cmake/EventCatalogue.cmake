# Turns qemu-trace-events/events.catalogue into a C table, so the collector
# takes QEMU event names from that one file.  Run as: cmake -DIN=... -DOUT=... -P
file(STRINGS "${IN}" lines)
set(body "")
foreach(line IN LISTS lines)
  if(line MATCHES "^#" OR line STREQUAL "")
    continue()
  endif()
  string(REPLACE "\t" ";" fields "${line}")
  list(LENGTH fields n)
  if(NOT n EQUAL 4)
    message(FATAL_ERROR "${IN}: expected 4 tab-separated fields: ${line}")
  endif()
  list(GET fields 0 device)
  list(GET fields 1 role)
  list(GET fields 2 event)
  list(GET fields 3 args)
  string(APPEND body "\t{ \"${device}\", \"${role}\", \"${event}\", \"${args}\" },\n")
endforeach()
file(WRITE "${OUT}.tmp" "/* Generated from qemu-trace-events/events.catalogue: do not edit. */\n"
  "#include \"qemu_events.h\"\n\nconst struct vp_qemu_event vp_qemu_events[] = {\n${body}};\n"
  "const size_t vp_qemu_events_count = sizeof(vp_qemu_events) / sizeof(vp_qemu_events[0]);\n")
file(RENAME "${OUT}.tmp" "${OUT}")
