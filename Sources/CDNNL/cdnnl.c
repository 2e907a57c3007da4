// oneDNN bf16 matmul behind a few plain functions, so no dnnl handle reaches Swift.
#define _GNU_SOURCE
#include "cdnnl.h"

#include <oneapi/dnnl/dnnl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

// libgomp (oneDNN's threading runtime in Debian's build). Declared here: omp.h is GCC's, not clang's.
extern void omp_set_num_threads(int);
extern int omp_get_max_threads(void);

/// One cached primitive: the matmul for m rows with leading dimensions lda and ldc, and the
/// scratchpad bytes it needs per call.
typedef struct {
    size_t m, lda, ldc, scratch;
    dnnl_primitive_t primitive;
} entry;

// Scratchpads are the caller's (dnnl_scratchpad_mode_user): with oneDNN's own ("library") mode,
// Debian's build (ONEDNN_ENABLE_CONCURRENT_EXEC off) gives every primitive created on a thread
// that thread's one scratchpad, so two primitives running at once on herd's threads corrupt each
// other's (measured: NaN features). Each calling thread keeps one growing buffer, freed when it exits.
typedef struct {
    void *bytes;
    size_t size;
} scratch_buffer;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_free(void *p) {
    scratch_buffer *b = p;
    free(b->bytes);
    free(b);
}

static void scratch_key_make(void) { pthread_key_create(&scratch_key, scratch_free); }

/// The calling thread's scratchpad of at least `size` bytes (64-byte aligned), or NULL when out of memory.
static void *scratch(size_t size) {
    pthread_once(&scratch_once, scratch_key_make);
    scratch_buffer *b = pthread_getspecific(scratch_key);
    if (!b) {
        b = calloc(1, sizeof *b);
        if (!b) return NULL;
        pthread_setspecific(scratch_key, b);
    }
    if (b->size < size) {
        free(b->bytes);
        b->size = 0;
        b->bytes = aligned_alloc(64, (size + 63) / 64 * 64);
        if (!b->bytes) return NULL;
        b->size = size;
    }
    return b->bytes ? b->bytes : (size == 0 ? (void *)b : NULL);
}

struct herd_dnnl_matrix {
    size_t k, n;
    int gelu, bf16_output;
    dnnl_engine_t engine;
    dnnl_memory_desc_t weights_md;  // the layout the reference primitive picked
    dnnl_memory_t weights, bias;    // reordered bf16 weights; float32 bias [1, n] or NULL
    float *bias_copy;
    char impl[64];
    pthread_mutex_t lock;           // guards entries
    entry *entries;
    size_t count, capacity;
};

static void fail(char *err, size_t errlen, const char *what, dnnl_status_t status) {
    if (!err || errlen == 0) return;
    const char *why = status == dnnl_unimplemented ? "no implementation on this CPU"
                    : status == dnnl_runtime_error ? "runtime error (oneDNN generates its kernels at run time; a process that forbids write-then-execute memory, e.g. systemd's MemoryDenyWriteExecute=yes, cannot run them)"
                    : status == dnnl_out_of_memory ? "out of memory"
                    : status == dnnl_invalid_arguments ? "invalid arguments"
                    : "error";
    snprintf(err, errlen, "oneDNN %s failed: %s (status %d)", what, why, (int)status);
}

#define TRY(call, what) do { dnnl_status_t s_ = (call); if (s_ != dnnl_success) { fail(err, errlen, what, s_); goto failed; } } while (0)

/// The matmul primitive descriptor for m rows; weights_md NULL: format_tag_any (oneDNN picks).
static dnnl_status_t describe(const herd_dnnl_matrix *x, size_t m, size_t lda, size_t ldc, const dnnl_memory_desc_t *weights_md,
                              dnnl_primitive_desc_t *pd) {
    dnnl_memory_desc_t a, w, b, c;
    dnnl_dims_t a_dims = {(dnnl_dim_t)m, (dnnl_dim_t)x->k}, a_strides = {(dnnl_dim_t)lda, 1};
    dnnl_dims_t c_dims = {(dnnl_dim_t)m, (dnnl_dim_t)x->n}, c_strides = {(dnnl_dim_t)ldc, 1};
    dnnl_dims_t w_dims = {(dnnl_dim_t)x->k, (dnnl_dim_t)x->n}, b_dims = {1, (dnnl_dim_t)x->n};
    dnnl_status_t s;
    if ((s = dnnl_memory_desc_init_by_strides(&a, 2, a_dims, dnnl_bf16, a_strides))) return s;
    if ((s = dnnl_memory_desc_init_by_strides(&c, 2, c_dims, x->bf16_output ? dnnl_bf16 : dnnl_f32, c_strides))) return s;
    if (weights_md) w = *weights_md;
    else if ((s = dnnl_memory_desc_init_by_tag(&w, 2, w_dims, dnnl_bf16, dnnl_format_tag_any))) return s;
    if ((s = dnnl_memory_desc_init_by_tag(&b, 2, b_dims, dnnl_f32, dnnl_ab))) return s;
    dnnl_matmul_desc_t desc;
    if ((s = dnnl_matmul_desc_init(&desc, &a, &w, x->bias_copy ? &b : NULL, &c))) return s;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t ops = NULL;
    if ((s = dnnl_primitive_attr_create(&attr))) return s;
    if ((s = dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user))) {
        dnnl_primitive_attr_destroy(attr);
        return s;
    }
    if (x->gelu) {
        if ((s = dnnl_post_ops_create(&ops)) || (s = dnnl_post_ops_append_eltwise(ops, 1.0f, dnnl_eltwise_gelu_erf, 0, 0))
            || (s = dnnl_primitive_attr_set_post_ops(attr, ops))) {
            if (ops) dnnl_post_ops_destroy(ops);
            dnnl_primitive_attr_destroy(attr);
            return s;
        }
    }
    s = dnnl_primitive_desc_create(pd, &desc, attr, x->engine, NULL);
    if (ops) dnnl_post_ops_destroy(ops);
    if (attr) dnnl_primitive_attr_destroy(attr);
    return s;
}

herd_dnnl_matrix *herd_dnnl_matrix_create(const float *w, size_t k, size_t n, size_t ldw, const float *bias,
                                          int gelu, int bf16_output, size_t reference_m, char *err, size_t errlen) {
    herd_dnnl_matrix *x = calloc(1, sizeof *x);
    dnnl_primitive_desc_t pd = NULL, reorder_pd = NULL;
    dnnl_primitive_t reorder = NULL;
    dnnl_primitive_attr_t reorder_attr = NULL;
    dnnl_memory_t source = NULL, reorder_scratch_memory = NULL;
    dnnl_stream_t stream = NULL;
    if (!x) { snprintf(err, errlen, "out of memory"); return NULL; }
    x->k = k; x->n = n; x->gelu = gelu; x->bf16_output = bf16_output;
    pthread_mutex_init(&x->lock, NULL);
    TRY(dnnl_engine_create(&x->engine, dnnl_cpu, 0), "engine creation");
    if (bias) {
        x->bias_copy = malloc(n * sizeof(float));
        if (!x->bias_copy) { snprintf(err, errlen, "out of memory"); goto failed; }
        memcpy(x->bias_copy, bias, n * sizeof(float));
        dnnl_memory_desc_t b;
        dnnl_dims_t b_dims = {1, (dnnl_dim_t)n};
        TRY(dnnl_memory_desc_init_by_tag(&b, 2, b_dims, dnnl_f32, dnnl_ab), "bias description");
        TRY(dnnl_memory_create(&x->bias, &b, x->engine, x->bias_copy), "bias memory");
    }
    size_t m = reference_m ? reference_m : 1;
    TRY(describe(x, m, k, n, NULL, &pd), "bf16 matmul description");
    const char *impl = "";
    dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
    snprintf(x->impl, sizeof x->impl, "%s", impl ? impl : "");
    x->weights_md = *dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    // Weights: float32 [k, n] (ldw) → bf16 in the picked layout, once.
    dnnl_memory_desc_t plain;
    dnnl_dims_t w_dims = {(dnnl_dim_t)k, (dnnl_dim_t)n}, w_strides = {(dnnl_dim_t)ldw, 1};
    TRY(dnnl_memory_desc_init_by_strides(&plain, 2, w_dims, dnnl_f32, w_strides), "weights description");
    TRY(dnnl_memory_create(&source, &plain, x->engine, (void *)w), "weights memory");
    TRY(dnnl_memory_create(&x->weights, &x->weights_md, x->engine, DNNL_MEMORY_ALLOCATE), "weights allocation");
    TRY(dnnl_primitive_attr_create(&reorder_attr), "reorder attributes");
    TRY(dnnl_primitive_attr_set_scratchpad_mode(reorder_attr, dnnl_scratchpad_mode_user), "reorder attributes");
    TRY(dnnl_reorder_primitive_desc_create(&reorder_pd, &plain, x->engine, &x->weights_md, x->engine, reorder_attr), "weights reorder description");
    TRY(dnnl_primitive_create(&reorder, reorder_pd), "weights reorder");
    TRY(dnnl_stream_create(&stream, x->engine, dnnl_stream_default_flags), "stream creation");
    const dnnl_memory_desc_t *reorder_scratch_md = dnnl_primitive_desc_query_md(reorder_pd, dnnl_query_scratchpad_md, 0);
    size_t reorder_scratch = reorder_scratch_md ? dnnl_memory_desc_get_size(reorder_scratch_md) : 0;
    if (reorder_scratch) TRY(dnnl_memory_create(&reorder_scratch_memory, reorder_scratch_md, x->engine, DNNL_MEMORY_ALLOCATE), "reorder scratchpad");
    dnnl_exec_arg_t args[3] = {{DNNL_ARG_FROM, source}, {DNNL_ARG_TO, x->weights}, {DNNL_ARG_SCRATCHPAD, reorder_scratch_memory}};
    if (omp_get_max_threads() != 1) omp_set_num_threads(1);
    TRY(dnnl_primitive_execute(reorder, stream, reorder_scratch ? 3 : 2, args), "weights reorder");
    TRY(dnnl_stream_wait(stream), "weights reorder");
    if (reorder_scratch_memory) dnnl_memory_destroy(reorder_scratch_memory);
    dnnl_primitive_attr_destroy(reorder_attr);
    dnnl_stream_destroy(stream);
    dnnl_primitive_destroy(reorder);
    dnnl_primitive_desc_destroy(reorder_pd);
    dnnl_memory_destroy(source);
    dnnl_primitive_desc_destroy(pd);
    // The reference primitive itself, so that a process where oneDNN cannot generate code fails here.
    if (herd_dnnl_matrix_prepare(x, m, k, n, err, errlen) != 0) { herd_dnnl_matrix_destroy(x); return NULL; }
    return x;
failed:
    if (reorder_scratch_memory) dnnl_memory_destroy(reorder_scratch_memory);
    if (reorder_attr) dnnl_primitive_attr_destroy(reorder_attr);
    if (stream) dnnl_stream_destroy(stream);
    if (reorder) dnnl_primitive_destroy(reorder);
    if (reorder_pd) dnnl_primitive_desc_destroy(reorder_pd);
    if (source) dnnl_memory_destroy(source);
    if (pd) dnnl_primitive_desc_destroy(pd);
    herd_dnnl_matrix_destroy(x);
    return NULL;
}

void herd_dnnl_matrix_destroy(herd_dnnl_matrix *x) {
    if (!x) return;
    for (size_t i = 0; i < x->count; i++) dnnl_primitive_destroy(x->entries[i].primitive);
    free(x->entries);
    if (x->weights) dnnl_memory_destroy(x->weights);
    if (x->bias) dnnl_memory_destroy(x->bias);
    free(x->bias_copy);
    if (x->engine) dnnl_engine_destroy(x->engine);
    pthread_mutex_destroy(&x->lock);
    free(x);
}

/// The primitive for (m, lda, ldc), created under the lock on first use, and its scratchpad bytes
/// in *scratch_size; NULL with err on failure.
static dnnl_primitive_t primitive(herd_dnnl_matrix *x, size_t m, size_t lda, size_t ldc, size_t *scratch_size, char *err, size_t errlen) {
    dnnl_primitive_t found = NULL;
    dnnl_primitive_desc_t pd = NULL;
    pthread_mutex_lock(&x->lock);
    for (size_t i = 0; i < x->count && !found; i++) {
        entry *e = &x->entries[i];
        if (e->m == m && e->lda == lda && e->ldc == ldc) {
            found = e->primitive;
            *scratch_size = e->scratch;
        }
    }
    if (!found) {
        dnnl_primitive_t made = NULL;
        TRY(describe(x, m, lda, ldc, &x->weights_md, &pd), "bf16 matmul description");
        const dnnl_memory_desc_t *scratch_md = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
        size_t bytes = scratch_md ? dnnl_memory_desc_get_size(scratch_md) : 0;
        TRY(dnnl_primitive_create(&made, pd), "bf16 matmul primitive creation");
        if (x->count == x->capacity) {
            size_t capacity = x->capacity ? 2 * x->capacity : 8;
            entry *grown = realloc(x->entries, capacity * sizeof *grown);
            if (!grown) { dnnl_primitive_destroy(made); snprintf(err, errlen, "out of memory"); goto failed; }
            x->entries = grown;
            x->capacity = capacity;
        }
        x->entries[x->count++] = (entry){m, lda, ldc, bytes, made};
        found = made;
        *scratch_size = bytes;
    }
failed:
    if (pd) dnnl_primitive_desc_destroy(pd);
    pthread_mutex_unlock(&x->lock);
    return found;
}

int herd_dnnl_matrix_prepare(herd_dnnl_matrix *x, size_t m, size_t lda, size_t ldc, char *err, size_t errlen) {
    size_t bytes = 0;
    return primitive(x, m, lda, ldc, &bytes, err, errlen) ? 0 : -1;
}

int herd_dnnl_matrix_multiply(herd_dnnl_matrix *x, size_t m, const uint16_t *a, size_t lda, void *c, size_t ldc,
                              char *err, size_t errlen) {
    if (m == 0) return 0;
    size_t scratch_size = 0;
    dnnl_primitive_t p = primitive(x, m, lda, ldc, &scratch_size, err, errlen);
    if (!p) return -1;
    dnnl_memory_desc_t a_md, c_md;
    dnnl_dims_t a_dims = {(dnnl_dim_t)m, (dnnl_dim_t)x->k}, a_strides = {(dnnl_dim_t)lda, 1};
    dnnl_dims_t c_dims = {(dnnl_dim_t)m, (dnnl_dim_t)x->n}, c_strides = {(dnnl_dim_t)ldc, 1};
    dnnl_memory_t am = NULL, cm = NULL, sm = NULL;
    dnnl_stream_t stream = NULL;
    int result = -1;
    void *scratch_bytes = scratch(scratch_size);
    if (!scratch_bytes) { snprintf(err, errlen, "out of memory for oneDNN's scratchpad (%zu bytes)", scratch_size); return -1; }
    TRY(dnnl_memory_desc_init_by_strides(&a_md, 2, a_dims, dnnl_bf16, a_strides), "input description");
    TRY(dnnl_memory_desc_init_by_strides(&c_md, 2, c_dims, x->bf16_output ? dnnl_bf16 : dnnl_f32, c_strides), "output description");
    TRY(dnnl_memory_create(&am, &a_md, x->engine, (void *)a), "input memory");
    TRY(dnnl_memory_create(&cm, &c_md, x->engine, c), "output memory");
    if (scratch_size) {
        dnnl_memory_desc_t s_md;
        dnnl_dims_t s_dims = {(dnnl_dim_t)scratch_size};
        TRY(dnnl_memory_desc_init_by_tag(&s_md, 1, s_dims, dnnl_u8, dnnl_a), "scratchpad description");
        TRY(dnnl_memory_create(&sm, &s_md, x->engine, scratch_bytes), "scratchpad memory");
    }
    TRY(dnnl_stream_create(&stream, x->engine, dnnl_stream_default_flags), "stream creation");
    // One OpenMP thread per calling thread: herd's pool owns the parallelism (OpenBLAS is set to
    // one thread the same way), so the cores are never oversubscribed.
    if (omp_get_max_threads() != 1) omp_set_num_threads(1);
    dnnl_exec_arg_t args[5] = {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, x->weights}, {DNNL_ARG_DST, cm}};
    int count = 3;
    if (x->bias) args[count++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, x->bias};
    if (sm) args[count++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, sm};
    TRY(dnnl_primitive_execute(p, stream, count, args), "bf16 matmul");
    TRY(dnnl_stream_wait(stream), "bf16 matmul");
    result = 0;
failed:
    if (stream) dnnl_stream_destroy(stream);
    if (sm) dnnl_memory_destroy(sm);
    if (am) dnnl_memory_destroy(am);
    if (cm) dnnl_memory_destroy(cm);
    return result;
}

const char *herd_dnnl_matrix_impl(const herd_dnnl_matrix *x) { return x->impl; }

size_t herd_dnnl_matrix_bytes(const herd_dnnl_matrix *x) { return dnnl_memory_desc_get_size(&x->weights_md); }

const char *herd_dnnl_version(void) {
    static char text[32];
    const dnnl_version_t *v = dnnl_version();
    snprintf(text, sizeof text, "%d.%d.%d", v->major, v->minor, v->patch);
    return text;
}

const char *herd_dnnl_isa(void) {
    switch (dnnl_get_effective_cpu_isa()) {
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx (AMX tiles)";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16 (AVX512_BF16)";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni (AVX-512, bf16 emulated)";
    case dnnl_cpu_isa_avx512_core: return "avx512_core (AVX-512, bf16 emulated)";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_sse41: return "sse41";
    default: return "other";
    }
}

enum { ARCH_GET_XCOMP_PERM_ = 0x1022, ARCH_REQ_XCOMP_PERM_ = 0x1023, XFEATURE_XTILEDATA_ = 18 };

int herd_amx_status(void) {
#if defined(__x86_64__)
    unsigned a, b, c, d;
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    if (!((d >> 24) & 1) || !((d >> 22) & 1)) return 0;  // AMX-TILE, AMX-BF16
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) return 3;  // OSXSAVE
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if (((lo >> 17) & 3) != 3) return 3;  // XCR0 bits 17 (XTILECFG), 18 (XTILEDATA)
    // The same request oneDNN makes before it uses tiles (amx::is_available in oneDNN 2.6).
    if (syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM_, XFEATURE_XTILEDATA_) != 0) return 2;
    unsigned long granted = 0;
    if (syscall(SYS_arch_prctl, ARCH_GET_XCOMP_PERM_, &granted) != 0) return 2;
    return (granted >> XFEATURE_XTILEDATA_) & 1 ? 1 : 2;
#else
    return 0;
#endif
}

enum { PR_SET_MDWE_ = 65, PR_GET_MDWE_ = 66, PR_MDWE_REFUSE_EXEC_GAIN_ = 1 };

int herd_write_execute_denied(void) {
    int flags = prctl(PR_GET_MDWE_, 0, 0, 0, 0);
    if (flags < 0) return -1;
    return (flags & PR_MDWE_REFUSE_EXEC_GAIN_) ? 1 : 0;
}

int herd_deny_write_execute(void) {
    return prctl(PR_SET_MDWE_, PR_MDWE_REFUSE_EXEC_GAIN_, 0, 0, 0);
}
