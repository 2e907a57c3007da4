import Foundation
import Imaging
import Tensor

/// Image files → the encoder's input tensor, through Imaging's `Preprocessor` (DINO evaluation
/// transform: shorter side 256 bicubic, centre crop 224, ImageNet mean/std).
enum EmbedImages {
    /// Pixels [N, 3, crop, crop] of the images that decoded, their paths, and one line per failure.
    static func preprocess(_ paths: [String], preprocessor: Preprocessor = Preprocessor()) -> (pixels: Tensor, names: [String], failures: [String]) {
        var data: [Float] = []
        var names: [String] = []
        var failures: [String] = []
        for path in paths {
            do {
                data += try preprocessor.prepare(fileAt: path).planes
                names.append(path)
            } catch {
                failures.append("herd: \(error)")
            }
        }
        return (Tensor(shape: [names.count, 3, preprocessor.crop, preprocessor.crop], data: data), names, failures)
    }
}
