#ifndef HERD_CKERNELS_H
#define HERD_CKERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Whether this CPU and OS run the bf16 kernels: AVX512F, AVX512BW and AVX512_BF16 (CPUID leaf 7)
/// with the OS saving zmm and opmask state (XGETBV). Returns 1 or 0.
int herd_cpu_has_avx512_bf16(void);

/// Columns per packed panel of a bf16 weight matrix.
#define HERD_BF16_PANEL 32

/// bf16 elements (uint16) a packed [k, n] matrix takes: (k rounded up to even) × (n rounded up to
/// HERD_BF16_PANEL).
size_t herd_bf16_packed_count(size_t k, size_t n);

/// w: [k, n] float32 row-major (ldw ≥ n) → packed bf16 panels (round to nearest even), zero padded.
/// Layout: panel j (columns 32j..32j+31), then pair p (rows 2p, 2p+1), then column c of the panel,
/// then row parity: packed[((j·K2 + p)·32 + c)·2 + r] = w[2p + r, 32j + c], K2 = ⌈k/2⌉.
/// One 64-byte load of 16 columns × 2 rows feeds one VDPBF16PS. Runs on any CPU (AVX-512 where
/// herd_cpu_has_avx512_bf16(), else portable C).
void herd_bf16_pack(const float *w, size_t k, size_t n, size_t ldw, uint16_t *packed);

/// herd_bf16_pack's portable loop, which it runs on CPUs without AVX512_BF16 (exposed for tests).
void herd_bf16_pack_portable(const float *w, size_t k, size_t n, size_t ldw, uint16_t *packed);

/// c: [m, n] (ldc) = a: [m, k] float32 (lda) · packed [k, n] (+ c when accumulate ≠ 0).
/// a is rounded to bf16 (nearest even) as it is read; products are accumulated in float32.
/// Single-threaded; needs herd_cpu_has_avx512_bf16() (the caller checks).
void herd_bf16_gemm(size_t m, size_t n, size_t k, const float *a, size_t lda,
                    const uint16_t *packed, float *c, size_t ldc, int accumulate);

/// In place: x: [rows, cols] → GELU(x + bias), bias: [cols], exact (erf) form, with the same
/// polynomials as Tensor's Activation.biasGELU (erf: Abramowitz–Stegun 7.1.26; exp: Cephes) on 16
/// AVX-512 lanes. Needs AVX512F (the bf16 path, which checks herd_cpu_has_avx512_bf16()).
void herd_avx512_bias_gelu(float *x, size_t rows, size_t cols, const float *bias);

/// In place: x: [rows, cols] (row stride ld) → softmax(scale · x) per row, maximum subtracted first,
/// as Tensor's Softmax.rows, on 16 AVX-512 lanes. Needs AVX512F.
void herd_avx512_softmax_rows(float *x, size_t rows, size_t cols, size_t ld, float scale);

/// dst: [rows, cols] bf16 bits (row stride ldd) = src: [rows, cols] float32 (row stride lds), rounded
/// to nearest even as herd_bf16_round (VCVTNE2PS2BF16 where the CPU has AVX512_BF16, else portable C).
void herd_bf16_convert(const float *src, size_t rows, size_t cols, size_t lds, uint16_t *dst, size_t ldd);

/// Rounds float32 to bf16 (nearest even, as the kernels do), returned as the bf16 bit pattern.
uint16_t herd_bf16_round(float x);

#endif
