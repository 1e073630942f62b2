# The detector's build settings, included by the top CMakeLists.txt.
#
# Instrumented programs link with --wrap for the libc functions the detector checks
# (intercept.c): the compilers call libc for memcpy/memset and struct copies, and libc is
# not instrumented.  racedemo.pc exports the same list (RACEDEMO_WRAP_LIBS) for racecc.
set(RACEDEMO_WRAPPED
    memcpy memmove memset memcmp memchr strlen strnlen strcpy strncpy strcat strncat
    strcmp strncmp strchr strrchr strdup strndup
    mempcpy stpcpy stpncpy memccpy memrchr bzero explicit_bzero strstr strspn strcspn
    strpbrk strcasecmp strncasecmp strtok strtok_r strsep
    printf fprintf dprintf sprintf snprintf asprintf
    vprintf vfprintf vdprintf vsprintf vsnprintf vasprintf
    puts fputs fwrite fread fgets getline getdelim __getdelim read pread write pwrite
    fgetc getc getchar fputc putc putchar fflush
    sscanf fscanf scanf vsscanf vfscanf vscanf __isoc99_sscanf __isoc99_fscanf
    __isoc99_scanf __isoc99_vsscanf __isoc99_vfscanf __isoc99_vscanf
    strtol strtoul strtoll strtoull strtod strtof strtold atoi atol atoll atof qsort
    recv recvfrom send sendto sendmsg recvmsg readv writev pipe pipe2 socketpair close fclose dup dup2 dup3
    localtime gmtime ctime asctime localtime_r gmtime_r ctime_r asctime_r time mktime
    strftime getenv setenv unsetenv putenv clearenv rand_r clock_gettime gettimeofday
    __memcpy_chk __memmove_chk __mempcpy_chk __memset_chk __explicit_bzero_chk
    __strcpy_chk __stpcpy_chk __strncpy_chk __stpncpy_chk __strcat_chk __strncat_chk
    __printf_chk __fprintf_chk __dprintf_chk __sprintf_chk __snprintf_chk __asprintf_chk
    __vprintf_chk __vfprintf_chk __vdprintf_chk __vsprintf_chk __vsnprintf_chk
    __vasprintf_chk __fread_chk __fgets_chk __read_chk __pread_chk __recv_chk __recvfrom_chk
    malloc calloc realloc free posix_memalign aligned_alloc mmap munmap _exit
    pthread_create pthread_join pthread_detach pthread_exit pthread_self pthread_setname_np
    pthread_getname_np pthread_getattr_np pthread_cancel pthread_kill pthread_setaffinity_np
    pthread_getaffinity_np pthread_setschedparam pthread_getschedparam
    pthread_mutex_init pthread_mutex_destroy pthread_mutex_lock pthread_mutex_trylock
    pthread_mutex_timedlock pthread_mutex_unlock
    pthread_cond_init pthread_cond_destroy pthread_cond_wait pthread_cond_timedwait
    pthread_cond_signal pthread_cond_broadcast
    pthread_rwlock_init pthread_rwlock_destroy pthread_rwlock_rdlock pthread_rwlock_wrlock
    pthread_rwlock_tryrdlock pthread_rwlock_trywrlock pthread_rwlock_unlock pthread_once
    pthread_barrier_init pthread_barrier_destroy pthread_barrier_wait
    pthread_spin_init pthread_spin_destroy pthread_spin_lock pthread_spin_trylock
    pthread_spin_unlock sem_init sem_destroy sem_wait sem_trywait sem_timedwait sem_post
    sem_getvalue sem_open pthread_key_create pthread_key_delete pthread_getspecific
    pthread_setspecific sleep usleep nanosleep sched_yield __errno_location
    flockfile ftrylockfile funlockfile)
set(_wrap_flags)
foreach(sym ${RACEDEMO_WRAPPED})
  list(APPEND _wrap_flags "-Wl,--wrap=${sym}")
endforeach()
# runtime/pthread.c is pulled in by name: a static library later on the link line
# (Check's libcheck_pic.a locks a pthread mutex) cannot pull it out of libracedemo.a.
list(APPEND _wrap_flags "-Wl,--undefined=__wrap_pthread_create")
set_property(GLOBAL APPEND PROPERTY RACEDEMO_LINK_FLAGS ${_wrap_flags})
string(REPLACE ";" " " RACEDEMO_WRAP_LIBS "${_wrap_flags}")

# intercept.c tells the runtime's own calls from the user's by their DWARF compilation
# unit's path, so it needs to know where the sources live.
target_compile_definitions(racedemo PRIVATE RACEDEMO_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
target_include_directories(racedemo PRIVATE ${CMAKE_SOURCE_DIR}/runtime)
