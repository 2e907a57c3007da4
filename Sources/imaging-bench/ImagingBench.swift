import Foundation
import Imaging

/// Decode benchmark: the encoder's 224×224 input made from a photo (reduced scale where the format
/// allows, resample, crop, normalise) next to plain full-size decoding of the same file, in the same
/// run; then the process's peak RSS. Any format Imaging decodes (JPEG, PNG, HEIC/HEIF, AVIF, WebP).
/// `--only-herd-path` runs the herd path alone, so the peak RSS is that path's. CPU is user + system
/// time per image over all threads.
/// Usage: imaging-bench [FILE] [--runs N] [--only-herd-path]   (build with -c release)
@main
enum ImagingBench {
    static func main() throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        var runs = 20
        if let i = arguments.firstIndex(of: "--runs"), i + 1 < arguments.count, let n = Int(arguments[i + 1]) {
            runs = max(1, n)
            arguments.removeSubrange(i...(i + 1))
        }
        let onlyHerdPath = arguments.contains("--only-herd-path")
        arguments.removeAll { $0 == "--only-herd-path" }
        let path = arguments.first ?? "../shared/data/robustness/large/012mp-bus.jpg"
        let decoder = ImageDecoder()
        let data = try decoder.readFile(path)
        let preprocessor = Preprocessor()
        let info = try decoder.inspect(data: data, path: path)
        print("file: \(path) (\(info.width)×\(info.height), \(data.count / 1024) KiB, \(info.encoding))")
        print("runs: \(runs) each, median ms per image; file bytes already in memory")

        var cases: [(String, () throws -> Void)] = [
            ("full-size decode (1/1)", { _ = try decoder.decode(data: data, path: path) }),
            ("full-size decode + preprocess to 224", {
                _ = preprocessor.prepare(try decoder.decode(data: data, path: path))
            }),
            ("herd path: reduced-scale decode + preprocess to 224", {
                _ = try preprocessor.prepare(data: data, path: path)
            }),
            ("smallest decode (1/8 for JPEG and WebP)", { _ = try decoder.decode(data: data, path: path, minimumShortSide: 1) }),
        ]
        if onlyHerdPath { cases = [cases[2]] }
        var medians: [Double] = []
        for (name, body) in cases {
            try body()  // warm-up
            var times: [Double] = []
            let cpuBefore = cpuSeconds()
            for _ in 0..<runs {
                let start = DispatchTime.now().uptimeNanoseconds
                try body()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            times.sort()
            let median = times[times.count / 2]
            medians.append(median)
            let label = name.padding(toLength: 52, withPad: " ", startingAt: 0)
            let cpu = (cpuSeconds() - cpuBefore) * 1000 / Double(runs)
            print(label + String(format: " %8.2f ms  (min %.2f, max %.2f; CPU %.1f ms)", median, times[0], times[times.count - 1], cpu))
        }
        if medians.count > 2 {
            print(String(format: "herd path is %.1f× faster than full-size decode + preprocess", medians[1] / medians[2]))
        }
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        print("peak RSS \(usage.ru_maxrss / 1024) MiB")
    }

    /// User + system CPU time of the process so far, all threads: a busy machine stretches wall time,
    /// much less this.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
