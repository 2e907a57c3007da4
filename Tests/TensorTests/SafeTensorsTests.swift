import Foundation
import Tensor
import XCTest

final class SafeTensorsTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("herd-safetensors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func write(_ data: Data, _ name: String = "m.safetensors") throws -> String {
        let url = folder.appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    func message(_ body: () throws -> Void) -> String {
        do { try body() } catch { return "\(error)" }
        return "no error"
    }

    func testRoundTripsF32F16AndBF16() throws {
        let values: [Float] = [0, 1, -2.5, 3.140625, 1e-3, -65504, 0.1]
        let t = Tensor(shape: [7], data: values)
        let path = try write(SafeTensors.encode([
            .init(name: "a", dtype: .f32, tensor: t), .init(name: "b", dtype: .f16, tensor: t),
            .init(name: "c", dtype: .bf16, tensor: Tensor(shape: [1, 7], data: values)),
        ], metadata: ["format": "pt"]))
        let file = try SafeTensorsFile(path: path)
        XCTAssertEqual(file.names, ["a", "b", "c"])
        XCTAssertEqual(file.metadata, ["format": "pt"])
        XCTAssertEqual(try file.tensor("a").data, values)
        XCTAssertEqual(try file.tensor("b").data, values.map { Float(Float16($0)) })
        let bf = try file.tensor("c")
        XCTAssertEqual(bf.shape, [1, 7])
        for (got, want) in zip(bf.data, values) { XCTAssertEqual(got, want, accuracy: abs(want) / 128 + 1e-6) }
        XCTAssertEqual(bf.data[1], 1)
        XCTAssertEqual(bf.data[2], -2.5)
    }

    func testNotSafetensorsIsOneClearError() throws {
        let path = try write(Data("PK\u{3}\u{4} this is a zip, not weights".utf8))
        XCTAssertTrue(message { _ = try SafeTensorsFile(path: path) }.contains("not a safetensors file"))
        let tiny = try write(Data([1, 2, 3]), "tiny")
        XCTAssertTrue(message { _ = try SafeTensorsFile(path: tiny) }.contains("not a safetensors file"))
        XCTAssertTrue(message { _ = try SafeTensorsFile(path: folder.appendingPathComponent("missing").path) }.contains("cannot open"))
    }

    func testTruncatedFileNamesTheTensor() throws {
        let full = SafeTensors.encode([.init(name: "w", tensor: Tensor(shape: [4, 4], repeating: 1)),
                                       .init(name: "last", tensor: Tensor(shape: [8], repeating: 2))])
        let path = try write(full.prefix(full.count - 5))
        let text = message { _ = try SafeTensorsFile(path: path) }
        XCTAssertTrue(text.contains("truncated") && text.contains("'last'"), text)
        let headerCut = try write(full.prefix(20), "cut")
        XCTAssertTrue(message { _ = try SafeTensorsFile(path: headerCut) }.contains("truncated"))
    }

    func testUnsupportedDTypeNamesTheTensor() throws {
        var header = #"{"ids":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}"#
        while header.utf8.count % 8 != 0 { header += " " }
        var data = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(Data(header.utf8))
        data.append(Data(count: 16))
        let file = try SafeTensorsFile(path: try write(data))
        let text = message { _ = try file.tensor("ids") }
        XCTAssertTrue(text.contains("'ids' has dtype I64"), text)
    }

    func testSizeThatDisagreesWithShapeIsCorrupt() throws {
        var header = #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#
        while header.utf8.count % 8 != 0 { header += " " }
        var data = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(Data(header.utf8))
        data.append(Data(count: 8))
        let text = message { _ = try SafeTensorsFile(path: try write(data)) }
        XCTAssertTrue(text.contains("'w'") && text.contains("corrupt"), text)
    }
}
