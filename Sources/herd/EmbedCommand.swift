import ArgumentParser
import Encoder
import Foundation
import Tensor

/// `herd embed`: CLS features of images, or of an already preprocessed tensor.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Print or save encoder features of images.",
        discussion: "With --tensor, INPUT.npy holds preprocessed pixels [N, 3, 224, 224] float32 (ImageNet-normalised) and the output is [N, D] CLS features, so the model can be checked on its own.")

    @Argument(help: "Image files (JPEG, PNG, HEIC/HEIF, AVIF or WebP).")
    var images: [String] = []

    @Option(name: .long, help: "A preprocessed float32 .npy array [N, 3, H, W] to embed instead of images.")
    var tensor: String?

    @Option(name: .long, help: "Write the features [N, D] as float32 .npy to this path.")
    var npy: String?

    @Flag(name: .long, help: "Print the features as JSON.")
    var json = false

    @Flag(name: .long, help: "L2-normalise each feature vector.")
    var normalize = false

    @Option(name: .long, help: "Images per forward pass.")
    var batch = 8

    @OptionGroup var modelOptions: ModelOptions

    func validate() throws {
        if (tensor == nil) == images.isEmpty { throw ValidationError("give either image files or --tensor INPUT.npy") }
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
        if json && npy != nil { throw ValidationError("choose one of --json and --npy") }
    }

    func run() throws {
        let vit = try modelOptions.load()
        var names: [String] = []
        var failures: [String] = []
        let pixels: Tensor
        if let tensor {
            pixels = try Npy.readTensor(path: tensor)
            guard pixels.rank == 4, pixels.shape[1] == 3 else {
                throw ValidationError("\(tensor): expected a [N, 3, H, W] array, found shape \(pixels.shape)")
            }
            names = (0..<pixels.shape[0]).map { "\(tensor)[\($0)]" }
        } else {
            let loaded = EmbedImages.preprocess(images)
            pixels = loaded.pixels
            names = loaded.names
            failures = loaded.failures
        }
        let features = try embed(pixels, with: vit)
        try emit(features, names: names, model: modelOptions.model)
        if !failures.isEmpty {
            throw PartialFailure(message: failures.joined(separator: "\n") + "\nherd: \(failures.count) of \(images.count) images could not be embedded")
        }
    }

    /// Runs `pixels` [N, 3, H, W] through `vit` in batches → [N, D].
    func embed(_ pixels: Tensor, with vit: VisionTransformer) throws -> Tensor {
        let n = pixels.shape[0], per = pixels.columns
        var out: [Float] = []
        out.reserveCapacity(n * vit.config.hidden)
        var start = 0
        while start < n {
            let end = min(n, start + batch)
            let chunk = Tensor(shape: [end - start] + Array(pixels.shape.dropFirst()), data: Array(pixels.data[(start * per)..<(end * per)]))
            out += try vit.features(chunk, normalize: normalize).data
            start = end
        }
        return Tensor(shape: [n, vit.config.hidden], data: out)
    }

    /// Writes `features` as .npy, JSON or text lines.
    func emit(_ features: Tensor, names: [String], model: String) throws {
        if let npy {
            try Npy.write(features, to: npy)
            return
        }
        if json {
            let rows = (0..<features.rows).map { ["source": names[$0], "features": features.row($0)] as [String: Any] }
            let object: [String: Any] = ["model": model, "dimension": features.columns, "items": rows]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        for r in 0..<features.rows {
            print(names[r] + "\t" + features.row(r).map { String($0) }.joined(separator: " "))
        }
    }
}
