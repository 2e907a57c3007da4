import Catalog
import Foundation
import Imaging

/// The decoder's plug: reads an image's header metadata, or throws why the file is not a usable photo.
/// Called on an ingest worker thread.
public struct ImageInspector: Sendable {
    /// Metadata of the image at a path, read from its bytes when they are given (ingest has read them once already).
    public var inspect: @Sendable (_ path: String, _ bytes: Data?) throws -> ImageMetadata

    /// An inspector from a closure.
    public init(inspect: @escaping @Sendable (_ path: String, _ bytes: Data?) throws -> ImageMetadata) {
        self.inspect = inspect
    }

    /// Imaging's header reader: format, stored size, EXIF orientation, capture time and camera.
    /// Pixels are not decoded here; damaged image data is found when the encoder's input is made. A name that is not
    /// UTF-8 is read by its exact bytes (`RawPath`).
    public static func imaging(_ decoder: ImageDecoder = ImageDecoder()) -> ImageInspector {
        ImageInspector { path, bytes in
            let info = if let bytes {
                try decoder.inspect(data: bytes, path: path)
            } else if RawPath.needsEscaping(path) {
                try decoder.inspect(data: RawPath.readImage(path, limit: decoder.limits.maxFileBytes), path: path)
            } else {
                try decoder.inspect(fileAt: path)
            }
            let camera = [info.cameraMake, info.cameraModel].compactMap { $0 }.joined(separator: " ")
            return ImageMetadata(format: info.format.rawValue, width: info.storedWidth, height: info.storedHeight,
                                 orientation: info.orientation.rawValue, takenAt: info.takenAt,
                                 camera: camera.isEmpty ? nil : camera)
        }
    }
}
