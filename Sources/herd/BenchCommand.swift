import ArgumentParser
import Encoder
import Foundation
import Tensor

/// `herd bench`: throughput benchmarks that print figures.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput.",
        subcommands: [Encoder.self, DuplicatesBench.self, OverviewBench.self])

    /// `herd bench encoder`: images per second of the forward pass on random 224² inputs.
    struct Encoder: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "encoder",
            abstract: "Images per second of the encoder at 224×224, in fp32 or bf16 (or both, alternating).")

        @Option(name: .long, help: "Use seeded random weights of this published architecture instead of --model (e.g. dino-vits16).")
        var random: String?

        @Option(name: .long, help: "Images per forward pass.")
        var batch = 8

        @Option(name: .long, help: "Seconds to measure (after one warm-up pass).")
        var seconds = 10.0

        @Option(name: .long, help: "Input side in pixels.")
        var size = 224

        @Flag(name: .long, help: "Split every stage by rows and heads even when there is an image per thread.")
        var splitRows = false

        @Option(name: .long, help: "Images per thread lane when splitting by images (default: automatic).")
        var lane: Int?

        @Flag(name: .long, help: "Measure fp32 and bf16 in the same run, passes alternating, and print both and their ratio (needs AVX512_BF16).")
        var comparePrecisions = false

        @Flag(name: .long, help: "Print one JSON object.")
        var json = false

        @OptionGroup var modelOptions: ModelOptions

        func validate() throws {
            if batch < 1 { throw ValidationError("--batch must be at least 1") }
            if let random, PublishedModel.named(random) == nil {
                throw ValidationError("unknown architecture '\(random)'; known: \(PublishedModel.all.map(\.name).joined(separator: ", "))")
            }
        }

        func run() throws {
            let precisions: [Precision] = comparePrecisions ? [.fp32, .bf16] : [modelOptions.precision]
            var models: [VisionTransformer] = []
            if let random, let published = PublishedModel.named(random) {
                let weights = ViTWeights(random: ViTConfig(published: published))
                for precision in precisions {
                    models.append(try VisionTransformer(weights: weights, threads: modelOptions.threadCount, precision: precision,
                                                        cpuSupportsBF16: CPUSupport.bf16()))
                }
            } else {
                for precision in precisions { models.append(try modelOptions.load(precision: precision)) }
            }
            for vit in models {
                vit.splitsImages = !splitRows
                vit.imagesPerLane = lane
            }
            var generator = SplitMix64(seed: 1)
            let input = Tensor(shape: [batch, 3, size, size], data: (0..<(batch * 3 * size * size)).map { _ in generator.nextSignedFloat() })
            for vit in models { _ = try vit.features(input) }
            // One pass of each model in turn, so every precision sees the same machine load.
            var times = [[Double]](repeating: [], count: models.count)
            let start = Date()
            repeat {
                for (i, vit) in models.enumerated() {
                    let t0 = Date()
                    _ = try vit.features(input)
                    times[i].append(Date().timeIntervalSince(t0))
                }
            } while Date().timeIntervalSince(start) < seconds || times[0].count < 3
            let memory = MemoryUsage.current()
            let name = random ?? modelOptions.model
            let results = zip(models, times).map { vit, passes in
                let median = passes.sorted()[passes.count / 2]
                return (precision: vit.precision, rate: Double(batch) / median, median: median, passes: passes.count)
            }
            if json {
                var object: [String: Any] = [
                    "model": name, "batch": batch, "threads": modelOptions.threadCount,
                    "rss_mb": memory.rssMB, "peak_rss_mb": memory.peakMB, "blas_core": BLASInfo.coreName,
                    "images_per_second": results[0].rate, "passes": results[0].passes, "median_seconds": results[0].median,
                    "precision": results[0].precision.rawValue,
                    "results": results.map { ["precision": $0.precision.rawValue, "images_per_second": $0.rate, "passes": $0.passes, "median_seconds": $0.median] },
                ]
                if results.count == 2 { object["bf16_over_fp32"] = results[1].rate / results[0].rate }
                print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            } else {
                for r in results {
                    print("\(name) \(r.precision) batch \(batch), \(modelOptions.threadCount) threads, \(BLASInfo.coreName) BLAS: "
                          + String(format: "%.2f images/s (median of %d passes, %.3f s each)", r.rate, r.passes, r.median))
                }
                if results.count == 2 { print(String(format: "bf16 / fp32: %.2f×", results[1].rate / results[0].rate)) }
                print(String(format: "RSS %.0f MB, peak %.0f MB", memory.rssMB, memory.peakMB))
            }
        }
    }
}

/// Resident memory of this process from /proc/self/status.
enum MemoryUsage {
    /// Current (VmRSS) and peak (VmHWM) resident set, in MB; 0 where unavailable.
    static func current() -> (rssMB: Double, peakMB: Double) {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Double {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
            let kb = Double(line.split(separator: " ").dropFirst().first ?? "") ?? 0
            return kb / 1024
        }
        return (field("VmRSS"), field("VmHWM"))
    }
}
