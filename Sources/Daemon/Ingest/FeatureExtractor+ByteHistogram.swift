import Foundation
import Glibc
import Imaging

extension FeatureExtractor {
    /// A TEST SEAM, not herd's encoder: a deterministic 64-bin histogram of a file's bytes (L2-normalised), so the
    /// daemon and its tests run end to end before the ViT encoder is plugged in. `delayPerImage` slows it to
    /// stand in for real encoder time (crash tests kill the daemon mid-batch). Model id `byte-histogram-64`.
    public static func byteHistogram(delayPerImage: Duration = .zero) -> FeatureExtractor {
        FeatureExtractor(modelID: byteHistogramModelID) { photos in
            photos.map { photo in
                if delayPerImage > .zero {
                    let (seconds, attoseconds) = delayPerImage.components
                    usleep(UInt32(seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
                }
                return Result { try histogram(of: photo) }
            }
        }
    }

    /// The model id of `byteHistogram`.
    public static let byteHistogramModelID = "byte-histogram-64"

    static func histogram(of photo: PhotoSource) throws -> [Float] {
        var counts = [Float](repeating: 0, count: 64)
        if let bytes = photo.bytes {
            for byte in bytes { counts[Int(byte >> 2)] += 1 }
        } else {
            let file = FileDescriptor(try Syscall.openForReading(photo.path))
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
            defer { buffer.deallocate() }
            while true {
                let n = try Syscall.read(file.fd, into: buffer, path: photo.path)
                if n == 0 { break }
                for byte in buffer[0 ..< n] { counts[Int(byte >> 2)] += 1 }
            }
        }
        let norm = counts.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0 else { throw ImagingError(.truncated, path: photo.path, "empty file") }
        return counts.map { $0 / norm }
    }
}
