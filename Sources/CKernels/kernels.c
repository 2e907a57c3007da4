// bf16 GEMM for AVX512_BF16 CPUs (VDPBF16PS: bf16 pairs multiplied, accumulated in float32).
// Only the functions marked BF16_TARGET use AVX-512 instructions; the rest is portable C, so the
// default build runs on any x86-64 and callers check herd_cpu_has_avx512_bf16() first.
#include "ckernels.h"
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#define BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512bf16")))
#endif

enum {
    PANEL = HERD_BF16_PANEL,  // columns per packed panel: two zmm of 16 float32 accumulators
    MR = 12,                  // rows per register tile: 12 × 2 = 24 accumulators
    KC = 768,                 // k values per block: an MR × KC bf16 A block is 18 KiB (L1)
    L2_PANEL_BYTES = 512 * 1024,  // packed weights per N chunk, kept in L2 across row tiles
};

uint16_t herd_bf16_round(float x) {
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    if ((bits & 0x7f800000u) == 0) return (uint16_t)((bits >> 16) & 0x8000u);  // zero, denormal: ±0 (as VCVTNE2PS2BF16)
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits >> 16) | 0x0040u);  // NaN stays a quiet NaN
    bits += 0x7fffu + ((bits >> 16) & 1u);  // round to nearest, ties to even
    return (uint16_t)(bits >> 16);
}

size_t herd_bf16_packed_count(size_t k, size_t n) {
    size_t pairs = (k + 1) / 2, panels = (n + PANEL - 1) / PANEL;
    return panels * pairs * PANEL * 2;
}

/// herd_bf16_pack in portable C: one element at a time.
void herd_bf16_pack_portable(const float *w, size_t k, size_t n, size_t ldw, uint16_t *packed) {
    size_t pairs = (k + 1) / 2, panels = (n + PANEL - 1) / PANEL;
    for (size_t j = 0; j < panels; j++) {
        for (size_t p = 0; p < pairs; p++) {
            uint16_t *dst = packed + (j * pairs + p) * PANEL * 2;
            for (size_t c = 0; c < PANEL; c++) {
                size_t col = j * PANEL + c;
                for (size_t r = 0; r < 2; r++) {
                    size_t row = 2 * p + r;
                    dst[2 * c + r] = (row < k && col < n) ? herd_bf16_round(w[row * ldw + col]) : 0;
                }
            }
        }
    }
}

/// herd_bf16_convert in portable C.
static void convert_portable(const float *src, size_t rows, size_t cols, size_t lds, uint16_t *dst, size_t ldd) {
    for (size_t r = 0; r < rows; r++) {
        for (size_t i = 0; i < cols; i++) dst[r * ldd + i] = herd_bf16_round(src[r * lds + i]);
    }
}

#if defined(__x86_64__)

int herd_cpu_has_avx512_bf16(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) return 0;  // OSXSAVE
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    // XCR0: SSE, AVX, opmask, ZMM_Hi256, Hi16_ZMM state all enabled by the OS.
    if ((lo & 0xe6u) != 0xe6u) return 0;
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    int f = (b >> 16) & 1, bw = (b >> 30) & 1;  // AVX512F, AVX512BW
    if (!f || !bw || a < 1) return 0;
    __cpuid_count(7, 1, a, b, c, d);
    return (int)((a >> 5) & 1);  // AVX512_BF16
}

/// herd_bf16_pack on AVX-512: per pair of rows and 16 columns, both rows rounded by one
/// VCVTNE2PS2BF16 (the same rounding as herd_bf16_round) and interleaved by one word permute.
static BF16_TARGET void pack_avx512(const float *w, size_t k, size_t n, size_t ldw, uint16_t *packed) {
    size_t pairs = (k + 1) / 2, panels = (n + PANEL - 1) / PANEL;
    // Output word 2c + r takes row r's column c: row 0 sits in words 0–15 of the conversion, row 1 in 16–31.
    _Alignas(64) uint16_t order[32];
    for (int c = 0; c < 16; c++) { order[2 * c] = (uint16_t)c; order[2 * c + 1] = (uint16_t)(16 + c); }
    __m512i interleave = _mm512_load_si512((const void *)order);
    for (size_t j = 0; j < panels; j++) {
        for (size_t p = 0; p < pairs; p++) {
            uint16_t *dst = packed + (j * pairs + p) * PANEL * 2;
            const float *row0 = w + 2 * p * ldw, *row1 = row0 + ldw;
            for (size_t h = 0; h < 2; h++) {
                size_t col = j * PANEL + 16 * h;
                __mmask16 m = col >= n ? 0 : n - col >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - col)) - 1);
                __m512 lo = _mm512_maskz_loadu_ps(m, row0 + col);
                __m512 hi = 2 * p + 1 < k ? _mm512_maskz_loadu_ps(m, row1 + col) : _mm512_setzero_ps();
                __m512i both = (__m512i)_mm512_cvtne2ps_pbh(hi, lo);
                _mm512_storeu_si512((void *)(dst + 32 * h), _mm512_permutexvar_epi16(interleave, both));
            }
        }
    }
}

void herd_bf16_pack(const float *w, size_t k, size_t n, size_t ldw, uint16_t *packed) {
    if (herd_cpu_has_avx512_bf16()) {
        pack_avx512(w, k, n, ldw, packed);
    } else {
        herd_bf16_pack_portable(w, k, n, ldw, packed);
    }
}

static BF16_TARGET void convert_avx512(const float *src, size_t rows, size_t cols, size_t lds, uint16_t *dst, size_t ldd) {
    for (size_t r = 0; r < rows; r++) {
        const float *s = src + r * lds;
        uint16_t *d = dst + r * ldd;
        size_t i = 0;
        for (; i + 32 <= cols; i += 32) {
            __m512i both = (__m512i)_mm512_cvtne2ps_pbh(_mm512_loadu_ps(s + i + 16), _mm512_loadu_ps(s + i));
            _mm512_storeu_si512((void *)(d + i), both);
        }
        for (; i < cols; i++) d[i] = herd_bf16_round(s[i]);
    }
}

void herd_bf16_convert(const float *src, size_t rows, size_t cols, size_t lds, uint16_t *dst, size_t ldd) {
    static int wide = -1;  // CPUID traps to the hypervisor in a VM: asked once (a benign race: all write the same value)
    int known = __atomic_load_n(&wide, __ATOMIC_RELAXED);
    if (known < 0) {
        known = herd_cpu_has_avx512_bf16();
        __atomic_store_n(&wide, known, __ATOMIC_RELAXED);
    }
    if (known) {
        convert_avx512(src, rows, cols, lds, dst, ldd);
    } else {
        convert_portable(src, rows, cols, lds, dst, ldd);
    }
}

/// a: [mr, kc] float32 (lda) → out: [mr, stride] bf16, zero padded to `stride` (a multiple of 32).
static inline BF16_TARGET void convert_rows(size_t mr, size_t kc, const float *a, size_t lda, uint16_t *out, size_t stride) {
    for (size_t i = 0; i < mr; i++) {
        const float *src = a + i * lda;
        uint16_t *dst = out + i * stride;
        for (size_t t = 0; t < stride; t += 32) {
            size_t left = kc > t ? kc - t : 0;
            __mmask16 m0 = left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1);
            __mmask16 m1 = left >= 32 ? 0xffff : left > 16 ? (__mmask16)((1u << (left - 16)) - 1) : 0;
            __m512 lo = _mm512_maskz_loadu_ps(m0, src + t);
            __m512 hi = _mm512_maskz_loadu_ps(m1, src + t + 16);
            _mm512_storeu_si512((void *)(dst + t), (__m512i)_mm512_cvtne2ps_pbh(hi, lo));
        }
    }
}

/// c: [ROWS, 32] (masks for the last panel's columns) (+)= a: [ROWS, 2·pairs] bf16 (row stride
/// `as` pairs) · b: one panel's `pairs` pairs. ROWS is a constant in each instantiation, so the
/// accumulators stay in registers.
static inline __attribute__((always_inline)) BF16_TARGET void tile(
    const int rows, size_t pairs, const uint16_t *a, size_t as, const uint16_t *b,
    float *c, size_t ldc, __mmask16 m0, __mmask16 m1, int accumulate) {
    __m512 acc[MR][2];
    for (int i = 0; i < rows; i++) {
        acc[i][0] = accumulate ? _mm512_maskz_loadu_ps(m0, c + i * ldc) : _mm512_setzero_ps();
        acc[i][1] = accumulate ? _mm512_maskz_loadu_ps(m1, c + i * ldc + 16) : _mm512_setzero_ps();
    }
    // The row's bf16 pairs (k, k+1) read as one 32-bit value each; may_alias makes that read of the
    // uint16_t block well-defined C (a memcpy here halved the kernel's speed).
    typedef int32_t __attribute__((may_alias)) pair_t;
    const pair_t *ap = (const pair_t *)(const void *)a;
    for (size_t p = 0; p < pairs; p++) {
        __m512bh b0 = (__m512bh)_mm512_loadu_si512((const void *)(b + p * 64));
        __m512bh b1 = (__m512bh)_mm512_loadu_si512((const void *)(b + p * 64 + 32));
        for (int i = 0; i < rows; i++) {
            __m512bh x = (__m512bh)_mm512_set1_epi32(ap[i * as + p]);
            acc[i][0] = _mm512_dpbf16_ps(acc[i][0], x, b0);
            acc[i][1] = _mm512_dpbf16_ps(acc[i][1], x, b1);
        }
    }
    for (int i = 0; i < rows; i++) {
        _mm512_mask_storeu_ps(c + i * ldc, m0, acc[i][0]);
        _mm512_mask_storeu_ps(c + i * ldc + 16, m1, acc[i][1]);
    }
}

#define TILE(R) \
    static BF16_TARGET void tile##R(size_t pairs, const uint16_t *a, size_t as, const uint16_t *b, float *c, size_t ldc, \
                                    __mmask16 m0, __mmask16 m1, int accumulate) { \
        tile(R, pairs, a, as, b, c, ldc, m0, m1, accumulate); \
    }
TILE(1) TILE(2) TILE(3) TILE(4) TILE(5) TILE(6) TILE(7) TILE(8) TILE(9) TILE(10) TILE(11) TILE(12)

typedef void (*tile_fn)(size_t, const uint16_t *, size_t, const uint16_t *, float *, size_t, __mmask16, __mmask16, int);
static const tile_fn tiles[MR + 1] = {0, tile1, tile2, tile3, tile4, tile5, tile6, tile7, tile8, tile9, tile10, tile11, tile12};

BF16_TARGET void herd_bf16_gemm(size_t m, size_t n, size_t k, const float *a, size_t lda,
                                const uint16_t *packed, float *c, size_t ldc, int accumulate) {
    if (m == 0 || n == 0) return;
    if (k == 0) {
        if (!accumulate) for (size_t i = 0; i < m; i++) memset(c + i * ldc, 0, n * sizeof(float));
        return;
    }
    _Alignas(64) uint16_t block[MR * KC];
    size_t pairs = (k + 1) / 2, panels = (n + PANEL - 1) / PANEL;
    for (size_t k0 = 0; k0 < k; k0 += KC) {
        size_t kc = k - k0 < KC ? k - k0 : KC;
        size_t stride = (kc + 31) / 32 * 32, kpairs = (kc + 1) / 2;
        // Panels per chunk: the chunk's packed weights stay in L2 while every row tile passes over them.
        size_t chunk = L2_PANEL_BYTES / (kpairs * PANEL * 2 * sizeof(uint16_t));
        if (chunk < 1) chunk = 1;
        int add = accumulate || k0 > 0;
        for (size_t j0 = 0; j0 < panels; j0 += chunk) {
            size_t j1 = j0 + chunk < panels ? j0 + chunk : panels;
            for (size_t i0 = 0; i0 < m; i0 += MR) {
                size_t rows = m - i0 < MR ? m - i0 : MR;
                convert_rows(rows, kc, a + i0 * lda + k0, lda, block, stride);
                for (size_t j = j0; j < j1; j++) {
                    size_t col = j * PANEL, left = n - col;
                    __mmask16 m0 = left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1);
                    __mmask16 m1 = left >= 32 ? 0xffff : left > 16 ? (__mmask16)((1u << (left - 16)) - 1) : 0;
                    const uint16_t *b = packed + (j * pairs + k0 / 2) * PANEL * 2;
                    tiles[rows](kpairs, block, stride / 2, b, c + i0 * ldc + col, ldc, m0, m1, add);
                }
            }
        }
    }
}

/// e^x on 16 lanes: Cephes expf, inputs clamped to [-87.3, 88.3] (VectorMath.exp's algorithm).
static inline BF16_TARGET __m512 exp16(__m512 x) {
    __m512 c = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.3f)), _mm512_set1_ps(88.3f));
    const __m512 magic = _mm512_set1_ps(12582912.0f);
    __m512 shifted = _mm512_add_ps(_mm512_mul_ps(c, _mm512_set1_ps(1.44269504f)), magic);
    __m512 n = _mm512_sub_ps(shifted, magic);
    __m512 r = _mm512_sub_ps(c, _mm512_mul_ps(n, _mm512_set1_ps(0.693359375f)));
    r = _mm512_add_ps(r, _mm512_mul_ps(n, _mm512_set1_ps(2.1219444e-4f)));
    __m512 p = _mm512_set1_ps(1.9875691e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.333452e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665796e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5e-1f));
    p = _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r), _mm512_set1_ps(1.0f));
    __m512i e = _mm512_slli_epi32(_mm512_add_epi32(_mm512_sub_epi32(_mm512_castps_si512(shifted), _mm512_set1_epi32(0x4B400000)),
                                                   _mm512_set1_epi32(127)), 23);
    return _mm512_mul_ps(p, _mm512_castsi512_ps(e));
}

/// GELU(v) = v/2 · (1 + erf(v/√2)) on 16 lanes (VectorMath.erf's Abramowitz–Stegun 7.1.26).
static inline BF16_TARGET __m512 gelu16(__m512 v) {
    __m512 x = _mm512_mul_ps(v, _mm512_set1_ps(0.7071067811865475f));
    __m512i sign = _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32((int)0x80000000u));
    __m512 a = _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(0x7fffffff)));
    __m512 t = _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_fmadd_ps(a, _mm512_set1_ps(0.3275911f), _mm512_set1_ps(1.0f)));
    __m512 y = _mm512_set1_ps(1.061405429f);
    y = _mm512_fmadd_ps(y, t, _mm512_set1_ps(-1.453152027f));
    y = _mm512_fmadd_ps(y, t, _mm512_set1_ps(1.421413741f));
    y = _mm512_fmadd_ps(y, t, _mm512_set1_ps(-0.284496736f));
    y = _mm512_fmadd_ps(y, t, _mm512_set1_ps(0.254829592f));
    __m512 tail = _mm512_mul_ps(_mm512_mul_ps(y, t), exp16(_mm512_sub_ps(_mm512_setzero_ps(), _mm512_mul_ps(a, a))));
    __m512 erf = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(_mm512_sub_ps(_mm512_set1_ps(1.0f), tail)), sign));
    return _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), v), _mm512_add_ps(_mm512_set1_ps(1.0f), erf));
}

static inline __mmask16 tail_mask(size_t left) {
    return left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
}

BF16_TARGET void herd_avx512_bias_gelu(float *x, size_t rows, size_t cols, const float *bias) {
    for (size_t r = 0; r < rows; r++) {
        float *row = x + r * cols;
        for (size_t i = 0; i < cols; i += 16) {
            __mmask16 m = tail_mask(cols - i);
            __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, row + i), _mm512_maskz_loadu_ps(m, bias + i));
            _mm512_mask_storeu_ps(row + i, m, gelu16(v));
        }
    }
}

BF16_TARGET void herd_avx512_softmax_rows(float *x, size_t rows, size_t cols, size_t ld, float scale) {
    for (size_t r = 0; r < rows; r++) {
        float *row = x + r * ld;
        __m512 peaks = _mm512_set1_ps(-__builtin_inff());
        for (size_t i = 0; i < cols; i += 16) {
            __mmask16 m = tail_mask(cols - i);
            peaks = _mm512_mask_max_ps(peaks, m, peaks, _mm512_maskz_loadu_ps(m, row + i));
        }
        __m512 peak = _mm512_set1_ps(_mm512_reduce_max_ps(peaks)), vscale = _mm512_set1_ps(scale);
        __m512 sums = _mm512_setzero_ps();
        for (size_t i = 0; i < cols; i += 16) {
            __mmask16 m = tail_mask(cols - i);
            __m512 e = exp16(_mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, row + i), peak), vscale));
            _mm512_mask_storeu_ps(row + i, m, e);
            sums = _mm512_mask_add_ps(sums, m, sums, e);
        }
        __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sums));
        for (size_t i = 0; i < cols; i += 16) {
            __mmask16 m = tail_mask(cols - i);
            _mm512_mask_storeu_ps(row + i, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, row + i), inv));
        }
    }
}

#else

int herd_cpu_has_avx512_bf16(void) { return 0; }

void herd_bf16_convert(const float *src, size_t rows, size_t cols, size_t lds, uint16_t *dst, size_t ldd) {
    convert_portable(src, rows, cols, lds, dst, ldd);
}

void herd_bf16_pack(const float *w, size_t k, size_t n, size_t ldw, uint16_t *packed) {
    herd_bf16_pack_portable(w, k, n, ldw, packed);
}

void herd_avx512_bias_gelu(float *x, size_t rows, size_t cols, const float *bias) {
    (void)x; (void)rows; (void)cols; (void)bias;
}

void herd_avx512_softmax_rows(float *x, size_t rows, size_t cols, size_t ld, float scale) {
    (void)x; (void)rows; (void)cols; (void)ld; (void)scale;
}

void herd_bf16_gemm(size_t m, size_t n, size_t k, const float *a, size_t lda,
                    const uint16_t *packed, float *c, size_t ldc, int accumulate) {
    (void)m; (void)n; (void)k; (void)a; (void)lda; (void)packed; (void)c; (void)ldc; (void)accumulate;
}

#endif
