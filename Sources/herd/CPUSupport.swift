import Foundation
import Tensor

/// What the CPU offers the encoder, with a test seam: `HERD_TEST_NO_BF16=1` makes herd act as on a CPU
/// without AVX512_BF16 (the fallback and its error messages are tested on machines that have it).
enum CPUSupport {
    /// Whether the bf16 kernels may run.
    static func bf16(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        BF16.isSupported && environment["HERD_TEST_NO_BF16"] != "1"
    }
}
