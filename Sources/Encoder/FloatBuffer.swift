/// A fixed-size float32 buffer at a stable address, freed in `deinit`.
///
/// `@unchecked Sendable`: weights are written once before they are shared; scratch buffers are
/// written by worker threads only at disjoint row ranges handed out by `ComputePool`.
final class FloatBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    /// A zeroed buffer of `count` floats.
    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    /// A buffer holding a copy of `values`.
    convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { src in
            guard let base = src.baseAddress else { return }
            pointer.update(from: base, count: values.count)
        }
    }

    deinit { pointer.deallocate() }

    /// Read-only address of the first element.
    var base: UnsafePointer<Float> { UnsafePointer(pointer) }

    /// The contents as an array.
    var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}
