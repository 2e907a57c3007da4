import Foundation
import Tensor

/// What `--precision auto` measured when the model loaded, and what it chose: each path this CPU
/// runs is timed on the model's real shapes (its patch embedding and first two blocks, a lane of two
/// 224² images — the native grid when smaller — one
/// thread, passes alternating between paths) and checked against fp32 on the same input; the
/// fastest path whose features keep cosine ≥ `parityBound` per image is chosen (fp32 when no
/// reduced-precision path is faster).
public struct PrecisionSelection: Sendable {
    /// One path's figures.
    public struct Measurement: Sendable {
        /// The path.
        public let precision: Precision
        /// Seconds of the best probe pass, per image; nil when the path could not run.
        public let secondsPerImage: Double?
        /// Lowest per-image cosine against fp32 on the probe input; nil for fp32 or when not run.
        public let minCosine: Double?
        /// Why the path is not eligible (it could not run, or failed the parity bound); nil when eligible.
        public let refusal: String?
        /// The kernel it ran on, e.g. oneDNN's "brg:avx512_core_amx_bf16".
        public let kernel: String
    }

    /// The smallest cosine to fp32, per image, a path must keep on the probe to be eligible.
    public static let parityBound = 0.9999

    /// The path chosen.
    public let chosen: Precision
    /// Every path considered, in the order measured.
    public let measurements: [Measurement]
    /// Rounds of passes measured.
    public let rounds: Int
    /// Wall-clock seconds the measurement took (building the probe matrices included).
    public let seconds: Double
    /// Side in pixels of the probe's square images.
    public let imageSide: Int

    /// Times every path of `candidates` on a probe cut from `weights` (float32) and picks the fastest eligible one.
    static func measure(_ weights: ViTWeights, candidates: [Precision]) -> PrecisionSelection {
        let start = Date()
        var probe = weights
        // Two blocks: the first runs on every row as all but the last do (the last runs its MLP on the
        // CLS rows alone, so a one-block probe would leave out most of a block's work).
        probe.blocks = Array(weights.blocks.prefix(2))
        let c = weights.config, side = VisionTransformer.probeGrid(c) * c.patch, images = 2
        var rng = SplitMix64(seed: 7)
        let input = Tensor(shape: [images, 3, side, side], data: (0..<(images * 3 * side * side)).map { _ in rng.nextSignedFloat() })
        var models: [(Precision, VisionTransformer?, String)] = []
        for precision in candidates {
            do {
                let vit = try VisionTransformer(weights: probe, threads: 1, precision: precision)
                models.append((precision, vit, vit.kernelName))
            } catch {
                models.append((precision, nil, "\(error)"))
            }
        }
        var outputs: [Tensor?] = models.map { _, vit, _ in try? vit?.features(input) }  // warm-up: primitives, caches
        var best = [Double](repeating: .infinity, count: models.count)
        var rounds = 0
        let measuring = Date()
        // The best of several passes: on a busy machine single passes of one path vary by ±10–25%.
        // Paid once per CPU and architecture (PrecisionChoiceCache remembers the choice).
        while rounds < 5 || (Date().timeIntervalSince(measuring) < 0.3 && rounds < 15) {
            for (i, (_, vit, _)) in models.enumerated() {
                guard let vit else { continue }
                let t0 = Date()
                if let out = try? vit.features(input) { outputs[i] = out }
                best[i] = min(best[i], Date().timeIntervalSince(t0))
            }
            rounds += 1
        }
        let reference = models.firstIndex { $0.0 == .fp32 }.flatMap { outputs[$0] }
        var measurements: [Measurement] = []
        for (i, (precision, vit, kernel)) in models.enumerated() {
            guard vit != nil, let out = outputs[i], best[i].isFinite else {
                measurements.append(Measurement(precision: precision, secondsPerImage: nil, minCosine: nil,
                                                refusal: "could not run: \(kernel)", kernel: ""))
                continue
            }
            var cosine: Double?
            if precision != .fp32, let reference { cosine = Self.minCosine(out, reference) }
            let refusal = cosine.map { $0 < parityBound ? String(format: "cosine %.6f to fp32, below %.4f", $0, parityBound) : nil } ?? nil
            measurements.append(Measurement(precision: precision, secondsPerImage: best[i] / Double(images), minCosine: cosine,
                                            refusal: refusal, kernel: kernel))
        }
        let eligible = measurements.filter { $0.refusal == nil && $0.secondsPerImage != nil }
        let chosen = eligible.min { ($0.secondsPerImage ?? .infinity) < ($1.secondsPerImage ?? .infinity) }?.precision ?? .fp32
        return PrecisionSelection(chosen: chosen, measurements: measurements, rounds: rounds, seconds: Date().timeIntervalSince(start),
                                  imageSide: side)
    }

    /// Lowest per-row cosine between a and b: [N, D].
    static func minCosine(_ a: Tensor, _ b: Tensor) -> Double {
        let n = a.shape[0], d = a.shape[1]
        var worst = 1.0
        for r in 0..<n {
            var dot = 0.0, na = 0.0, nb = 0.0
            for i in 0..<d {
                let x = Double(a.data[r * d + i]), y = Double(b.data[r * d + i])
                dot += x * y
                na += x * x
                nb += y * y
            }
            worst = min(worst, na > 0 && nb > 0 ? dot / (na * nb).squareRoot() : 0)
        }
        return worst
    }

    /// The measurement in words, one line per path, for `herd doctor` and `herd bench encoder`.
    public var report: String {
        var lines = [String(format: "auto chose %@ (measured in %.2f s: patch embedding + 2 blocks, 2 images of %d², 1 thread, best of %d passes)",
                            chosen.rawValue, seconds, imageSide, rounds)]
        for m in measurements {
            var line = "  " + m.precision.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
            if let s = m.secondsPerImage { line += String(format: "%7.2f ms/image (probe)", s * 1000) }
            if let c = m.minCosine { line += String(format: ", cosine to fp32 %.6f", c) }
            if !m.kernel.isEmpty { line += ", \(m.kernel)" }
            if let r = m.refusal { line += " — not eligible: \(r)" } else if m.precision == chosen { line += " — chosen" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}

extension VisionTransformer {
    /// The kernel the weight products run on, in words.
    public var kernelName: String {
        switch matrices.patch {
        case .fp32: return "OpenBLAS \(BLASInfo.coreName) sgemm"
        case .panels: return "herd VDPBF16PS kernel"
        case .oneDNN: return "oneDNN \(OneDNN.version) \(matrices.oneDNNImplementation ?? "")"
        }
    }
}
