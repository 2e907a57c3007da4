/// Small square previews for the overview pages.
public enum Thumbnail {
    /// The centre square of `image`, `side` × `side`: the image resized so its shorter side is `side` (bicubic,
    /// antialiased), then centre-cropped; only the square is resampled.
    public static func square(_ image: RGBImage, side: Int) -> RGBImage {
        precondition(side > 0, "thumbnail side")
        guard image.width > 0, image.height > 0 else { return RGBImage(width: side, height: side) }
        let scale = Double(side) / Double(min(image.width, image.height))
        let w = max(side, Int((Double(image.width) * scale).rounded()))
        let h = max(side, Int((Double(image.height) * scale).rounded()))
        return Resampler.resize(image, width: w, height: h, window: ((w - side) / 2, (h - side) / 2, side, side))
    }
}
