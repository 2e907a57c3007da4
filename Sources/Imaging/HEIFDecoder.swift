import CHeif
import Foundation

/// An open libheif context over a copy of one file's bytes, with its primary image; frees both when
/// released. libheif reports every failure as a code, so nothing here can end the process.
final class HEIFHandle {
    private let context: OpaquePointer
    private let handle: OpaquePointer
    private let bytes: UnsafeMutableRawBufferPointer
    private let path: String
    /// Width of the primary image with its transforms (`irot`, `imir`, `clap`) applied, from the header.
    let width: Int
    /// Height of the primary image with its transforms applied, from the header.
    let height: Int
    /// Whether the primary image has an alpha plane.
    let hasAlpha: Bool
    /// Whether that alpha is premultiplied into the colour.
    let premultipliedAlpha: Bool
    /// Bits per luma sample as stored (8, 10, 12), or nil when the file does not say.
    let bitDepth: Int?
    /// Images in the file besides the primary (other views of a stereo photo, burst frames).
    let otherImages: Int

    /// Parses the container (boxes, item properties) without decoding any image data.
    /// libheif's security limits stay at their defaults (image size, boxes, items, memory).
    init(data: Data, path: String) throws {
        self.path = path
        bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(data.count, 1), alignment: 16)
        _ = data.copyBytes(to: bytes.bindMemory(to: UInt8.self))
        guard let context = heif_context_alloc() else {
            bytes.deallocate()
            throw ImagingError(.unreadable, path: path, "libheif could not allocate a context")
        }
        self.context = context
        var primary: OpaquePointer?
        var error = heif_context_read_from_memory_without_copy(context, bytes.baseAddress, data.count, nil)
        if error.code == heif_error_Ok {
            error = HEIFHandle.primaryImage(context, &primary)
        }
        guard error.code == heif_error_Ok, let primary else {
            // The message lives in the context: read it before freeing.
            let failure = HEIFHandle.failure(error, path: path)
            heif_context_free(context)
            bytes.deallocate()
            throw failure
        }
        handle = primary
        width = Int(heif_image_handle_get_width(primary))
        height = Int(heif_image_handle_get_height(primary))
        guard width > 0, height > 0 else {
            heif_image_handle_release(primary)
            heif_context_free(context)
            bytes.deallocate()
            throw ImagingError(.corrupt, path: path, "corrupt HEIF: the primary image declares no size")
        }
        hasAlpha = heif_image_handle_has_alpha_channel(primary) != 0
        premultipliedAlpha = heif_image_handle_is_premultiplied_alpha(primary) != 0
        let bits = Int(heif_image_handle_get_luma_bits_per_pixel(primary))
        bitDepth = bits > 0 ? bits : nil
        otherImages = max(0, Int(heif_context_get_number_of_top_level_images(context)) - 1)
    }

    /// The image to show: the primary item when it is a top-level image, else the first top-level image.
    /// A file whose primary item is itself a thumbnail of another image (seen in the wild) gives that
    /// other image, as current libheif does; a thumbnail is never chosen.
    private static func primaryImage(_ context: OpaquePointer, _ out: inout OpaquePointer?) -> heif_error {
        var primaryID: heif_item_id = 0
        let error = heif_context_get_primary_image_ID(context, &primaryID)
        let count = Int(heif_context_get_number_of_top_level_images(context))
        guard count > 0 else { return error.code == heif_error_Ok ? heif_context_get_primary_image_handle(context, &out) : error }
        var ids = [heif_item_id](repeating: 0, count: count)
        let filled = Int(heif_context_get_list_of_top_level_image_IDs(context, &ids, Int32(count)))
        let topLevel = ids.prefix(max(0, filled))
        let chosen = error.code == heif_error_Ok && topLevel.contains(primaryID) ? primaryID : topLevel.first ?? primaryID
        return heif_context_get_image_handle(context, chosen, &out)
    }

    deinit {
        heif_image_handle_release(handle)
        heif_context_free(context)
        bytes.deallocate()
    }

    /// The primary image's first EXIF block as stored: a 4-byte offset, then the TIFF data.
    /// Nil when there is none, or when its declared size is larger than the file.
    func exifBlock() -> [UInt8]? {
        var id: heif_item_id = 0
        guard heif_image_handle_get_list_of_metadata_block_IDs(handle, "Exif", &id, 1) == 1 else { return nil }
        let size = heif_image_handle_get_metadata_size(handle, id)
        guard size > 0, size <= bytes.count else { return nil }
        var block = [UInt8](repeating: 0, count: size)
        let error = block.withUnsafeMutableBytes { heif_image_handle_get_metadata(handle, id, $0.baseAddress) }
        return error.code == heif_error_Ok ? block : nil
    }

    /// Decodes the primary image to 8-bit RGB with its transforms applied as libheif applies them
    /// (the EXIF orientation tag is not applied on top). 10- and 12-bit images are reduced to 8 bits
    /// by libheif, greyscale is expanded to RGB, alpha is composited on `background`.
    /// Returns the image and libheif's first decoding warning, if any. A decoded image larger than
    /// `maxPixels` (its header said less) is refused before herd copies it.
    func decode(background: (UInt8, UInt8, UInt8), maxPixels: Int) throws -> (RGBImage, warning: String?) {
        if !hasAlpha {
            return try withDecodedRGB(maxPixels: maxPixels) { source, warning in
                (RGBImage(interleaving: source), warning)
            }
        }
        return try withDecodedPlane(maxPixels: maxPixels, chroma: heif_chroma_interleaved_RGBA) { decoded, w, h, warning in
            let (plane, stride) = try interleaved(decoded, width: w, channels: 4)
            // Every byte is written below, so the buffer is not zero-filled first.
            let pixels = [UInt8](unsafeUninitializedCapacity: w * h * 3) { out, initialised in
                guard let base = out.baseAddress else { return }
                for y in 0..<h {
                    Alpha.flatten(plane + y * stride, into: base + y * w * 3, count: w, background: background,
                                  premultiplied: premultipliedAlpha)
                }
                initialised = w * h * 3
            }
            return (RGBImage(width: w, height: h, pixels: pixels), warning)
        }
    }

    /// Decodes an image without alpha as `decode` does and lends libheif's 8-bit RGB pixels to `body`,
    /// read in place: no copy of the full-size image is made. The pixels are freed when `body` returns.
    /// An 8-bit image comes as libheif's three planes: libheif 1.15 turns every colour image into planar
    /// RGB (a grid tile by tile) before any other layout, so asking for that layout spares it a
    /// full-size interleaving pass. Deeper images come interleaved, reduced to 8 bits by libheif, and
    /// so does every image when `planar` is false (the tests compare the two).
    func withDecodedRGB<T>(maxPixels: Int, planar: Bool = true, _ body: (Resampler.Source, String?) throws -> T) throws -> T {
        precondition(!hasAlpha, "withDecodedRGB is for images without alpha")
        if planar && bitDepth == 8 {
            let planar: T? = try withDecodedPlane(maxPixels: maxPixels, chroma: heif_chroma_444) { decoded, w, h, warning in
                let channels = [heif_channel_R, heif_channel_G, heif_channel_B]
                var planes: [UnsafePointer<UInt8>] = [], strides: [Int] = []
                for channel in channels {
                    var stride: Int32 = 0
                    guard heif_image_get_bits_per_pixel_range(decoded, channel) == 8,
                          heif_image_get_width(decoded, channel) == Int32(w), heif_image_get_height(decoded, channel) == Int32(h),
                          let plane = heif_image_get_plane_readonly(decoded, channel, &stride), Int(stride) >= w else { return nil }
                    planes.append(plane)
                    strides.append(Int(stride))
                }
                return try body(Resampler.Source(planes: (planes[0], planes[1], planes[2]), strides: (strides[0], strides[1], strides[2]),
                                                 width: w, height: h), warning)
            }
            // A header that claimed 8 bits for deeper samples: decoded again below, reduced to 8 bits.
            if let planar { return planar }
        }
        return try withDecodedPlane(maxPixels: maxPixels, chroma: heif_chroma_interleaved_RGB) { decoded, w, h, warning in
            let (plane, stride) = try interleaved(decoded, width: w, channels: 3)
            return try body(Resampler.Source(base: plane, width: w, height: h, stride: stride), warning)
        }
    }

    /// The interleaved 8-bit plane of a decoded image (RGB or RGBA) and its row stride.
    private func interleaved(_ decoded: OpaquePointer, width: Int, channels: Int) throws -> (UnsafePointer<UInt8>, Int) {
        var stride: Int32 = 0
        guard heif_image_get_bits_per_pixel_range(decoded, heif_channel_interleaved) == 8,
              let plane = heif_image_get_plane_readonly(decoded, heif_channel_interleaved, &stride),
              Int(stride) >= width * channels else {
            throw ImagingError(.corrupt, path: path,
                               "corrupt HEIF: libheif returned no usable 8-bit \(channels == 4 ? "RGBA" : "RGB") image")
        }
        return (plane, Int(stride))
    }

    /// The primary image decoded by libheif to RGB in the layout `chroma` (8 bits for the interleaved
    /// layouts), lent to `body` with its size and libheif's first decoding warning, then released.
    private func withDecodedPlane<T>(
        maxPixels: Int, chroma: heif_chroma, _ body: (OpaquePointer, Int, Int, String?) throws -> T
    ) throws -> T {
        guard let options = heif_decoding_options_alloc() else {
            throw ImagingError(.unreadable, path: path, "libheif could not allocate decoding options")
        }
        defer { heif_decoding_options_free(options) }
        options.pointee.convert_hdr_to_8bit = 1
        var decoded: OpaquePointer?
        let error = heif_decode_image(handle, &decoded, heif_colorspace_RGB, chroma, options)
        guard error.code == heif_error_Ok, let decoded else { throw HEIFHandle.failure(error, path: path) }
        defer { heif_image_release(decoded) }
        let w = Int(heif_image_get_primary_width(decoded)), h = Int(heif_image_get_primary_height(decoded))
        guard w > 0, h > 0 else {
            throw ImagingError(.corrupt, path: path, "corrupt HEIF: libheif returned an image without pixels")
        }
        guard w * h <= maxPixels else {
            throw ImagingError(.tooLarge, path: path,
                               "HEIF header says \(width)×\(height) but the image decodes to \(w)×\(h), over the \(maxPixels / 1_000_000) MP limit")
        }
        var warning: heif_error = heif_error()
        let warnings = Int(heif_image_get_decoding_warnings(decoded, 0, &warning, 1))
        return try body(decoded, w, h, warnings > 0 ? HEIFHandle.text(warning) : nil)
    }

    /// libheif's message, or a fallback naming the code.
    private static func text(_ error: heif_error) -> String {
        let text = (error.message.map { String(cString: $0) } ?? "")
            .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "; ")
        return text.isEmpty ? "libheif error \(error.code.rawValue)/\(error.subcode.rawValue)" : text
    }

    /// Maps libheif's error code (never its text) to a kind; the text is passed on as libheif wrote it.
    static func failure(_ error: heif_error, path: String) -> ImagingError {
        let text = text(error)
        switch (error.code, error.subcode) {
        case (heif_error_Memory_allocation_error, heif_suberror_Security_limit_exceeded):
            return ImagingError(.tooLarge, path: path, "HEIF refused by libheif's security limits: \(text)")
        case (heif_error_Memory_allocation_error, _):
            return ImagingError(.tooLarge, path: path, "HEIF needs more memory than libheif could allocate: \(text)")
        case (heif_error_Invalid_input, heif_suberror_End_of_data):
            return ImagingError(.truncated, path: path, "truncated HEIF: \(text)")
        case (heif_error_Invalid_input, heif_suberror_Nonexisting_item_referenced):
            // libheif 1.15 does not list items coded with AVC, JPEG or ISO 23001-17 (uncompressed) as
            // images, so a file whose primary image is one of those looks like a dangling reference.
            return ImagingError(.corrupt, path: path,
                                "corrupt HEIF, or its primary image is coded in a way this libheif does not read (AVC, JPEG, uncompressed): \(text)")
        case (heif_error_Unsupported_feature, _), (heif_error_Unsupported_filetype, _):
            return ImagingError(.unsupportedFeature, path: path,
                                "unsupported HEIF feature: \(text) (convert it to JPEG to include it)")
        default:
            return ImagingError(.corrupt, path: path, "corrupt HEIF: \(text)")
        }
    }
}
