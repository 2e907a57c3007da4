import Tensor

/// The number format and engine of the encoder's weight products (patch embedding, QKV,
/// projection, MLP). Everything else (LayerNorm, softmax, attention, residuals) is float32 in all.
public enum Precision: String, Sendable, CaseIterable, CustomStringConvertible {
    /// float32 products through OpenBLAS: transformers' output to a few 1e-6.
    case fp32
    /// bf16 inputs with float32 accumulation on herd's own VDPBF16PS kernel (needs AVX512_BF16).
    case bf16
    /// bf16 inputs with float32 accumulation through oneDNN's matmul: AMX tiles where the CPU and
    /// kernel allow them, AVX512_BF16 or AVX-512 otherwise (oneDNN dispatches by itself); bias,
    /// GELU and the bf16 rounding of the MLP's hidden layer fused into its kernels. Needs oneDNN's
    /// run-time code generation (no MemoryDenyWriteExecute).
    case bf16OneDNN = "bf16-onednn"
    /// The fastest of the paths this CPU runs whose features pass the parity check, measured when
    /// the model loads (`PrecisionSelection`). fp32 on a CPU without AVX512_BF16 (there oneDNN can
    /// only emulate bf16, and every CPU with AMX has AVX512_BF16).
    case auto

    public var description: String { rawValue }

    /// Whether the weight products take bf16 inputs.
    public var isReduced: Bool { self == .bf16 || self == .bf16OneDNN }

    /// The precision that runs for an explicit setting; throws naming the settings to use instead
    /// when `bf16` is set on a CPU without AVX512_BF16. `auto` is decided by measurement
    /// (`PrecisionSelection`), not here: it returns `auto`.
    public func resolved(cpuSupportsBF16: Bool = BF16.isSupported) throws -> Precision {
        switch self {
        case .fp32, .bf16OneDNN, .auto: return self
        case .bf16:
            guard cpuSupportsBF16 else {
                throw EncoderError("precision bf16", "this CPU (or its OS) has no AVX512_BF16, which bf16 needs; use --precision auto or fp32 (precision = \"auto\" in config.toml, or HERD_PRECISION=auto)")
            }
            return .bf16
        }
    }

    /// What `self` runs as on this CPU and why, in words (for `herd doctor`); `auto`'s measured
    /// choice is reported by `PrecisionSelection.report`.
    public func explanation(cpuSupportsBF16: Bool = BF16.isSupported) -> String {
        switch (self, cpuSupportsBF16) {
        case (.fp32, _): return "fp32 (set explicitly)"
        case (.auto, true): return "the fastest path that passes the parity check, measured when the model loads (`herd doctor --measure` runs it now)"
        case (.auto, false): return "fp32 (auto, and this CPU has no AVX512_BF16)"
        case (.bf16, true): return "bf16 on herd's kernel (set explicitly; this CPU has AVX512_BF16)"
        case (.bf16, false): return "nothing: bf16 is set but this CPU has no AVX512_BF16, so the encoder will not load; set precision to auto or fp32"
        case (.bf16OneDNN, _): return "bf16-onednn (set explicitly: bf16 through oneDNN, dispatching on \(OneDNN.isa))"
        }
    }
}
