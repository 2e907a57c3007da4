import ArgumentParser
import Foundation
import Imaging
import Tensor

/// `herd preprocess IMAGE... --npy OUT`: the encoder's input tensor, for checking the transform.
struct Preprocess: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the encoder's input for each image as a [N, 3, S, S] float32 NumPy array.",
        discussion: """
            Applies DINO's evaluation transform (shorter side to --short-side, bicubic antialiased; \
            centre crop --crop; ImageNet normalisation) exactly as embedding does. Files that fail are \
            reported and left out; --list-out names the files in the order written.
            """
    )

    @Argument(help: "Image files.")
    var files: [String]

    @Option(help: "Output .npy file.")
    var npy: String

    @Option(help: "Length of the shorter side after resizing.")
    var shortSide = 256

    @Option(help: "Side of the centre crop.")
    var crop = 224

    @Option(help: "Write the paths that made it into the array here, one per line.")
    var listOut: String?

    func validate() throws {
        guard crop > 0, shortSide >= crop else { throw ValidationError("--crop must be positive and at most --short-side") }
    }

    func run() throws {
        let loaded = EmbedImages.preprocess(files, preprocessor: Preprocessor(shortSide: shortSide, crop: crop))
        for failure in loaded.failures {
            FileHandle.standardError.write(Data((failure + "\n").utf8))
        }
        try Npy.write(loaded.pixels, to: npy)
        let written = loaded.names
        let failed = loaded.failures.count
        if let listOut {
            try (written.joined(separator: "\n") + "\n").write(toFile: listOut, atomically: true, encoding: .utf8)
        }
        if failed > 0 {
            throw PartialFailure(message: "herd preprocess: \(failed) of \(files.count) files could not be prepared")
        }
    }
}
