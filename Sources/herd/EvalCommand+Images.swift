import Daemon
import Encoder
import Foundation
import Tensor

/// What `herd eval --images` embedded, and what it left out.
struct EmbeddedClasses {
    /// Features [N, D] as ingest stores them (L2-normalised CLS) and class indices [N].
    var set: LabelledFeatures
    /// The report's account of the folder and the embedding run.
    var source: ImageSource
    /// One `path: reason` line per image that did not embed.
    var failures: [String]
}

extension EvalCommand {
    /// Embeds the images of each class folder of `root` with the chosen model, through the extractor
    /// ingest uses: reduced-scale decode, DINO preprocessing, batched forward pass, unit-length CLS.
    /// Diagnostics (folders passed over, images that did not decode) go to stderr.
    func embedClasses(in root: String) throws -> EmbeddedClasses {
        let folders = try ClassFolders(root: root)
        try checkSaveTargets()
        for (path, reason) in folders.unreadable { warn("\(path): cannot read folder (\(reason)); its images are left out") }
        for name in folders.empty { warn("\((root as NSString).appendingPathComponent(name)): no images; not a class") }
        guard folders.classes.count >= 2 else {
            let found = folders.classes.map { "'\($0.name)'" }.joined(separator: ", ")
            throw EvalError("\(root): \(folders.classes.count) class\(folders.classes.count == 1 ? "" : "es") with images\(found.isEmpty ? "" : " (\(found))"); evaluation needs at least 2 sub-folders, one per class, each holding images")
        }
        let model: VisionTransformer
        do {
            model = try modelOptions.load()
        } catch {
            throw EvalError("embedding \(root) needs a model: \(error)")
        }
        let threads = modelOptions.threadCount
        let extractor = FeatureExtractor.vit(model, modelID: modelOptions.model)
        let items = folders.labelledImages
        let bar = ProgressBar(label: "embedding")
        let start = Date()
        var rows: [Float] = []
        var labels: [Int] = []
        var failures: [String] = []
        var done = 0
        while done < items.count {
            let chunk = items[done..<min(items.count, done + batch)]
            let results = extractor.extract(chunk.map { PhotoSource(path: $0.path) })
            for (item, result) in zip(chunk, results) {
                switch result {
                case .success(let vector):
                    rows += vector
                    labels.append(item.label)
                case .failure(let error):
                    let reason = "\(error)"
                    failures.append(reason.hasPrefix(item.path) ? reason : "\(item.path): \(reason)")
                }
            }
            done += chunk.count
            bar.show(done, of: items.count)
        }
        bar.finish()
        let seconds = Date().timeIntervalSince(start)
        for failure in failures { warn(failure) }

        // Classes whose every image failed drop out; the rest are renumbered 0..<C in folder order.
        let kept = Set(labels).sorted()
        for (label, c) in folders.classes.enumerated() where !kept.contains(label) {
            warn("\((root as NSString).appendingPathComponent(c.name)): none of its \(c.images.count) images could be embedded; not a class")
        }
        guard kept.count >= 2 else {
            throw EvalError("\(root): only \(kept.count) class\(kept.count == 1 ? "" : "es") kept an image that could be embedded; evaluation needs at least 2")
        }
        let index = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, $0) })
        let y = labels.map { index[$0] ?? 0 }
        let x = Tensor(shape: [y.count, model.config.hidden], data: rows)
        var perClass = [Int](repeating: 0, count: kept.count)
        for label in y { perClass[label] += 1 }
        let source = ImageSource(
            folder: root, model: modelOptions.model, classNames: kept.map { folders.classes[$0].name }, imagesPerClass: perClass,
            failed: failures.count, notImages: folders.notImages, outsideClasses: folders.topLevelEntries,
            threads: threads, embedSeconds: seconds)
        return EmbeddedClasses(set: LabelledFeatures(x: x, y: y), source: source, failures: failures)
    }

    /// Checks, before the long embedding, that the --save-features / --save-labels folders exist.
    func checkSaveTargets() throws {
        for path in [saveFeatures, saveLabels].compactMap({ $0 }) {
            let folder = (path as NSString).deletingLastPathComponent
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder.isEmpty ? "." : folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw EvalError("\(path): the folder \(folder) does not exist; create it or save elsewhere")
            }
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                throw EvalError("\(path): is a folder; give a file name such as \((path as NSString).appendingPathComponent("features.npy"))")
            }
        }
    }

    /// Writes the embedded features and labels where `--save-features` / `--save-labels` ask.
    func save(_ embedded: EmbeddedClasses) throws {
        do {
            if let saveFeatures { try Npy.write(embedded.set.x, to: saveFeatures) }
            if let saveLabels { try Npy.write(labels: embedded.set.y, to: saveLabels) }
        } catch {
            throw EvalError("cannot save what was embedded: \(error)")
        }
    }

    /// One diagnostic line on stderr.
    private func warn(_ message: String) {
        FileHandle.standardError.write(Data("herd: \(message)\n".utf8))
    }
}
