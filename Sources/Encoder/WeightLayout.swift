/// The published layouts of DINO ViT weights, recognised from tensor names and shapes, and their mapping
/// onto the store's form: the Hugging Face hub's names (`ViTModel` / `Dinov2Model`, no prefix), exactly the
/// tensors herd runs, each checked against the shape the architecture needs.
enum WeightLayout: String, Sendable {
    /// Hugging Face `ViTModel` (facebook/dino-vits16, dino-vitb16).
    case hubViT = "Hugging Face ViTModel"
    /// Hugging Face `Dinov2Model` (facebook/dinov2-small, dinov2-base).
    case hubDinov2 = "Hugging Face Dinov2Model"
    /// facebookresearch/dino `vision_transformer.py` (`dino_deitsmall16_pretrain.pth`, …): fused qkv.
    case originalDINO = "original DINO"
    /// facebookresearch/dinov2 `vision_transformer.py` (`dinov2_vits14_pretrain.pth`, …): fused qkv, LayerScale `ls1.gamma`.
    case originalDINOv2 = "original DINOv2"

    var family: ViTConfig.Family { self == .hubViT || self == .originalDINO ? .dinoV1 : .dinoV2 }
    var isOriginal: Bool { self == .originalDINO || self == .originalDINOv2 }

    /// One tensor of the store's form and where its values come from.
    struct Mapped {
        /// The hub name, e.g. `encoder.layer.0.attention.attention.query.weight`.
        var name: String
        var shape: [Int]
        /// The stored tensor (for Q, K and V of a fused qkv, a row range of it).
        var source: StoredTensor
        /// The name in the file it came from.
        var sourceName: String
    }

    /// The weights found in a checkpoint, in the store's form.
    struct Mapping {
        var layout: WeightLayout
        /// The prefix in front of the model's names in the file (`teacher.backbone.`, `module.`, …).
        var prefix: String
        /// Sorted by name.
        var tensors: [Mapped]
    }

    /// Recognises the layout of `tensors` (from `path`) and maps them; throws one error naming the file and
    /// what was found when no layout fits, or the tensor and both shapes when one does not match.
    static func map(_ tensors: [String: StoredTensor], path: String) throws -> Mapping {
        var candidates: [(layout: WeightLayout, prefix: String)] = []
        for name in tensors.keys {
            if name.hasSuffix("embeddings.cls_token") {
                let prefix = String(name.dropLast("embeddings.cls_token".count))
                if tensors[prefix + "encoder.layer.0.norm1.weight"] != nil { candidates.append((.hubDinov2, prefix)) }
                if tensors[prefix + "encoder.layer.0.layernorm_before.weight"] != nil { candidates.append((.hubViT, prefix)) }
            } else if name == "cls_token" || name.hasSuffix(".cls_token") {
                let prefix = String(name.dropLast("cls_token".count))
                guard tensors[prefix + "blocks.0.norm1.weight"] != nil else { continue }
                candidates.append((tensors[prefix + "blocks.0.ls1.gamma"] != nil ? .originalDINOv2 : .originalDINO, prefix))
            }
        }
        // A training checkpoint holds a teacher and a student: DINO evaluates (and publishes) the teacher.
        func rank(_ prefix: String) -> (Int, Int, Int, String) {
            (prefix.contains("teacher") ? 0 : 1, prefix.contains("student") ? 1 : 0, prefix.count, prefix)
        }
        candidates.sort { rank($0.prefix) < rank($1.prefix) }
        guard let chosen = candidates.first else {
            let sample = tensors.keys.sorted().prefix(8).map { "\($0) \(tensors[$0]?.shape ?? [])" }.joined(separator: ", ")
            throw EncoderError(path, "not a DINO ViT checkpoint in any layout herd reads (Hugging Face ViTModel / Dinov2Model, or the original DINO / DINOv2 repositories' vision_transformer.py): no '…embeddings.cls_token' with 'encoder.layer.0' tensors, nor '…cls_token' with 'blocks.0' tensors. Found \(tensors.count) tensors\(tensors.isEmpty ? "" : ": " + sample + (tensors.count > 8 ? ", …" : ""))")
        }
        return try Mapper(tensors: tensors, path: path, layout: chosen.layout, prefix: chosen.prefix).map()
    }
}

/// Maps one layout at one prefix, checking every shape.
private struct Mapper {
    let tensors: [String: StoredTensor]
    let path: String
    let layout: WeightLayout
    let prefix: String

    func source(_ name: String) throws -> StoredTensor {
        guard let tensor = tensors[prefix + name] else {
            throw EncoderError(path, "has no tensor '\(prefix + name)', which a \(layout.rawValue) checkpoint of a ViT holds; the file is incomplete or not this layout")
        }
        return tensor
    }

    func map() throws -> WeightLayout.Mapping {
        let original = layout.isOriginal
        let cls = try source(original ? "cls_token" : "embeddings.cls_token")
        guard cls.shape.count == 3, cls.shape[0] == 1, cls.shape[1] == 1, let d = cls.shape.last, d > 0 else {
            throw EncoderError(path, "tensor '\(prefix)\(original ? "cls_token" : "embeddings.cls_token")' has shape \(cls.shape), expected [1, 1, hidden]")
        }
        let patchName = original ? "patch_embed.proj.weight" : "embeddings.patch_embeddings.projection.weight"
        let patch = try source(patchName).shape
        guard patch.count == 4, patch[0] == d, patch[1] == 3, patch[2] == patch[3], patch[2] > 0 else {
            throw EncoderError(path, "tensor '\(prefix)\(patchName)' has shape \(patch), expected [\(d), 3, patch, patch]")
        }
        let positionsName = original ? "pos_embed" : "embeddings.position_embeddings"
        let positions = try source(positionsName).shape
        let grid = Int(Double(max((positions.count == 3 ? positions[1] : 0) - 1, 0)).squareRoot().rounded())
        guard positions.count == 3, positions[0] == 1, positions[2] == d, grid > 0, grid * grid + 1 == positions[1] else {
            throw EncoderError(path, "tensor '\(prefix)\(positionsName)' has shape \(positions), expected [1, 1 + g², \(d)] for a square g×g grid")
        }
        let fc1Name = original ? "blocks.0.mlp.fc1.weight" : (layout.family == .dinoV2 ? "encoder.layer.0.mlp.fc1.weight" : "encoder.layer.0.intermediate.dense.weight")
        let fc1 = try source(fc1Name).shape
        guard fc1.count == 2, fc1[1] == d, fc1[0] > 0 else {
            throw EncoderError(path, "tensor '\(prefix)\(fc1Name)' has shape \(fc1), expected [mlp, \(d)]")
        }
        let h = fc1[0], p = patch[2]
        var layers = 0
        while tensors[prefix + (original ? "blocks.\(layers).norm1.weight" : ViTTensorNames(prefix: "", family: layout.family).layer(layers).norm1Weight)] != nil {
            layers += 1
        }

        let names = ViTTensorNames(prefix: "", family: layout.family)
        var out: [WeightLayout.Mapped] = []
        func add(_ name: String, _ shape: [Int], from sourceName: String, rows: Range<Int>? = nil, fusedShape: [Int]? = nil) throws {
            let stored = try source(sourceName)
            let expected = fusedShape ?? shape
            guard stored.shape == expected else {
                throw EncoderError(path, "tensor '\(prefix + sourceName)' has shape \(stored.shape), expected \(expected) (a \(layout.rawValue) ViT with \(d)-d tokens, \(h)-wide MLP, \(p)-pixel patches)")
            }
            if case .other(let type) = stored.dtype {
                throw EncoderError(path, "tensor '\(prefix + sourceName)' holds \(type) values; a model's weights must be float32, float16, bfloat16 or float64")
            }
            let source = rows.map { stored.rows($0) } ?? stored
            try source.validate(prefix + sourceName)  // before anything is written: a damaged file fails here
            out.append(.init(name: name, shape: shape, source: source, sourceName: prefix + sourceName))
        }
        try add(names.clsToken, [1, 1, d], from: original ? "cls_token" : names.clsToken)
        try add(names.positions, positions, from: original ? "pos_embed" : names.positions)
        try add(names.patchWeight, [d, 3, p, p], from: original ? "patch_embed.proj.weight" : names.patchWeight)
        try add(names.patchBias, [d], from: original ? "patch_embed.proj.bias" : names.patchBias)
        try add(names.finalNormWeight, [d], from: original ? "norm.weight" : names.finalNormWeight)
        try add(names.finalNormBias, [d], from: original ? "norm.bias" : names.finalNormBias)
        let v2 = layout.family == .dinoV2
        for i in 0..<layers {
            let n = names.layer(i), b = "blocks.\(i)."
            try add(n.norm1Weight, [d], from: original ? b + "norm1.weight" : n.norm1Weight)
            try add(n.norm1Bias, [d], from: original ? b + "norm1.bias" : n.norm1Bias)
            for (k, which) in ["query", "key", "value"].enumerated() {
                if original {
                    try add(n.qkv(which, "weight"), [d, d], from: b + "attn.qkv.weight", rows: k * d ..< (k + 1) * d, fusedShape: [3 * d, d])
                    try add(n.qkv(which, "bias"), [d], from: b + "attn.qkv.bias", rows: k * d ..< (k + 1) * d, fusedShape: [3 * d])
                } else {
                    try add(n.qkv(which, "weight"), [d, d], from: n.qkv(which, "weight"))
                    try add(n.qkv(which, "bias"), [d], from: n.qkv(which, "bias"))
                }
            }
            try add(n.outWeight, [d, d], from: original ? b + "attn.proj.weight" : n.outWeight)
            try add(n.outBias, [d], from: original ? b + "attn.proj.bias" : n.outBias)
            try add(n.norm2Weight, [d], from: original ? b + "norm2.weight" : n.norm2Weight)
            try add(n.norm2Bias, [d], from: original ? b + "norm2.bias" : n.norm2Bias)
            try add(n.fc1Weight, [h, d], from: original ? b + "mlp.fc1.weight" : n.fc1Weight)
            try add(n.fc1Bias, [h], from: original ? b + "mlp.fc1.bias" : n.fc1Bias)
            try add(n.fc2Weight, [d, h], from: original ? b + "mlp.fc2.weight" : n.fc2Weight)
            try add(n.fc2Bias, [d], from: original ? b + "mlp.fc2.bias" : n.fc2Bias)
            if v2 {
                try add(n.layerScale1, [d], from: original ? b + "ls1.gamma" : n.layerScale1)
                try add(n.layerScale2, [d], from: original ? b + "ls2.gamma" : n.layerScale2)
            }
        }
        return .init(layout: layout, prefix: prefix, tensors: out.sorted { $0.name < $1.name })
    }
}
