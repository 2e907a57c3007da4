/// A fixed-size buffer of `Element`s at a stable address, zeroed at creation and freed in `deinit`.
///
/// `@unchecked Sendable`: weights are written once before they are shared; scratch buffers are
/// written by worker threads only at disjoint row ranges handed out by `ComputePool`.
final class ElementBuffer<Element: BitwiseCopyable & Numeric>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Element>
    let count: Int

    /// A zeroed buffer of `count` elements, 64-byte aligned (a cache line: rows of activations and
    /// weights start where the AVX-512 kernels' loads do not straddle two).
    init(count: Int) {
        self.count = count
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Element>.stride, alignment: 64)
            .bindMemory(to: Element.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    /// A buffer holding a copy of `values`.
    convenience init(_ values: [Element]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { src in
            guard let base = src.baseAddress else { return }
            pointer.update(from: base, count: values.count)
        }
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }

    /// Read-only address of the first element.
    var base: UnsafePointer<Element> { UnsafePointer(pointer) }

    /// The contents as an array.
    var array: [Element] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}

/// float32 weights and activations.
typealias FloatBuffer = ElementBuffer<Float>

/// bf16 values (their bit patterns), the inputs oneDNN's products read.
typealias BF16Buffer = ElementBuffer<UInt16>
