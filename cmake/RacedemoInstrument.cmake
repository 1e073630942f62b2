# racedemo_instrumented_executable(NAME SOURCES src... [COMPILER gcc|clang] [OPT -O1])
#
# Builds a user program the way racecc does: every source compiled with
# -fsanitize=thread by the chosen compiler (so it calls our __tsan_* entry points), then
# linked WITHOUT -fsanitize=thread against libracedemo, so libtsan is never pulled in.
# RACEDEMO_LINK_FLAGS holds what the detector needs at link time (e.g. --wrap=memcpy for
# libc interceptors); the detector's CMake code appends to it.
# -fno-builtin-*: gcc 12 expands constant-size memcpy/memset/memmove (and mempcpy,
# strcmp against a short literal...) inline with no __tsan_* call at all, so races
# through them would be invisible; as calls they reach the detector's interceptors.
# -U_FORTIFY_SOURCE: some distributions' compilers define it by default, and glibc's
# fortified headers then call __builtin___memcpy_chk, which gcc also expands inline for
# constant sizes whatever -fno-builtin says.  (A user's own -D_FORTIFY_SOURCE after
# these flags still works: the __*_chk functions are wrapped, the inline copies are not
# seen.)  Not a cache variable: a stale cache must not keep old flags.
set(RACEDEMO_INSTRUMENT_CFLAGS -fsanitize=thread -g -fno-omit-frame-pointer -U_FORTIFY_SOURCE)
foreach(fn memcpy memmove memset mempcpy memcmp memchr strcpy strncpy stpcpy stpncpy strcat
           strncat strlen strnlen strcmp strncmp strchr strrchr strspn strcspn strpbrk strstr
           strcasecmp strncasecmp bzero)
  list(APPEND RACEDEMO_INSTRUMENT_CFLAGS -fno-builtin-${fn})
endforeach()

function(racedemo_instrumented_executable name)
  cmake_parse_arguments(A "" "COMPILER;OPT" "SOURCES;FLAGS" ${ARGN})
  if(NOT A_COMPILER)
    set(A_COMPILER ${CMAKE_C_COMPILER})
  endif()
  if(NOT A_OPT)
    set(A_OPT -O1)
  endif()
  set(objs)
  # clang emits no .debug_aranges by default, and libdw then maps its code to the wrong
  # compilation unit (reports lose their user frames)
  set(cc_extra)
  if(A_COMPILER MATCHES "clang")
    set(cc_extra -gdwarf-aranges)
  endif()
  foreach(src ${A_SOURCES})
    get_filename_component(abs ${src} ABSOLUTE)
    get_filename_component(base ${src} NAME_WE)
    set(obj ${CMAKE_CURRENT_BINARY_DIR}/${name}.dir/${base}.o)
    add_custom_command(OUTPUT ${obj}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/${name}.dir
      COMMAND ${A_COMPILER} -std=gnu11 ${A_OPT} ${RACEDEMO_INSTRUMENT_CFLAGS} ${cc_extra} ${A_FLAGS}
              -I${CMAKE_SOURCE_DIR}/include -c ${abs} -o ${obj}
      DEPENDS ${abs} ${CMAKE_SOURCE_DIR}/include/goroutine.h
      COMMENT "instrumenting ${src} (${A_COMPILER})" VERBATIM)
    list(APPEND objs ${obj})
  endforeach()
  add_executable(${name} ${objs})
  set_target_properties(${name} PROPERTIES LINKER_LANGUAGE C)
  get_property(link_flags GLOBAL PROPERTY RACEDEMO_LINK_FLAGS)
  target_link_libraries(${name} racedemo ${link_flags})
endfunction()
