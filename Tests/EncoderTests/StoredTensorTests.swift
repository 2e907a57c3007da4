import Foundation
import XCTest
@testable import Encoder

/// Reading stored tensors as PyTorch lays them out: strides, offsets and element types, against a naive
/// index computation.
final class StoredTensorTests: XCTestCase {
    var path: String!

    override func tearDownWithError() throws {
        if let path { try? FileManager.default.removeItem(atPath: path) }
    }

    /// A mapped file holding `values` as `dtype`, and the storage range covering them.
    func storage(_ values: [Double], _ dtype: StoredTensor.DType) throws -> (MappedFile, Range<Int>) {
        var data = Data("pad.".utf8)  // the storage does not start at byte 0
        for v in values {
            switch dtype {
            case .f32: withUnsafeBytes(of: Float(v).bitPattern.littleEndian) { data.append(contentsOf: $0) }
            case .f16: withUnsafeBytes(of: Float16(v).bitPattern.littleEndian) { data.append(contentsOf: $0) }
            case .bf16: withUnsafeBytes(of: UInt16(Float(v).bitPattern >> 16).littleEndian) { data.append(contentsOf: $0) }
            case .f64: withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) }
            case .other: XCTFail("not a float type")
            }
        }
        path = FileManager.default.temporaryDirectory.appendingPathComponent("herd-stored-\(UUID().uuidString)").path
        try data.write(to: URL(fileURLWithPath: path))
        return (try MappedFile(path: path), 4 ..< data.count)
    }

    /// Naive strided read: element [i0, i1, …] at offset + Σ i·stride.
    func naive(_ values: [Double], shape: [Int], strides: [Int], offset: Int) -> [Float] {
        var out: [Float] = []
        func walk(_ d: Int, _ at: Int) {
            if d == shape.count { out.append(Float(values[at])); return }
            for i in 0..<shape[d] { walk(d + 1, at + i * strides[d]) }
        }
        walk(0, offset)
        return out
    }

    func testStridesOffsetsAndTypesMatchTheNaiveIndex() throws {
        let values = (0..<60).map { Double($0) * 0.25 - 3 }  // exact in every type
        let views: [(shape: [Int], strides: [Int], offset: Int)] = [
            ([3, 4], [4, 1], 0),          // contiguous
            ([4, 3], [1, 4], 0),          // transposed
            ([2, 3, 2], [12, 1, 3], 5),   // permuted, with an offset
            ([5], [7], 2),                // every 7th
            ([2, 1, 3], [30, 9, 10], 1),  // a size-1 dimension with an odd stride
            ([], [], 17),                 // a scalar
        ]
        for dtype in [StoredTensor.DType.f32, .f16, .bf16, .f64] {
            let (file, range) = try storage(values, dtype)
            for v in views {
                let t = StoredTensor(file: file, storage: range, dtype: dtype, shape: v.shape, strides: v.strides, offset: v.offset)
                let expected = naive(values, shape: v.shape, strides: v.strides, offset: v.offset)
                XCTAssertEqual(try t.floats("t"), expected, "\(dtype) \(v)")
                XCTAssertEqual(try t.withFloat32Bytes("t") { Array($0.bindMemory(to: Float.self)) }, expected, "\(dtype) \(v)")
            }
        }
    }

    func testRowsOfAFusedMatrix() throws {
        let values = (0..<24).map(Double.init)
        let (file, range) = try storage(values, .f32)
        let qkv = StoredTensor(file: file, storage: range, dtype: .f32, shape: [6, 4], strides: [4, 1], offset: 0)
        XCTAssertEqual(try qkv.rows(2..<4).floats("k"), (8..<16).map(Float.init))
        XCTAssertTrue(qkv.rows(4..<6).isContiguous)
    }

    func testTensorReachingPastItsStorageIsRefused() throws {
        let (file, range) = try storage((0..<10).map(Double.init), .f32)
        for (shape, strides, offset) in [([11], [1], 0), ([5], [2], 2), ([2, 3], [5, 1], 3)] {
            let t = StoredTensor(file: file, storage: range, dtype: .f32, shape: shape, strides: strides, offset: offset)
            XCTAssertThrowsError(try t.floats("w"), "\(shape) \(strides) \(offset)") { error in
                XCTAssertTrue("\(error)".contains("which holds 10"), "\(error)")
            }
        }
        let huge = StoredTensor(file: file, storage: range, dtype: .f32, shape: [1 << 40, 1 << 40], strides: [1 << 40, 1], offset: 0)
        XCTAssertThrowsError(try huge.floats("w"))
    }
}
