import ArgumentParser
import Foundation
import Tensor

extension BenchCommand {
    /// `herd bench matmul`: the encoder's weight products on each engine, one thread, same run.
    struct Matmul: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "matmul",
            abstract: "GFLOPS of the encoder's weight products (ViT-S/16 and ViT-B/16 shapes) on OpenBLAS fp32, herd's bf16 kernel and oneDNN bf16, one thread, passes alternating.")

        @Option(name: .long, help: "Rows per product (394: a lane of two 224² images).")
        var rows = 394

        @Option(name: .long, help: "Timed passes per engine and shape (the best is reported).")
        var passes = 20

        func run() throws {
            let shapes: [(name: String, k: Int, n: Int)] = [
                ("S patch", 768, 384), ("S qkv", 384, 1152), ("S proj", 384, 384), ("S fc1", 384, 1536), ("S fc2", 1536, 384),
                ("B patch", 768, 768), ("B qkv", 768, 2304), ("B proj", 768, 768), ("B fc1", 768, 3072), ("B fc2", 3072, 768),
            ]
            print("oneDNN \(OneDNN.version) on \(OneDNN.isa); OpenBLAS \(BLASInfo.coreName); M = \(rows); 1 thread; best of \(passes)")
            print("shape      K     N   fp32 GF/s  herd bf16 GF/s  oneDNN GF/s  oneDNN / herd  oneDNN kernel")
            var rng = SplitMix64(seed: 3)
            for shape in shapes {
                let m = rows, k = shape.k, n = shape.n
                let a = (0..<(m * k)).map { _ in rng.nextSignedFloat() }
                let w = (0..<(k * n)).map { _ in rng.nextSignedFloat() / Float(k).squareRoot() }
                var c = [Float](repeating: 0, count: m * n)
                var a16 = [UInt16](repeating: 0, count: m * k)
                let panels = BF16.isSupported ? w.withUnsafeBufferPointer { BF16Matrix(packing: $0.baseAddress!, rows: k, columns: n) } : nil
                let dnnl = try? w.withUnsafeBufferPointer { try OneDNNMatrix(packing: $0.baseAddress!, rows: k, columns: n, referenceRows: m) }
                var best = [Double](repeating: .infinity, count: 3)
                for _ in 0...passes {  // the first pass warms up and is timed too; best-of discards it
                    a.withUnsafeBufferPointer { ap in
                        w.withUnsafeBufferPointer { wp in
                            c.withUnsafeMutableBufferPointer { cp in
                                let t0 = Date()
                                Gemm.sgemm(m: m, n: n, k: k, a: ap.baseAddress!, lda: k, b: wp.baseAddress!, ldb: n, c: cp.baseAddress!, ldc: n)
                                best[0] = min(best[0], Date().timeIntervalSince(t0))
                                if let panels {
                                    let t1 = Date()
                                    panels.multiply(m: m, a: ap.baseAddress!, lda: k, c: cp.baseAddress!, ldc: n)
                                    best[1] = min(best[1], Date().timeIntervalSince(t1))
                                }
                                if let dnnl {
                                    a16.withUnsafeMutableBufferPointer { bp in
                                        let t2 = Date()  // the conversion of A counts: herd's kernel converts as it reads
                                        BF16.convert(ap.baseAddress!, rows: m, cols: k, into: bp.baseAddress!)
                                        dnnl.multiply(m: m, a: bp.baseAddress!, lda: k, c: cp.baseAddress!, ldc: n)
                                        best[2] = min(best[2], Date().timeIntervalSince(t2))
                                    }
                                }
                            }
                        }
                    }
                }
                let flops = 2.0 * Double(m * k * n) / 1e9
                func rate(_ i: Int) -> String { best[i].isFinite ? String(format: "%.0f", flops / best[i]) : "-" }
                let ratio = best[1].isFinite && best[2].isFinite ? String(format: "%.2f", best[1] / best[2]) : "-"
                print(shape.name.padding(toLength: 8, withPad: " ", startingAt: 0)
                      + String(format: " %5d %5d", k, n)
                      + rate(0).leftPadded(12) + rate(1).leftPadded(16) + rate(2).leftPadded(13) + ratio.leftPadded(15)
                      + "  " + (dnnl?.implementation ?? "not available"))
            }
        }
    }
}
