import ArgumentParser
import Encoder
import Foundation
import Tensor

/// `herd model`: fetch, import and list encoder weights.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Fetch, import and list encoder models.",
        subcommands: [Fetch.self, Import.self, List.self])

    /// Store location shared by the subcommands.
    struct StoreOptions: ParsableArguments {
        @Option(name: .long, help: "Model store folder (default: $HERD_MODELS_DIR, else $XDG_DATA_HOME/herd/models).")
        var modelsDir: String?

        var store: ModelStore {
            ModelStore(root: modelsDir.map { URL(fileURLWithPath: $0) } ?? ModelStore.defaultRoot(environment: ProcessInfo.processInfo.environment))
        }
    }

    /// `herd model fetch NAME`.
    struct Fetch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download a published model from the Hugging Face hub and install it (resumes an interrupted download).",
            discussion: "Names: \(PublishedModel.all.map(\.name).joined(separator: ", ")). Each takes a pinned revision and file (Docs/ENCODER.md); the hub URL can be overridden with HERD_HUB_URL.")

        @Argument(help: "Model name.")
        var name: String = PublishedModel.defaultName

        @Option(name: .long, help: "Git revision to fetch (a commit, branch or e.g. refs/pr/1) instead of the pinned one.")
        var revision: String?

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            guard let model = PublishedModel.named(name) else {
                throw ValidationError("unknown model '\(name)'; known: \(PublishedModel.all.map(\.name).joined(separator: ", ")); for other weights use `herd model import`")
            }
            let fetch = ModelFetch(hub: ModelFetch.defaultHub(environment: ProcessInfo.processInfo.environment), store: storeOptions.store)
            let bar = ProgressBar(label: model.name)
            let installed = try await fetch.fetch(model, revision: revision, progress: bar.update)
            bar.finish()
            print("installed \(model.name) (\(installed.config)) in \(storeOptions.store.folder(for: model.name).path)")
            print("  source: \(installed.source.summary)")
        }
    }

    /// `herd model import FILE [--name N]`.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Convert and install local weights: model.safetensors, pytorch_model.bin, or an original DINO / DINOv2 .pth checkpoint.")

        @Argument(help: "Weights in the Hugging Face ViTModel / Dinov2Model layout or the original DINO / DINOv2 layout (also nested in a training checkpoint).")
        var file: String

        @Option(name: .long, help: "Name in the store (default: the file's folder name, or its name without extension).")
        var name: String?

        @Option(name: .long, help: "The model's config.json (default: config.json beside the file, if present).")
        var config: String?

        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let url = URL(fileURLWithPath: file)
            let configPath = config ?? url.deletingLastPathComponent().appendingPathComponent("config.json").path
            var configData: Data?
            if config != nil || FileManager.default.fileExists(atPath: configPath) {
                guard let data = FileManager.default.contents(atPath: configPath) else {
                    throw ValidationError("\(configPath): cannot read the config file")
                }
                configData = data
            }
            let stem = url.deletingPathExtension().lastPathComponent
            let chosen = name ?? (["model", "pytorch_model"].contains(stem) ? url.deletingLastPathComponent().lastPathComponent : stem)
            let installed = try storeOptions.store.install(file: url, config: configData, name: chosen)
            print("installed \(chosen) (\(installed.config)) in \(storeOptions.store.folder(for: chosen).path)")
            print("  source: \(installed.source.summary)")
        }
    }

    /// `herd model list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List installed and known models.")

        @Flag(name: .long, help: "Also show each model's architecture and the BLAS library in use.")
        var verbose = false

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let store = storeOptions.store
            let installed = store.list()
            if json {
                let rows: [[String: Any]] = installed.map { m in
                    var row: [String: Any] = ["name": m.name, "path": m.weightsPath, "bytes": m.bytes]
                    if verbose, let file = try? SafeTensorsFile(path: m.weightsPath),
                       let c = try? ViTConfig.infer(from: file, configJSON: m.configPath.flatMap { FileManager.default.contents(atPath: $0) }) {
                        row["architecture"] = c.description
                    }
                    if verbose, let source = try? store.source(of: m.name) {
                        row["source"] = ["repository": source.repository as Any, "revision": source.revision as Any, "file": source.file,
                                         "sha256": source.sha256, "format": source.format, "layout": source.layout, "prefix": source.prefix]
                    }
                    return row
                }
                let data = try JSONSerialization.data(withJSONObject: ["store": store.root.path, "installed": rows], options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            print("model store: \(store.root.path)")
            if installed.isEmpty { print("  (nothing installed; run `herd model fetch \(PublishedModel.defaultName)`)") }
            for m in installed {
                print("  " + m.name.padding(toLength: 16, withPad: " ", startingAt: 0) + String(format: " %8.1f MB  ", Double(m.bytes) / 1e6) + m.weightsPath)
                if verbose {
                    do {
                        let file = try SafeTensorsFile(path: m.weightsPath)
                        let c = try ViTConfig.infer(from: file, configJSON: m.configPath.flatMap { FileManager.default.contents(atPath: $0) })
                        print("      \(c)")
                    } catch {
                        print("      unusable: \(error)")
                    }
                    do {
                        print("      " + (try store.source(of: m.name).map { "source: \($0.summary)" } ?? "source: not recorded (installed by an older herd)"))
                    } catch {
                        print("      source: \(error)")
                    }
                }
            }
            let missing = PublishedModel.all.filter { p in !installed.contains { $0.name == p.name } }
            if !missing.isEmpty {
                print("available to fetch:")
                for p in missing { print("  \(p.name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(p.summary)") }
            }
            if verbose { print(DoctorCommand.blasReport()) }
        }
    }
}
