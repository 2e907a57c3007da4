import Dispatch
import Synchronization

/// Thread-seconds spent in each stage of the forward pass, summed over every thread, for
/// `herd bench encoder --profile`. Collected only when a profile is handed to the encoder.
/// A stage takes the lock once per timed call: a few hundred times per image, nothing next to the work.
public final class StageProfile: Sendable {
    /// A stage of the forward pass.
    public enum Stage: Int, CaseIterable, Sendable, CustomStringConvertible {
        case patchEmbedding, layerNorm, qkv, attention, projection, mlpUp, mlpDown, residual, conversion, other

        public var description: String {
            switch self {
            case .patchEmbedding: return "patch embedding (im2col + product + positions)"
            case .layerNorm: return "LayerNorm"
            case .qkv: return "QKV product (+ bias)"
            case .attention: return "attention (QKᵀ, softmax, ·V per head)"
            case .projection: return "attention output product"
            case .mlpUp: return "MLP fc1 product + bias + GELU"
            case .mlpDown: return "MLP fc2 product"
            case .residual: return "bias + LayerScale + residual adds"
            case .conversion: return "float32 → bf16 activations"
            case .other: return "other (CLS compaction, final LayerNorm)"
            }
        }
    }

    private let nanoseconds = Mutex<[Int]>(Array(repeating: 0, count: Stage.allCases.count))

    /// An empty profile.
    public init() {}

    /// Runs `body`, adding its time to `stage`.
    @inline(__always)
    func time<T>(_ stage: Stage, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            let spent = Int(DispatchTime.now().uptimeNanoseconds &- start)
            nanoseconds.withLock { $0[stage.rawValue] += spent }
        }
        return try body()
    }

    /// Thread-seconds per stage so far.
    public var seconds: [(stage: Stage, seconds: Double)] {
        let counts = nanoseconds.withLock { $0 }
        return Stage.allCases.map { ($0, Double(counts[$0.rawValue]) / 1e9) }
    }

    /// Clears the counters.
    public func reset() {
        nanoseconds.withLock { $0 = Array(repeating: 0, count: Stage.allCases.count) }
    }
}

extension Optional where Wrapped == StageProfile {
    /// Runs `body`, timing it into the profile when there is one.
    @inline(__always)
    func time<T>(_ stage: StageProfile.Stage, _ body: () throws -> T) rethrows -> T {
        switch self {
        case .some(let profile): return try profile.time(stage, body)
        case .none: return try body()
        }
    }
}
