import ArgumentParser
import Encoder
import Foundation
import Tensor

/// `herd bench`: throughput benchmarks that print figures.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput.",
        subcommands: [Encoder.self, Matmul.self, DuplicatesBench.self, OverviewBench.self])

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

        @Flag(name: .long, help: "Measure every path this CPU runs (fp32, bf16, bf16-onednn) and auto's choice in the same run, passes alternating, and print each rate, auto's measurement and auto / fastest.")
        var comparePrecisions = false

        @Flag(name: .long, help: "Print the thread-seconds each stage of the forward pass took, per image.")
        var profile = false

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
            let bf16 = CPUSupport.bf16()
            let precisions: [Precision] = comparePrecisions ? [.fp32] + (bf16 ? [.bf16] : []) + [.bf16OneDNN, .auto] : [modelOptions.precision]
            var models: [VisionTransformer] = []
            var labels: [String] = []
            let weights = random.flatMap(PublishedModel.named).map { ViTWeights(random: ViTConfig(published: $0)) }
            for precision in precisions {
                do {
                    if let weights {
                        models.append(try VisionTransformer(weights: weights, threads: modelOptions.threadCount, precision: precision,
                                                            cpuSupportsBF16: bf16))
                    } else {
                        models.append(try modelOptions.load(precision: precision))
                    }
                    labels.append(precision == .auto ? "auto (\(models[models.count - 1].precision))" : precision.rawValue)
                } catch where comparePrecisions && precision == .bf16OneDNN {
                    FileHandle.standardError.write(Data("bf16-onednn does not run here: \(error)\n".utf8))
                }
            }
            let profiles = models.map { _ in StageProfile() }
            for (vit, stages) in zip(models, profiles) {
                vit.splitsImages = !splitRows
                vit.imagesPerLane = lane
                if profile { vit.profile = stages }
            }
            var generator = SplitMix64(seed: 1)
            let input = Tensor(shape: [batch, 3, size, size], data: (0..<(batch * 3 * size * size)).map { _ in generator.nextSignedFloat() })
            for vit in models { _ = try vit.features(input) }
            for stages in profiles { stages.reset() }
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
            let results = zip(zip(models, labels), times).map { model, passes in
                let median = passes.sorted()[passes.count / 2]
                return (precision: model.0.precision, label: model.1, rate: Double(batch) / median, median: median, passes: passes.count,
                        kernel: model.0.kernelName)
            }
            let fastest = results.filter { !$0.label.hasPrefix("auto") }.map(\.rate).max() ?? 0
            let autoRate = results.first { $0.label.hasPrefix("auto") }?.rate
            if json {
                var object: [String: Any] = [
                    "model": name, "batch": batch, "threads": modelOptions.threadCount,
                    "rss_mb": memory.rssMB, "peak_rss_mb": memory.peakMB, "blas_core": BLASInfo.coreName,
                    "images_per_second": results[0].rate, "passes": results[0].passes, "median_seconds": results[0].median,
                    "precision": results[0].precision.rawValue,
                    "results": results.map { ["precision": $0.precision.rawValue, "path": $0.label, "kernel": $0.kernel,
                                              "images_per_second": $0.rate, "passes": $0.passes, "median_seconds": $0.median] },
                ]
                if let autoRate, fastest > 0 { object["auto_over_fastest"] = autoRate / fastest }
                if let selection = models.compactMap(\.selection).first { object["auto_report"] = selection.report }
                if profile {
                    object["profile_ms_per_image"] = zip(labels, profiles).map { label, stages in
                        [label: Dictionary(uniqueKeysWithValues: stages.seconds.map { ("\($0.stage)", $0.seconds * 1000 / Double(batch * times[0].count)) })]
                    }
                }
                print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            } else {
                for r in results {
                    print("\(name) \(r.label) batch \(batch), \(modelOptions.threadCount) threads, \(r.kernel): "
                          + String(format: "%.2f images/s (median of %d passes, %.3f s each)", r.rate, r.passes, r.median))
                }
                if let selection = models.compactMap(\.selection).first { print(selection.report) }
                if let autoRate, results.count > 1, fastest > 0 { print(String(format: "auto / fastest path: %.2f×", autoRate / fastest)) }
                if profile {
                    for (label, stages) in zip(labels, profiles) { print(Self.profileTable(label, stages, images: batch * times[0].count)) }
                }
                print(String(format: "RSS %.0f MB, peak %.0f MB", memory.rssMB, memory.peakMB))
            }
        }
    }
}

extension BenchCommand.Encoder {
    /// A stage profile as text: thread-milliseconds per image and share of the total, largest first.
    static func profileTable(_ label: String, _ profile: StageProfile, images: Int) -> String {
        let stages = profile.seconds.filter { $0.seconds > 0 }.sorted { $0.seconds > $1.seconds }
        let total = stages.reduce(0) { $0 + $1.seconds }
        var lines = [String(format: "stage profile, %@: %.2f thread-ms per image", label, total * 1000 / Double(max(images, 1)))]
        for (stage, seconds) in stages {
            lines.append(String(format: "  %6.2f ms %5.1f%%  %@", seconds * 1000 / Double(max(images, 1)), 100 * seconds / max(total, 1e-12), "\(stage)"))
        }
        return lines.joined(separator: "\n")
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
