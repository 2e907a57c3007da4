import Foundation
import Tensor

/// Decoding and preprocessing image files for `herd embed`, through the Imaging module's
/// `Preprocessor` (DINO evaluation transform: shorter side 256 bicubic, centre crop 224, ImageNet
/// mean/std → [3, 224, 224]).
enum EmbedImages {
    /// Pixels [N, 3, 224, 224] of the images that decoded, their paths, and one line per failure.
    static func preprocess(_ paths: [String]) throws -> (pixels: Tensor, names: [String], failures: [String]) {
        #if HERD_IMAGING_PREPROCESSOR
        // Enable by defining HERD_IMAGING_PREPROCESSOR (or deleting this #if) once Imaging provides
        // `Preprocessor.tensor(forFileAt:)`.
        let preprocessor = Preprocessor(shortSide: 256, crop: 224)
        var data: [Float] = []
        var names: [String] = []
        var failures: [String] = []
        for path in paths {
            do {
                let t = try preprocessor.tensor(forFileAt: path)
                data += t.data
                names.append(path)
            } catch {
                failures.append("herd: \(path): \(error)")
            }
        }
        return (Tensor(shape: [names.count, 3, 224, 224], data: data), names, failures)
        #else
        throw ImageInputUnavailable()
        #endif
    }
}

/// Image decoding is not wired into this build yet.
struct ImageInputUnavailable: Error, CustomStringConvertible {
    var description: String {
        "embedding image files is not yet available in this build (the Imaging preprocessor is not wired in); preprocess to a [N, 3, 224, 224] float32 .npy and use `herd embed --tensor FILE.npy`"
    }
}
