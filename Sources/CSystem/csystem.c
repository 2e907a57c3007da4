#define _GNU_SOURCE
#include <malloc.h>
#include "csystem.h"
#include <sys/syscall.h>
#include <unistd.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/resource.h>
#include <pthread.h>
#include <string.h>

int herd_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags) {
    return (int)syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, flags);
}

int herd_cpu_vector_features(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    int features = 0;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) features |= 1;
    if (__builtin_cpu_supports("avx512f")) features |= 2;
    return features;
#else
    return 0;
#endif
}

int herd_background_thread(void) {
    pid_t tid = (pid_t)syscall(SYS_gettid);
    // On Linux the nice value, scheduling policy and I/O priority are per thread.
    struct sched_param param = { .sched_priority = 0 };
    (void)sched_setscheduler(0, SCHED_IDLE, &param);
    // IOPRIO_WHO_PROCESS = 1, class IDLE = 3 shifted by IOPRIO_CLASS_SHIFT = 13.
    (void)syscall(SYS_ioprio_set, 1, tid, 3 << 13);
    return setpriority(PRIO_PROCESS, (id_t)tid, 19);
}

int herd_thread_id(void) {
    return (int)syscall(SYS_gettid);
}

int herd_set_thread_name(const char *name) {
    char cut[16];
    strncpy(cut, name, sizeof cut - 1);
    cut[sizeof cut - 1] = 0;
    return pthread_setname_np(pthread_self(), cut);
}

int herd_release_freed_memory(void) {
    return malloc_trim(0);
}
