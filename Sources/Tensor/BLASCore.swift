import CSystem

/// Which OpenBLAS kernel family herd wants on this CPU.
///
/// Debian's OpenBLAS 0.3.21 does not recognise some newer CPUs and silently runs its generic
/// Prescott (SSE3) kernels, several times slower. The choice is made once at library load from
/// `OPENBLAS_CORETYPE`, so a process that detects the fallback must restart itself with it set.
public enum BLASCore {
    /// Core names OpenBLAS uses when it does not know the CPU (or for pre-AVX2 CPUs).
    static let fallbacks: Set<String> = ["Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Katmai", "Coppermine", "Northwood", "Banias", "Opteron", "Barcelona", "Bobcat", "unknown"]

    /// The `OPENBLAS_CORETYPE` to restart with, or nil when the running core is fine:
    /// `current` is `openblas_get_corename()`, `vectorFeatures` is `herd_cpu_vector_features()`
    /// (bit 0 AVX2+FMA, bit 1 AVX-512F).
    public static func replacement(forCore current: String, vectorFeatures: Int32) -> String? {
        guard fallbacks.contains(current) else { return nil }
        if vectorFeatures & 2 != 0 { return "SkylakeX" }
        if vectorFeatures & 1 != 0 { return "Haswell" }
        return nil
    }

    /// This CPU's vector features as `herd_cpu_vector_features()` reports them.
    public static var vectorFeatures: Int32 { herd_cpu_vector_features() }

    /// The CPU's vector features in words, e.g. "AVX2+FMA, AVX-512F, AVX512_BF16".
    public static var vectorFeatureNames: String {
        let f = vectorFeatures
        let names = (f & 1 != 0 ? ["AVX2+FMA"] : []) + (f & 2 != 0 ? ["AVX-512F"] : []) + (BF16.isSupported ? ["AVX512_BF16"] : [])
        return names.isEmpty ? "none of AVX2, AVX-512" : names.joined(separator: ", ")
    }
}
