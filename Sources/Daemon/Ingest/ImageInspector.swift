import Catalog
import Foundation
import Imaging

/// The decoder's plug: reads an image's header metadata, or throws why the file is not a usable photo.
/// Called on an ingest worker thread.
public struct ImageInspector: Sendable {
    /// Metadata of the image at a path.
    public var inspect: @Sendable (String) throws -> ImageMetadata

    /// An inspector from a closure.
    public init(inspect: @escaping @Sendable (String) throws -> ImageMetadata) {
        self.inspect = inspect
    }

    /// Imaging's header reader: format, stored size, EXIF orientation, capture time and camera.
    /// Pixels are not decoded here; damaged image data is found when the encoder's input is made. A name that is not
    /// UTF-8 is read by its exact bytes (`RawPath`).
    public static func imaging(_ decoder: ImageDecoder = ImageDecoder()) -> ImageInspector {
        ImageInspector { path in
            let info = RawPath.needsEscaping(path)
                ? try decoder.inspect(data: RawPath.readImage(path, limit: decoder.limits.maxFileBytes), path: path)
                : try decoder.inspect(fileAt: path)
            let camera = [info.cameraMake, info.cameraModel].compactMap { $0 }.joined(separator: " ")
            return ImageMetadata(format: info.format.rawValue, width: info.storedWidth, height: info.storedHeight,
                                 orientation: info.orientation.rawValue, takenAt: info.takenAt,
                                 camera: camera.isEmpty ? nil : camera)
        }
    }
}
