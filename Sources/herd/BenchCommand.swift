import ArgumentParser
import Encoder
import Foundation
import Tensor

/// `herd bench`: throughput benchmarks that print figures.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput.",
        subcommands: [Encoder.self])

    /// `herd bench encoder`: images per second of the forward pass on random 224² inputs.
    struct Encoder: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "encoder",
            abstract: "Images per second of the encoder at 224×224, fp32.")

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
            let vit: VisionTransformer
            if let random, let published = PublishedModel.named(random) {
                vit = VisionTransformer(weights: ViTWeights(random: ViTConfig(published: published)), threads: modelOptions.threadCount)
            } else {
                vit = try modelOptions.load()
            }
            vit.splitsImages = !splitRows
            vit.imagesPerLane = lane
            var generator = SplitMix64(seed: 1)
            let input = Tensor(shape: [batch, 3, size, size], data: (0..<(batch * 3 * size * size)).map { _ in generator.nextSignedFloat() })
            _ = try vit.features(input)
            var times: [Double] = []
            let start = Date()
            repeat {
                let t0 = Date()
                _ = try vit.features(input)
                times.append(Date().timeIntervalSince(t0))
            } while Date().timeIntervalSince(start) < seconds || times.count < 3
            let sorted = times.sorted()
            let median = sorted[sorted.count / 2]
            let rate = Double(batch) / median
            let memory = MemoryUsage.current()
            if json {
                let object: [String: Any] = [
                    "model": random ?? modelOptions.model, "batch": batch, "threads": modelOptions.threadCount,
                    "images_per_second": rate, "passes": times.count, "median_seconds": median,
                    "rss_mb": memory.rssMB, "peak_rss_mb": memory.peakMB, "blas_core": BLASInfo.coreName,
                ]
                print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            } else {
                let name = random ?? modelOptions.model
                print("\(name) batch \(batch), \(modelOptions.threadCount) threads, \(BLASInfo.coreName) BLAS: "
                      + String(format: "%.2f images/s (median of %d passes, %.3f s each); RSS %.0f MB, peak %.0f MB",
                               rate, times.count, median, memory.rssMB, memory.peakMB))
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
