import ArgumentParser
import Catalog
import Daemon
import Encoder
import Foundation
import Imaging
import Index
import Tensor

/// `herd bench duplicates`: recall and purity of the duplicate groups on a library made from real photos plus
/// generated variants of some of them, for the feature rule, the signature rule and their combination.
struct DuplicatesBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "duplicates",
        abstract: "Recall and purity of duplicate groups on real photos plus generated variants (resize, re-encode, crop, brightness, PNG, copy).",
        discussion: """
            Every photo under --photos is an original. For --originals of them (evenly spaced) six variants are made with \
            herd's own libjpeg/libpng code: a 50 % resize, a JPEG re-encode at quality 40, a 5 % crop (95 % of each side, \
            centred), +15 % brightness, a PNG copy and a byte-identical copy. Each file is decoded and embedded as ingest \
            does, pairs come from each photo's nearest neighbours in an HNSW index, and groups are made as the daemon \
            makes them. Reported per rule: groups holding two different originals, and per variant the share that landed \
            in its original's group.
            """)

    @Option(help: "A folder of photos (JPEG/PNG, searched recursively): the originals.")
    var photos: String

    @Option(help: "How many originals get variants.")
    var originals = 40

    @Option(name: .long, help: "Use seeded random weights of this published architecture instead of --model (e.g. dino-vits16).")
    var random: String?

    @Option(help: "Feature thresholds (cosine distance) to measure, comma-separated (default: the default duplicate_threshold).")
    var thresholds: String?

    @Option(help: "Images per forward pass.")
    var batch = 8

    @Flag(help: "Print one JSON object.")
    var json = false

    @OptionGroup var modelOptions: ModelOptions

    /// The variants made of each chosen original.
    static let variants = ["resize50", "jpeg40", "crop5", "bright15", "png", "copy"]

    func validate() throws {
        if originals < 1 { throw ValidationError("--originals must be at least 1") }
        if let random, PublishedModel.named(random) == nil {
            throw ValidationError("unknown architecture '\(random)'; known: \(PublishedModel.all.map(\.name).joined(separator: ", "))")
        }
        _ = try thresholdList()
    }

    func thresholdList() throws -> [Double] {
        guard let thresholds else { return [DuplicateRule.defaultThreshold] }
        let values = thresholds.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { throw ValidationError("--thresholds: comma-separated numbers, e.g. 0.02,0.05") }
        return values.compactMap { $0 }
    }

    func run() throws {
        let started = Date()
        let sources = try Self.photoFiles(under: photos)
        guard sources.count >= 2 else { throw ValidationError("--photos \(photos) holds fewer than two photos") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herd-duplicates-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let library = try DuplicateVariantLibrary.make(originals: sources, withVariants: min(originals, sources.count), in: folder)
        let vit: VisionTransformer
        if let random, let published = PublishedModel.named(random) {
            vit = try VisionTransformer(weights: ViTWeights(random: ViTConfig(published: published)), threads: modelOptions.threadCount,
                                        precision: modelOptions.precision, cpuSupportsBF16: CPUSupport.bf16())
        } else {
            vit = try modelOptions.load()
        }
        let embedded = try library.embed(vit, batch: batch)
        let prepared = Date()
        var results: [[String: Any]] = []
        let rules: [(String, DuplicateRule)] = try thresholdList().flatMap { t -> [(String, DuplicateRule)] in
            [("features", DuplicateRule(threshold: t, confirmBits: 64, signatureBits: -1)),
             ("combined", DuplicateRule(threshold: t))]
        } + [("signature", DuplicateRule(threshold: -1, confirmBits: 0, signatureBits: DuplicateRule().signatureBits))]
        for (name, rule) in rules {
            let groups = DuplicateGrouping.groups(embedded.candidates, rule: rule)
            var result = library.score(groups)
            result["rule"] = name
            result["threshold"] = Double(rule.threshold)
            result["signature_bits"] = rule.signatureBits
            result["confirm_bits"] = rule.confirmBits
            results.append(result)
        }
        let name = random.map { "random \($0)" } ?? modelOptions.model
        if json {
            let object: [String: Any] = [
                "bits_to_original": embedded.bitsToOriginal, "distance_to_original": embedded.distanceToOriginal.mapValues { $0.map(Double.init) },
                "bits_to_nearest_other_original": embedded.bitsToOtherOriginal, "median_distance_to_nearest_other_original": embedded.nearestOther ?? -1,
                "model": name, "files": library.files.count, "originals": sources.count, "with_variants": library.chosen.count,
                "embed_seconds": prepared.timeIntervalSince(started), "results": results,
            ]
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            return
        }
        print("\(name): \(library.files.count) files (\(sources.count) originals, \(library.chosen.count) with variants), "
              + String(format: "%.0f s to make and embed", prepared.timeIntervalSince(started)))
        print("rule        threshold  bits   groups  mixed  " + Self.variants.map { $0.padding(toLength: 9, withPad: " ", startingAt: 0) }.joined())
        for r in results {
            let recall = r["recall"] as? [String: Double] ?? [:]
            let line = ((r["rule"] as? String ?? "").padding(toLength: 12, withPad: " ", startingAt: 0))
                + String(format: "%9.3f  %2d/%-2d  %6d  %5d  ", r["threshold"] as? Double ?? 0, r["confirm_bits"] as? Int ?? 0,
                         r["signature_bits"] as? Int ?? 0, r["groups"] as? Int ?? 0, r["mixed_groups"] as? Int ?? 0)
                + Self.variants.map { String(format: "%-9.3f", recall[$0] ?? 0) }.joined()
            print(line)
        }
        print("variant    bits to its original (median, 95th pct, max)   cosine distance (median, 95th pct, max)")
        for kind in Self.variants {
            let bits = embedded.bitsToOriginal[kind] ?? [], distances = embedded.distanceToOriginal[kind] ?? []
            guard !bits.isEmpty else { continue }
            func pick<T>(_ v: [T], _ q: Double) -> T { v[min(v.count - 1, Int(Double(v.count - 1) * q))] }
            print(kind.padding(toLength: 11, withPad: " ", startingAt: 0) + "\(pick(bits, 0.5)), \(pick(bits, 0.95)), \(pick(bits, 1))".padding(toLength: 47, withPad: " ", startingAt: 0)
                  + String(format: "%.4f, %.4f, %.4f", pick(distances, 0.5), pick(distances, 0.95), pick(distances, 1)))
        }
        let other = embedded.bitsToOtherOriginal
        if !other.isEmpty {
            print("bits from an original to the nearest other original: min \(other[0]), 1st pct \(other[other.count / 100]), median \(other[other.count / 2])")
        }
        if let distances = embedded.nearestOther {
            print(String(format: "median cosine distance from an original to the nearest other original: %.4f", distances))
        }
    }

    /// Image files under `folder`, sorted.
    static func photoFiles(under folder: String) throws -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else {
            throw ValidationError("cannot read the folder \(folder)")
        }
        var out: [String] = []
        while let item = walker.nextObject() as? String {
            let ext = (item as NSString).pathExtension.lowercased()
            if ["jpg", "jpeg", "png"].contains(ext) { out.append(folder + "/" + item) }
        }
        return out.sorted()
    }
}
