import Foundation
import Index
import Tensor

// herd-bench: benchmarks and method experiments that print figures (never timed unit tests).
// Build with `swift build -c release --product herd-bench`; see Docs/BENCHMARKS.md for the commands.

let arguments = Array(CommandLine.arguments.dropFirst())
let usage = """
usage: herd-bench knn [--n 50000] [--d 384] [--k 20]
       herd-bench hnsw [--n 100000] [--d 384] [--queries 1000] [--m 16] [--ef-construction 200] [--ef 128]
       herd-bench head [--n 100000] [--d 384] [--clusters 100] [--epochs 100]
       herd-bench sweep --features X.npy --labels y.npy [--runs 5] [--variants a,b,...]
       herd-bench guard --features X.npy --labels y.npy [--runs 5] [--imbalance R]   (or --synthetic n,d,k,spread,noise)
       herd-bench stability [--features X.npy] [--labels y.npy] [--clusters 20 (0: chosen from the photos)] [--runs 3] [--split 0.7]
       herd-bench candidates --features X.npy --labels y.npy [--runs 3]      (or --synthetic, --imbalance)
       herd-bench count --features X.npy --labels y.npy [--growth no]        (or --synthetic)
       herd-bench count-cost [--n 10000] [--d 384] [--clusters 50] [--cold no]
"""

/// The value after `--name`, or `fallback`.
func option(_ name: String, _ fallback: String) -> String {
    guard let i = arguments.firstIndex(of: "--" + name), i + 1 < arguments.count else { return fallback }
    return arguments[i + 1]
}

/// An integer option.
func intOption(_ name: String, _ fallback: Int) -> Int { Int(option(name, String(fallback))) ?? fallback }

/// The pool the benchmarks run on: `--threads N`, default every CPU.
func benchPool() -> ComputePool {
    ComputePool(threads: intOption("threads", ProcessInfo.processInfo.activeProcessorCount), name: "herd.bench")
}

/// Seconds since an arbitrary start.
func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// Prints the BLAS core and thread count, so figures can be compared across runs.
func printEnvironment() {
    print("# OpenBLAS core \(BLASInfo.coreName), \(BLASInfo.threads) threads, \(ProcessInfo.processInfo.activeProcessorCount) CPUs")
    if BLASInfo.coreName.lowercased() == "prescott" {
        print("# warning: OpenBLAS runs its SSE3 fallback; start with OPENBLAS_CORETYPE=SkylakeX (AVX-512) or Haswell (AVX2)")
    }
}

do {
    switch arguments.first {
    case "knn": try benchKNN()
    case "hnsw": try benchHNSW()
    case "head": try benchHead()
    case "sweep": try sweep()
    case "diagnose": try diagnose()
    case "guard": try guardStudy()
    case "candidates": try candidates()
    case "count": try benchCount()
    case "count-cost": try benchCountCost()
    case "stability": try benchStability()
    case "synthetic":
        // Writes the benchmark's synthetic vectors, to compare against other implementations.
        let (x, y) = SyntheticFeatures.clustered(count: intOption("n", 100_000), dimension: intOption("d", 384), clusters: 100,
                                                 seed: UInt64(intOption("seed", 1)))
        try Npy.write(x, to: option("out", "synthetic") + "-X.npy")
        try Npy.encode(labels: y).write(to: URL(fileURLWithPath: option("out", "synthetic") + "-y.npy"))
    default:
        print(usage)
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("herd-bench: \(error)\n".utf8))
    exit(3)
}
