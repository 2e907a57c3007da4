#ifndef HERD_CDNNL_H
#define HERD_CDNNL_H

#include <stddef.h>
#include <stdint.h>

/// A weight matrix w: [k, n] held by oneDNN as bf16 in the layout its matmul picked (reordered once
/// at creation), with one matmul primitive per row count m, created on first use and kept.
/// Optional fused work: + bias [n] (float32), then exact (erf) GELU, and a bf16 output.
typedef struct herd_dnnl_matrix herd_dnnl_matrix;

/// Reorders w: [k, n] float32 row-major (ldw ≥ n) into oneDNN's bf16 layout for a matmul
/// c: [m, n] = a: [m, k] bf16 · w (+ bias) (→ GELU), c float32 or bf16 (`bf16_output`).
/// `reference_m` is the row count whose primitive picks the weights layout (other m reuse it).
/// Returns NULL on failure with a message in err (e.g. no bf16 matmul on this CPU, or the
/// process forbids memory that is written and then executed, which oneDNN's JIT needs).
herd_dnnl_matrix *herd_dnnl_matrix_create(const float *w, size_t k, size_t n, size_t ldw, const float *bias,
                                          int gelu, int bf16_output, size_t reference_m, char *err, size_t errlen);

/// Frees the matrix, its primitives and its engine.
void herd_dnnl_matrix_destroy(herd_dnnl_matrix *matrix);

/// Creates (or finds) the primitive for m rows with leading dimensions lda, ldc. 0 or -1 with err.
int herd_dnnl_matrix_prepare(herd_dnnl_matrix *matrix, size_t m, size_t lda, size_t ldc, char *err, size_t errlen);

/// c: [m, n] (ldc; float32, or bf16 bits when created with bf16_output) = a: [m, k] bf16 bits (lda)
/// · w (+ bias, GELU as created). Runs on the calling thread only (its OpenMP team set to one
/// thread): herd's own threads run calls in parallel. Thread-safe. Returns 0, or -1 with err.
int herd_dnnl_matrix_multiply(herd_dnnl_matrix *matrix, size_t m, const uint16_t *a, size_t lda, void *c, size_t ldc,
                              char *err, size_t errlen);

/// The implementation oneDNN chose for the reference primitive, e.g. "brg:avx512_core_amx_bf16".
const char *herd_dnnl_matrix_impl(const herd_dnnl_matrix *matrix);

/// Bytes the reordered weights take.
size_t herd_dnnl_matrix_bytes(const herd_dnnl_matrix *matrix);

/// oneDNN's version, e.g. "2.6.3".
const char *herd_dnnl_version(void);

/// The widest instruction set oneDNN dispatches to in this process, in words
/// (e.g. "avx512_core_amx (AMX tiles)", "avx512_core_bf16", "avx2").
const char *herd_dnnl_isa(void);

/// AMX on this CPU and kernel: 0 the CPU has no AMX (CPUID.7.0:EDX bits 22 AMX-BF16, 24 AMX-TILE);
/// 1 present and this process may use its tile data (arch_prctl ARCH_REQ_XCOMP_PERM granted);
/// 2 present but the kernel refused the permission (or predates it, Linux < 5.16);
/// 3 present but the OS does not enable tile state in XCR0.
int herd_amx_status(void);

/// Whether this process forbids memory that is writable and executable, or turned executable after
/// being written (prctl PR_GET_MDWE, the kernel's MemoryDenyWriteExecute): 1, 0, or -1 when the
/// kernel cannot tell (Linux < 6.3). systemd's seccomp-based MemoryDenyWriteExecute= does not show
/// here; oneDNN's primitive creation fails under both.
int herd_write_execute_denied(void);

/// Forbids write-then-execute memory for this process and its children from now on
/// (prctl PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN), as systemd's MemoryDenyWriteExecute=yes does.
/// Cannot be undone. 0, or -1 with errno set (Linux < 6.3: EINVAL).
int herd_deny_write_execute(void);

#endif
