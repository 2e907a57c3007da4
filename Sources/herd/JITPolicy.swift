import Foundation
import Tensor

/// A test seam for the service unit's memory protection: `HERD_TEST_DENY_WRITE_EXECUTE=1` makes the
/// process forbid write-then-execute memory (prctl PR_SET_MDWE) first thing in `main`, as systemd's
/// MemoryDenyWriteExecute=yes does, so the tests can run the encoder under it without a user manager.
enum JITPolicy {
    /// Applies the seam when the variable asks for it; exits 3 when the kernel cannot (Linux < 6.3).
    static func applyTestSeam(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard environment["HERD_TEST_DENY_WRITE_EXECUTE"] == "1" else { return }
        if !OneDNN.denyWriteExecute() {
            FileHandle.standardError.write(Data("herd: HERD_TEST_DENY_WRITE_EXECUTE=1 but this kernel has no PR_SET_MDWE (Linux ≥ 6.3)\n".utf8))
            exit(3)
        }
    }
}
