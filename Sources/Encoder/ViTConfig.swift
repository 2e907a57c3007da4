import Foundation
import Tensor

/// The shape of a DINO vision transformer, read from a weights file's tensor shapes plus a small
/// table (head counts) and the model's config.json where one is present.
public struct ViTConfig: Sendable, Equatable, CustomStringConvertible {
    /// Checkpoint layouts herd runs.
    public enum Family: String, Sendable {
        /// DINO v1: Hugging Face `ViTModel` (layernorm_before/after, intermediate/output.dense).
        case dinoV1 = "dino"
        /// DINOv2: Hugging Face `Dinov2Model` (norm1/norm2, mlp.fc1/fc2, LayerScale).
        case dinoV2 = "dinov2"
    }

    /// Checkpoint layout.
    public var family: Family
    /// Width of the token vectors (the feature dimension).
    public var hidden: Int
    /// Attention heads per layer.
    public var heads: Int
    /// Transformer blocks.
    public var layers: Int
    /// Width of the MLP's hidden layer.
    public var mlpHidden: Int
    /// Side of the square patches, in pixels.
    public var patch: Int
    /// Side of the square grid the position embeddings were trained for.
    public var positionGrid: Int
    /// LayerNorm epsilon.
    public var eps: Float

    /// A config from its fields (for tests and tables; `infer` reads one from a checkpoint).
    public init(family: Family, hidden: Int, heads: Int, layers: Int, mlpHidden: Int, patch: Int, positionGrid: Int, eps: Float) {
        self.family = family
        self.hidden = hidden
        self.heads = heads
        self.layers = layers
        self.mlpHidden = mlpHidden
        self.patch = patch
        self.positionGrid = positionGrid
        self.eps = eps
    }

    /// Width of one attention head.
    public var headDim: Int { hidden / heads }

    public var description: String {
        "\(family.rawValue) ViT: \(layers) layers, \(hidden)-d, \(heads) heads, patch \(patch), MLP \(mlpHidden), position grid \(positionGrid)×\(positionGrid)"
    }

    /// Heads by hidden size for the published DINO models (all use 64-d heads).
    static let headsByHidden = [384: 6, 768: 12, 1024: 16, 1536: 24]

    /// The config of the checkpoint in `file`; `configJSON` (a Hugging Face config.json) supplies
    /// the head count and LayerNorm epsilon when given.
    public static func infer(from file: SafeTensorsFile, configJSON: Data? = nil) throws -> ViTConfig {
        let names = ViTTensorNames(file: file)
        guard let prefix = names.prefix else {
            throw EncoderError(file.path, "not a DINO ViT checkpoint: no tensor named 'embeddings.cls_token' (found \(file.entries.count) tensors, e.g. \(file.names.prefix(3)))")
        }
        let family: Family
        if file.entries[prefix + "encoder.layer.0.norm1.weight"] != nil {
            family = .dinoV2
        } else if file.entries[prefix + "encoder.layer.0.layernorm_before.weight"] != nil {
            family = .dinoV1
        } else {
            throw EncoderError(file.path, "not a DINO ViT checkpoint: found neither 'encoder.layer.0.norm1.weight' (DINOv2) nor 'encoder.layer.0.layernorm_before.weight' (DINO v1)")
        }
        let names2 = ViTTensorNames(prefix: prefix, family: family)
        let cls = try shape(names2.clsToken, in: file)
        guard let hidden = cls.last, hidden > 0 else {
            throw EncoderError(file.path, "tensor '\(names2.clsToken)' has shape \(cls); expected [1, 1, hidden]")
        }
        let projection = try shape(names2.patchWeight, in: file)
        guard projection.count == 4, projection[0] == hidden, projection[1] == 3, projection[2] == projection[3], projection[2] > 0 else {
            throw EncoderError(file.path, "tensor '\(names2.patchWeight)' has shape \(projection); expected [\(hidden), 3, patch, patch]")
        }
        let positions = try shape(names2.positions, in: file)
        let grid = Int(Double(max((positions.count == 3 ? positions[1] : 0) - 1, 0)).squareRoot().rounded())
        guard positions.count == 3, positions[0] == 1, positions[2] == hidden, grid > 0, grid * grid + 1 == positions[1] else {
            throw EncoderError(file.path, "tensor '\(names2.positions)' has shape \(positions); expected [1, 1 + g², \(hidden)] for a square g×g grid")
        }
        var layers = 0
        while file.entries[names2.layer(layers).norm1Weight] != nil { layers += 1 }
        let fc1 = try shape(names2.layer(0).fc1Weight, in: file)
        guard fc1.count == 2, fc1[1] == hidden, fc1[0] > 0 else {
            throw EncoderError(file.path, "tensor '\(names2.layer(0).fc1Weight)' has shape \(fc1); expected [mlp, \(hidden)]")
        }

        let json = configJSON.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } ?? [:]
        let heads = (json["num_attention_heads"] as? NSNumber)?.intValue ?? headsByHidden[hidden]
        guard let heads, heads > 0, hidden % heads == 0 else {
            throw EncoderError(file.path, "cannot tell the number of attention heads for hidden size \(hidden); put the model's config.json (with num_attention_heads) next to the weights")
        }
        let eps = (json["layer_norm_eps"] as? NSNumber)?.floatValue ?? 1e-6
        return ViTConfig(family: family, hidden: hidden, heads: heads, layers: layers, mlpHidden: fc1[0],
                         patch: projection[2], positionGrid: grid, eps: eps)
    }

    private static func shape(_ name: String, in file: SafeTensorsFile) throws -> [Int] {
        guard let entry = file.entries[name] else {
            throw EncoderError(file.path, "has no tensor '\(name)'; is this a DINO ViT checkpoint?")
        }
        return entry.shape
    }
}

/// The tensor names of a checkpoint, as published on the Hugging Face hub (optionally under a
/// `vit.`/`dinov2.` prefix, as in the *ForImageClassification checkpoints).
struct ViTTensorNames {
    var prefix: String?
    var family: ViTConfig.Family = .dinoV2

    /// Finds the prefix in front of `embeddings.cls_token`.
    init(file: SafeTensorsFile) {
        let suffix = "embeddings.cls_token"
        prefix = file.entries.keys.filter { $0.hasSuffix(suffix) }.map { String($0.dropLast(suffix.count)) }.min { $0.count < $1.count }
    }

    init(prefix: String, family: ViTConfig.Family) {
        self.prefix = prefix
        self.family = family
    }

    var p: String { prefix ?? "" }
    var clsToken: String { p + "embeddings.cls_token" }
    var positions: String { p + "embeddings.position_embeddings" }
    var patchWeight: String { p + "embeddings.patch_embeddings.projection.weight" }
    var patchBias: String { p + "embeddings.patch_embeddings.projection.bias" }
    var finalNormWeight: String { p + "layernorm.weight" }
    var finalNormBias: String { p + "layernorm.bias" }

    /// Names inside transformer block `i`.
    func layer(_ i: Int) -> Layer { Layer(base: p + "encoder.layer.\(i).", family: family) }

    /// Names inside one transformer block.
    struct Layer {
        var base: String
        var family: ViTConfig.Family
        var v2: Bool { family == .dinoV2 }
        var norm1Weight: String { base + (v2 ? "norm1.weight" : "layernorm_before.weight") }
        var norm1Bias: String { base + (v2 ? "norm1.bias" : "layernorm_before.bias") }
        var norm2Weight: String { base + (v2 ? "norm2.weight" : "layernorm_after.weight") }
        var norm2Bias: String { base + (v2 ? "norm2.bias" : "layernorm_after.bias") }
        func qkv(_ which: String, _ part: String) -> String { base + "attention.attention.\(which).\(part)" }
        var outWeight: String { base + "attention.output.dense.weight" }
        var outBias: String { base + "attention.output.dense.bias" }
        var fc1Weight: String { base + (v2 ? "mlp.fc1.weight" : "intermediate.dense.weight") }
        var fc1Bias: String { base + (v2 ? "mlp.fc1.bias" : "intermediate.dense.bias") }
        var fc2Weight: String { base + (v2 ? "mlp.fc2.weight" : "output.dense.weight") }
        var fc2Bias: String { base + (v2 ? "mlp.fc2.bias" : "output.dense.bias") }
        var layerScale1: String { base + "layer_scale1.lambda1" }
        var layerScale2: String { base + "layer_scale2.lambda1" }
    }
}
