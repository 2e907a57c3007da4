import Catalog
import Daemon
import Encoder
import Foundation
import Imaging
import Index
import Tensor

/// A test library for duplicate detection: real originals and variants made from some of them, with the truth of
/// which file came from which original.
struct DuplicateVariantLibrary {
    /// Every file: path, the index of its original, its variant kind ("original" for the originals).
    var files: [(path: String, original: Int, kind: String)]
    /// Originals that have variants.
    var chosen: [Int]

    /// Copies nothing: the originals stay where they are; variants are written under `folder` (copies in a second
    /// folder, as a copy saved elsewhere would be).
    static func make(originals: [String], withVariants count: Int, in folder: String) throws -> DuplicateVariantLibrary {
        try FileManager.default.createDirectory(atPath: folder + "/variants", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/copies", withIntermediateDirectories: true)
        var files = originals.enumerated().map { (path: $1, original: $0, kind: "original") }
        let step = max(1, originals.count / count)
        let chosen = Array(stride(from: 0, to: originals.count, by: step).prefix(count))
        let decoder = ImageDecoder()
        for i in chosen {
            let source = originals[i]
            let image = try decoder.decode(fileAt: source).image
            let stem = "\(i)-" + ((source as NSString).lastPathComponent as NSString).deletingPathExtension
            func save(_ data: Data, _ kind: String, ext: String = "jpg") throws {
                let path = folder + "/variants/\(stem)-\(kind).\(ext)"
                try data.write(to: URL(fileURLWithPath: path))
                files.append((path, i, kind))
            }
            try save(JPEGEncoder.encode(Resampler.resize(image, width: max(1, image.width / 2), height: max(1, image.height / 2)), quality: 90), "resize50")
            try save(JPEGEncoder.encode(image, quality: 40), "jpeg40")
            let w = image.width * 95 / 100, h = image.height * 95 / 100
            try save(JPEGEncoder.encode(image.cropped(x: (image.width - w) / 2, y: (image.height - h) / 2, width: w, height: h), quality: 90), "crop5")
            try save(JPEGEncoder.encode(RGBImage(width: image.width, height: image.height,
                                                 pixels: image.pixels.map { UInt8(min(255, (Double($0) * 1.15).rounded())) }), quality: 90), "bright15")
            try save(PNGEncoder.encode(image), "png", ext: "png")
            let copy = folder + "/copies/" + (source as NSString).lastPathComponent
            try FileManager.default.copyItem(atPath: source, toPath: copy)
            files.append((copy, i, "copy"))
        }
        return DuplicateVariantLibrary(files: files, chosen: chosen)
    }

    /// Features, signatures and near pairs, as ingest and the daemon make them.
    struct Embedded {
        var candidates: DuplicateCandidates
        /// Median cosine distance from an original to its nearest other original (the scale of "different").
        var nearestOther: Double?
        /// Per variant kind: signature bits and cosine distance to its original, each sorted.
        var bitsToOriginal: [String: [Int]]
        var distanceToOriginal: [String: [Float]]
        /// Signature bits from each original to its nearest other original, sorted.
        var bitsToOtherOriginal: [Int]
    }

    /// Decodes each distinct content as ingest does (reduced DCT scale; signature from the same decoded pixels),
    /// embeds it, and finds pairs among each content's nearest neighbours in an HNSW index.
    func embed(_ vit: VisionTransformer, batch: Int) throws -> Embedded {
        let decoder = ImageDecoder()
        let preprocessor = Preprocessor()
        var hashes: [Data] = []
        var firstPath: [Data: String] = [:]
        var candidates: [DuplicateFile] = []
        for file in files {
            let hash = try ContentHash.sha256(ofFileAt: file.path)
            let info = try decoder.inspect(fileAt: file.path)
            let size = (try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.int64Value ?? 0
            candidates.append(DuplicateFile(path: file.path, contentHash: hash, width: info.width, height: info.height, size: size, takenAt: info.takenAt))
            if firstPath[hash] == nil {
                firstPath[hash] = file.path
                hashes.append(hash)
            }
        }
        var signatures: [Data: UInt64] = [:]
        var vectors: [Data: [Float]] = [:]
        for start in stride(from: 0, to: hashes.count, by: batch) {
            let chunk = Array(hashes[start ..< min(hashes.count, start + batch)])
            var pixels: [Float] = []
            var side = 0
            for hash in chunk {
                let decoded = try decoder.decode(fileAt: firstPath[hash] ?? "", minimumShortSide: preprocessor.minimumDecodeShortSide)
                signatures[hash] = PerceptualHash.signature(of: decoded.image)
                let input = preprocessor.prepare(decoded)
                side = input.size
                pixels += input.planes
            }
            let features = try vit.features(Tensor(shape: [chunk.count, 3, side, side], data: pixels), normalize: true)
            for (row, hash) in chunk.enumerated() { vectors[hash] = features.row(row) }
        }
        var index = HNSWIndex(dimension: vectors[hashes[0]]?.count ?? 1, metric: .cosine)
        for (i, hash) in hashes.enumerated() { try index.insert(id: i, vector: vectors[hash] ?? []) }
        // As the daemon: the 9 nearest neighbours in the index, and signatures that share a band.
        var pairs: [NearPair] = []
        var banded: [Int: [Int]] = [:]
        for (i, hash) in hashes.enumerated() {
            for key in PerceptualHash.bands(signatures[hash] ?? 0) { banded[key, default: []].append(i) }
        }
        for (i, hash) in hashes.enumerated() {
            let x = vectors[hash] ?? []
            for n in try index.search(x, k: 9) where n.id != i && n.distance <= 0.5 {
                pairs.append(NearPair(hash, hashes[n.id], distance: max(0, n.distance)))
            }
            let signature = signatures[hash] ?? 0
            for j in Set(PerceptualHash.bands(signature).flatMap { banded[$0] ?? [] }) where j != i {
                let other = hashes[j]
                guard PerceptualHash.distance(signature, signatures[other] ?? 0) <= PerceptualHash.bandReach, let y = vectors[other] else { continue }
                pairs.append(NearPair(hash, other, distance: max(0, 1 - zip(x, y).reduce(0) { $0 + $1.0 * $1.1 })))
            }
        }
        // The scale of "different photo": each original's nearest other original.
        let originalHashes = files.filter { $0.kind == "original" }.compactMap { f in candidates.first { $0.path == f.path }?.contentHash }
        var nearest: [Float] = []
        for (i, hash) in originalHashes.enumerated() {
            guard let x = vectors[hash] else { continue }
            var best = Float.infinity
            for (j, other) in originalHashes.enumerated() where j != i {
                guard let y = vectors[other] else { continue }
                best = min(best, 1 - zip(x, y).reduce(0) { $0 + $1.0 * $1.1 })
            }
            nearest.append(best)
        }
        nearest.sort()
        var bitsToOriginal: [String: [Int]] = [:], distanceToOriginal: [String: [Float]] = [:]
        let hashOf = Dictionary(candidates.map { ($0.path, $0.contentHash) }, uniquingKeysWith: { a, _ in a })
        let originalOf = Dictionary(files.filter { $0.kind == "original" }.map { ($0.original, $0.path) }, uniquingKeysWith: { a, _ in a })
        for file in files where file.kind != "original" {
            guard let h = hashOf[file.path], let o = originalOf[file.original].flatMap({ hashOf[$0] }),
                  let x = vectors[h], let y = vectors[o], let a = signatures[h], let b = signatures[o] else { continue }
            bitsToOriginal[file.kind, default: []].append(PerceptualHash.distance(a, b))
            distanceToOriginal[file.kind, default: []].append(max(0, 1 - zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }))
        }
        for key in bitsToOriginal.keys { bitsToOriginal[key]?.sort(); distanceToOriginal[key]?.sort() }
        var bitsToOther: [Int] = []
        for (i, hash) in originalHashes.enumerated() {
            guard let a = signatures[hash] else { continue }
            bitsToOther.append(originalHashes.enumerated().filter { $0.offset != i }.compactMap { signatures[$0.element] }
                .map { PerceptualHash.distance(a, $0) }.min() ?? 64)
        }
        bitsToOther.sort()
        let unique = Dictionary(pairs.map { ($0.a + $0.b, $0) }, uniquingKeysWith: { a, _ in a }).values
        return Embedded(candidates: DuplicateCandidates(files: candidates, pairs: Array(unique), signatures: signatures),
                        nearestOther: nearest.isEmpty ? nil : Double(nearest[nearest.count / 2]),
                        bitsToOriginal: bitsToOriginal, distanceToOriginal: distanceToOriginal, bitsToOtherOriginal: bitsToOther)
    }

    /// Groups holding two different originals, and per variant kind the share found in its original's group.
    func score(_ groups: [DuplicateGroup]) -> [String: Any] {
        let truth = Dictionary(files.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        var groupOf: [String: Int] = [:]
        var mixed = 0
        for (g, group) in groups.enumerated() {
            for member in group.members { groupOf[member.path] = g }
            if Set(group.members.compactMap { truth[$0.path]?.original }).count > 1 { mixed += 1 }
        }
        var found: [String: Int] = [:], total: [String: Int] = [:]
        let originalPath = Dictionary(files.filter { $0.kind == "original" }.map { ($0.original, $0.path) }, uniquingKeysWith: { a, _ in a })
        for file in files where file.kind != "original" {
            total[file.kind, default: 0] += 1
            if let g = groupOf[file.path], let o = originalPath[file.original], groupOf[o] == g { found[file.kind, default: 0] += 1 }
        }
        let recall = Dictionary(uniqueKeysWithValues: total.map { ($0.key, Double(found[$0.key] ?? 0) / Double($0.value)) })
        return ["groups": groups.count, "mixed_groups": mixed, "recall": recall]
    }
}
