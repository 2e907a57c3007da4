import Tensor

/// The number format of the encoder's weight products (patch embedding, QKV, projection, MLP).
/// Everything else (LayerNorm, softmax, GELU, attention, residuals) is float32 in both.
public enum Precision: String, Sendable, CaseIterable, CustomStringConvertible {
    /// float32 products through OpenBLAS: transformers' output to a few 1e-6.
    case fp32
    /// bf16 inputs with float32 accumulation (AVX512_BF16): about twice the products per cycle;
    /// features within cosine 0.9999 of fp32's in the measurements of Docs/ENCODER.md.
    case bf16
    /// bf16 where the CPU supports it, else fp32.
    case auto

    public var description: String { rawValue }

    /// The precision that runs: `auto` becomes bf16 or fp32 by `cpuSupportsBF16`; an explicit bf16
    /// on a CPU without it throws, naming the settings to use instead.
    public func resolved(cpuSupportsBF16: Bool = BF16.isSupported) throws -> Precision {
        switch self {
        case .fp32: return .fp32
        case .auto: return cpuSupportsBF16 ? .bf16 : .fp32
        case .bf16:
            guard cpuSupportsBF16 else {
                throw EncoderError("precision bf16", "this CPU (or its OS) has no AVX512_BF16, which bf16 needs; use --precision auto or fp32 (precision = \"auto\" in config.toml, or HERD_PRECISION=auto)")
            }
            return .bf16
        }
    }

    /// What `self` runs as on this CPU and why, in words (for `herd doctor`).
    public func explanation(cpuSupportsBF16: Bool = BF16.isSupported) -> String {
        switch (self, cpuSupportsBF16) {
        case (.fp32, _): return "fp32 (set explicitly)"
        case (.auto, true): return "bf16 (auto, and this CPU has AVX512_BF16)"
        case (.auto, false): return "fp32 (auto, and this CPU has no AVX512_BF16)"
        case (.bf16, true): return "bf16 (set explicitly; this CPU has AVX512_BF16)"
        case (.bf16, false): return "nothing: bf16 is set but this CPU has no AVX512_BF16, so the encoder will not load; set precision to auto or fp32"
        }
    }
}
