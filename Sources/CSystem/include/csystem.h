#ifndef HERD_CSYSTEM_H
#define HERD_CSYSTEM_H

/// renameat2(2) through syscall(2): glibc 2.36 has a wrapper, older ones do not.
/// flags: 0, or HERD_RENAME_NOREPLACE / HERD_RENAME_EXCHANGE. Returns 0 or -1 with errno set.
int herd_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);

#define HERD_RENAME_NOREPLACE 1u
#define HERD_RENAME_EXCHANGE 2u

/// The CPU's vector features as the OpenBLAS core choice needs them: bit 0 AVX2+FMA, bit 1 AVX-512F.
int herd_cpu_vector_features(void);

/// Makes the calling thread a background one: nice 19, SCHED_IDLE, and idle I/O priority where the kernel allows.
/// Returns 0 when at least the nice value was set, else -1 with errno set.
int herd_background_thread(void);

/// The calling thread's kernel id (gettid(2)), as /proc/self/task/TID names it.
int herd_thread_id(void);

/// Names the calling thread for ps, top and /proc (`comm`), cut to the kernel's 15 bytes. Returns 0 or an errno value.
int herd_set_thread_name(const char *name);

/// Returns the heap's free pages to the system (glibc's malloc_trim(0)): 1 when memory was released, else 0.
int herd_release_freed_memory(void);

#endif
