import Foundation

/// A photo ready for the encoder: `[3, size, size]` float planes, normalised.
public struct PreprocessedImage: Sendable {
    /// Side of the square crop.
    public var size: Int
    /// Channel planes R, G, B, each `size × size`, row-major: `(x/255 − mean) / std`.
    public var planes: [Float]
}

/// The DINO evaluation transform: resize the shorter side to `shortSide` (bicubic, antialiased),
/// centre-crop `crop` × `crop`, scale to [0, 1], normalise with ImageNet mean and std.
/// Geometry follows torchvision's `Resize(int)` and `CenterCrop` on the upright full-size image, even
/// when the JPEG was decoded at a reduced DCT scale.
public struct Preprocessor: Sendable {
    /// Target length of the shorter side after resizing.
    public var shortSide: Int
    /// Side of the centre crop.
    public var crop: Int
    /// Per-channel mean (ImageNet).
    public var mean: (Float, Float, Float)
    /// Per-channel standard deviation (ImageNet).
    public var std: (Float, Float, Float)
    /// Decoder used by `prepare(fileAt:)`.
    public var decoder: ImageDecoder
    /// Shortest side a JPEG is decoded at before resampling. The DCT-scaled decode is itself a
    /// low-pass filter; leaving 1.5× headroom over `shortSide` keeps the result within 0.01
    /// (normalised units, mean) of a full-size decode, where 1× headroom was 0.02–0.026
    /// (scripts/preprocess_reference.py, Docs/IMAGING.md).
    public var minimumDecodeShortSide: Int

    public init(shortSide: Int = 256, crop: Int = 224, decoder: ImageDecoder = ImageDecoder()) {
        precondition(crop > 0 && crop <= shortSide, "crop \(crop) must fit the resized shorter side \(shortSide)")
        self.shortSide = shortSide
        self.crop = crop
        self.mean = (0.485, 0.456, 0.406)
        self.std = (0.229, 0.224, 0.225)
        self.decoder = decoder
        self.minimumDecodeShortSide = shortSide * 3 / 2
    }

    /// Decodes the file at `path` at the smallest sufficient scale and prepares it. An opaque HEIF or
    /// AVIF (which decodes at full size only) is resampled straight from libheif's decoded image, so
    /// the full-size picture exists once, in libheif, rather than twice.
    public func prepare(fileAt path: String) throws -> PreprocessedImage {
        try prepare(data: decoder.readFile(path), path: path)
    }

    /// `prepare(fileAt:)` for a file's bytes already in memory.
    public func prepare(data: Data, path: String) throws -> PreprocessedImage {
        if let prepared = try decoder.preparedInPlace(data: data, path: path, by: self) { return prepared }
        return prepare(try decoder.decode(data: data, path: path, minimumShortSide: minimumDecodeShortSide))
    }

    /// The resized size torchvision's `Resize(shortSide)` gives an upright `width × height` image.
    public func resizedSize(width: Int, height: Int) -> (width: Int, height: Int) {
        if width <= height {
            return (shortSide, Int(Double(shortSide) * Double(height) / Double(width)))
        }
        return (Int(Double(shortSide) * Double(width) / Double(height)), shortSide)
    }

    /// Prepares decoded pixels; `decoded.info` gives the full upright size the geometry is based on.
    public func prepare(_ decoded: DecodedImage) -> PreprocessedImage {
        let (rw, rh, window) = geometry(width: decoded.info.width, height: decoded.info.height)
        return normalise(Resampler.resize(decoded.image, width: rw, height: rh, window: window))
    }

    /// Prepares full-size upright pixels read in place.
    func prepare(_ source: Resampler.Source) -> PreprocessedImage {
        let (rw, rh, window) = geometry(width: source.width, height: source.height)
        return normalise(Resampler.resize(source, width: rw, height: rh, window: window))
    }

    /// The resized size and the centre crop's window in it, for an upright `width` × `height` picture.
    /// Only the crop is resampled: the same pixels as resizing fully, without the cost of a
    /// 256 000-pixel-wide intermediate for a 1000×1 panorama.
    private func geometry(width: Int, height: Int) -> (Int, Int, (x: Int, y: Int, width: Int, height: Int)) {
        let (rw, rh) = resizedSize(width: width, height: height)
        // torchvision's CenterCrop: offsets rounded half to even, as Python's round().
        let top = Int((Double(rh - crop) / 2).rounded(.toNearestOrEven))
        let left = Int((Double(rw - crop) / 2).rounded(.toNearestOrEven))
        return (rw, rh, (left, top, crop, crop))
    }

    /// [H, W, 3] bytes → [3, H, W] normalised floats.
    public func normalise(_ image: RGBImage) -> PreprocessedImage {
        let n = image.width * image.height
        var planes = [Float](repeating: 0, count: 3 * n)
        let scale = (1 / (255 * std.0), 1 / (255 * std.1), 1 / (255 * std.2))
        let shift = (mean.0 / std.0, mean.1 / std.1, mean.2 / std.2)
        image.pixels.withUnsafeBufferPointer { p in
            planes.withUnsafeMutableBufferPointer { out in
                for i in 0..<n {
                    out[i] = Float(p[3 * i]) * scale.0 - shift.0
                    out[n + i] = Float(p[3 * i + 1]) * scale.1 - shift.1
                    out[2 * n + i] = Float(p[3 * i + 2]) * scale.2 - shift.2
                }
            }
        }
        return PreprocessedImage(size: image.width, planes: planes)
    }
}
