#define _GNU_SOURCE
#include "csystem.h"
#include <sys/syscall.h>
#include <unistd.h>
#include <fcntl.h>

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
