import ArgumentParser
import Foundation
import Imaging

/// `herd inspect FILE...`: decode each file and report what it is, or why it cannot be read.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decode image files and print their format, size, orientation, capture time and camera.",
        discussion: """
            Every file is decoded completely, so damaged data is found. Exit status: 0 when every file \
            decoded, 1 when some did not.
            """
    )

    @Argument(help: "Image files to inspect (the format is recognised from the content, not the name).")
    var files: [String]

    @Flag(help: "Print one JSON object per file, one per line.")
    var json = false

    @Option(help: "Refuse images larger than this many megapixels.")
    var maxMegapixels = 100

    func validate() throws {
        guard maxMegapixels > 0 else { throw ValidationError("--max-megapixels must be positive") }
    }

    func run() throws {
        let decoder = ImageDecoder(limits: DecodeLimits(maxPixels: maxMegapixels * 1_000_000))
        var failed = 0
        for path in files {
            let report = InspectReport(path: path, decoder: decoder)
            if report.error != nil { failed += 1 }
            print(json ? report.jsonLine() : report.text())
        }
        if failed > 0 {
            throw PartialFailure(message: "herd inspect: \(failed) of \(files.count) files could not be decoded")
        }
    }
}

/// What `herd inspect` says about one file.
struct InspectReport: Encodable {
    var path: String
    var info: ImageInfo?
    var decodedWidth: Int?
    var decodedHeight: Int?
    var error: ImagingError?

    init(path: String, decoder: ImageDecoder) {
        self.path = path
        do {
            // The smallest DCT scale still reads every entropy-coded byte, so damage is found
            // without paying for a full-size decode.
            let decoded = try decoder.decode(fileAt: path, minimumShortSide: 1)
            info = decoded.info
            decodedWidth = decoded.image.width
            decodedHeight = decoded.image.height
        } catch let failure as ImagingError {
            error = failure
            info = try? decoder.inspect(fileAt: path)
        } catch {
            self.error = ImagingError(.unreadable, path: path, String(describing: error))
        }
    }

    enum Keys: String, CodingKey {
        case path, format, width, height, orientation, error
        case storedWidth = "stored_width", storedHeight = "stored_height", encoding
        case takenAt = "taken_at", cameraMake = "camera_make", cameraModel = "camera_model"
        case warnings, errorKind = "error_kind"
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(path, forKey: .path)
        try c.encode(info?.format.rawValue, forKey: .format)
        try c.encode(info?.width, forKey: .width)
        try c.encode(info?.height, forKey: .height)
        try c.encode(info?.storedWidth, forKey: .storedWidth)
        try c.encode(info?.storedHeight, forKey: .storedHeight)
        try c.encode(info?.orientation.rawValue, forKey: .orientation)
        try c.encode(info?.encoding, forKey: .encoding)
        try c.encode(info?.takenAt, forKey: .takenAt)
        try c.encode(info?.cameraMake, forKey: .cameraMake)
        try c.encode(info?.cameraModel, forKey: .cameraModel)
        try c.encode(info?.warnings ?? [], forKey: .warnings)
        try c.encode(error?.message, forKey: .error)
        try c.encode(error?.kind.rawValue, forKey: .errorKind)
    }

    func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    func text() -> String {
        var lines = [path]
        func add(_ label: String, _ value: String) {
            lines.append("  " + label.padding(toLength: 13, withPad: " ", startingAt: 0) + value)
        }
        if let info {
            add("format", "\(info.format.rawValue.uppercased()) (\(info.encoding))")
            let upright = "\(info.width)×\(info.height)"
            if info.orientation == .up {
                add("size", upright)
            } else {
                add("size", "\(upright) upright, stored \(info.storedWidth)×\(info.storedHeight)")
            }
            add("orientation", "\(info.orientation.rawValue)")
            if let taken = info.takenAt { add("taken", taken) }
            let camera = [info.cameraMake, info.cameraModel].compactMap { $0 }.joined(separator: " ")
            if !camera.isEmpty { add("camera", camera) }
            for warning in info.warnings { add("warning", warning) }
        }
        if let error {
            add("error", error.message)
        } else if let decodedWidth, let decodedHeight {
            add("decode", "ok (checked at \(decodedWidth)×\(decodedHeight))")
        }
        return lines.joined(separator: "\n")
    }
}
