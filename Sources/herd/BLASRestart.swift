import Encoder
import Foundation
import Tensor

/// Restarts the process once with `OPENBLAS_CORETYPE` set when OpenBLAS fell back to generic
/// kernels on a CPU that has AVX2 or AVX-512 (see `BLASCore`). Called first thing in `main`.
enum BLASRestart {
    /// Set in the restarted process so a restart happens at most once.
    static let marker = "HERD_BLAS_RESTARTED"

    /// Test seam: pretend OpenBLAS reported this core (e.g. "Prescott") to exercise the restart.
    static let assumedCore = "HERD_TEST_BLAS_CORE"

    /// Re-executes /proc/self/exe with the same arguments if needed; returns if not (or if exec fails).
    static func restartIfNeeded() {
        let env = ProcessInfo.processInfo.environment
        guard env["OPENBLAS_CORETYPE"] == nil, env[marker] == nil,
              let core = BLASCore.replacement(forCore: env[assumedCore] ?? BLASInfo.coreName, vectorFeatures: BLASCore.vectorFeatures) else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv(marker, "1", 1)
        let args = CommandLine.arguments
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        execv("/proc/self/exe", &argv)
        // exec failed: carry on with the slow kernels rather than not running at all.
        for p in argv { free(p) }
        FileHandle.standardError.write(Data("herd: warning: could not restart with OPENBLAS_CORETYPE=\(core) (\(String(cString: strerror(errno)))); set it in the environment for full speed\n".utf8))
    }
}
