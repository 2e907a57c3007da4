import CDNNL
import CKernels

/// A weight matrix w: [K, N] held by oneDNN in bf16, in the layout its matmul picked (reordered once,
/// here), multiplied by bf16 activations with float32 accumulation. oneDNN dispatches by itself:
/// AMX tiles where the CPU and kernel allow them, AVX512_BF16 or AVX-512 otherwise; one primitive
/// per row count, created on first use (or by `prepare`) and kept.
///
/// `@unchecked Sendable`: the handle's weights and bias are written once in `init`; its primitive
/// cache is guarded by a mutex in C, and oneDNN primitives may run on several threads at once.
public final class OneDNNMatrix: @unchecked Sendable {
    /// K: rows of w (the inner dimension of a product).
    public let rows: Int
    /// N: columns of w (the output width).
    public let columns: Int
    /// Whether the product is followed by GELU (exact, erf form), fused into oneDNN's kernel.
    public let gelu: Bool
    /// Whether the output is bf16 (bits in UInt16) rather than float32.
    public let bf16Output: Bool
    private let handle: OpaquePointer

    /// Reorders w: [rows, columns] float32 row-major (leading dimension ldw) for
    /// c = a · w (+ bias) (→ GELU), c in float32 or bf16. `referenceRows`: the row count whose
    /// primitive picks the layout (the most frequent one). Throws when oneDNN cannot make the matmul
    /// here (no bf16 kernel for this CPU, or the process forbids the JIT code oneDNN generates).
    public init(packing w: UnsafePointer<Float>, rows: Int, columns: Int, ldw: Int? = nil, bias: UnsafePointer<Float>? = nil,
                gelu: Bool = false, bf16Output: Bool = false, referenceRows: Int = 197) throws(OneDNNError) {
        precondition(rows > 0 && columns > 0 && (ldw ?? columns) >= columns)
        self.rows = rows
        self.columns = columns
        self.gelu = gelu
        self.bf16Output = bf16Output
        var message = [CChar](repeating: 0, count: 512)
        guard let made = herd_dnnl_matrix_create(w, rows, columns, ldw ?? columns, bias, gelu ? 1 : 0, bf16Output ? 1 : 0,
                                                 max(1, referenceRows), &message, message.count) else {
            throw OneDNNError(message: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        handle = made
    }

    deinit { herd_dnnl_matrix_destroy(handle) }

    /// The implementation oneDNN chose, e.g. "brg:avx512_core_amx_bf16" on AMX, "brg:avx512_core_bf16".
    public var implementation: String { String(cString: herd_dnnl_matrix_impl(handle)) }

    /// Bytes the reordered weights take.
    public var byteCount: Int { herd_dnnl_matrix_bytes(handle) }

    /// Creates the primitive for m rows ahead of the first product (primitive creation generates code).
    public func prepare(m: Int, lda: Int? = nil, ldc: Int? = nil) throws(OneDNNError) {
        var message = [CChar](repeating: 0, count: 512)
        if herd_dnnl_matrix_prepare(handle, m, lda ?? rows, ldc ?? columns, &message, message.count) != 0 {
            throw OneDNNError(message: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
    }

    /// c: [m, N] (ldc) = a: [m, K] bf16 bits (lda) · w (+ bias, GELU as made); c holds float32, or bf16
    /// bits when made with `bf16Output`. Runs on the calling thread. A failure here (after `init`
    /// made the same kind of primitive) is a programmer error.
    public func multiply(m: Int, a: UnsafePointer<UInt16>, lda: Int, c: UnsafeMutableRawPointer, ldc: Int) {
        precondition(m >= 0 && lda >= rows && ldc >= columns)
        var message = [CChar](repeating: 0, count: 512)
        let status = herd_dnnl_matrix_multiply(handle, m, a, lda, c, ldc, &message, message.count)
        precondition(status == 0, String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
}

/// A oneDNN matmul that could not be made, with oneDNN's reason in words.
public struct OneDNNError: Error, CustomStringConvertible, Sendable {
    /// What failed and why.
    public let message: String
    public var description: String { message }
}

/// oneDNN and the CPU features it dispatches on, as this process sees them.
public enum OneDNN {
    /// oneDNN's version, e.g. "2.6.3".
    public static var version: String { String(cString: herd_dnnl_version()) }

    /// The widest instruction set oneDNN uses here, in words (e.g. "avx512_core_amx (AMX tiles)").
    public static var isa: String { String(cString: herd_dnnl_isa()) }

    /// AMX tiles on this CPU and kernel.
    public enum AMX: Sendable, Equatable {
        /// The CPU has no AMX (AMX-TILE and AMX-BF16).
        case absent
        /// Present, and the kernel granted this process its tile state (ARCH_REQ_XCOMP_PERM).
        case granted
        /// Present, but the kernel refused (or predates) the permission request.
        case refused
        /// Present, but the OS does not enable tile state (XCR0).
        case disabledByOS
    }

    /// AMX's state here; asks the kernel for permission as oneDNN does (harmless when already granted).
    public static var amx: AMX {
        switch herd_amx_status() {
        case 1: return .granted
        case 2: return .refused
        case 3: return .disabledByOS
        default: return .absent
        }
    }

    /// Whether this process forbids write-then-execute memory (prctl PR_GET_MDWE); nil where the
    /// kernel cannot tell. systemd's seccomp-based MemoryDenyWriteExecute does not show here.
    public static var writeExecuteDenied: Bool? {
        switch herd_write_execute_denied() {
        case 1: return true
        case 0: return false
        default: return nil
        }
    }

    /// Forbids write-then-execute memory in this process from now on (prctl PR_SET_MDWE), as
    /// systemd's MemoryDenyWriteExecute=yes does; cannot be undone. False where the kernel cannot.
    public static func denyWriteExecute() -> Bool {
        herd_deny_write_execute() == 0
    }
}

extension BF16 {
    /// dst: [rows, cols] bf16 bits (row stride ldd) = src: [rows, cols] float32 (row stride lds),
    /// rounded to nearest even as `rounded`.
    public static func convert(_ src: UnsafePointer<Float>, rows: Int, cols: Int, lds: Int? = nil,
                               into dst: UnsafeMutablePointer<UInt16>, ldd: Int? = nil) {
        herd_bf16_convert(src, rows, cols, lds ?? cols, dst, ldd ?? cols)
    }
}
