import Foundation
import Tensor

/// auto's choices, remembered per CPU and architecture in one small JSON file (beside the model
/// store: `<store>/.auto-precision.json`), so that later loads skip the measurement, and a remembered
/// bf16 packs each matrix as it loads. Keyed by what the speed depends on: the CPU's model name, the
/// instruction sets herd's kernel and oneDNN dispatch on (AVX512_BF16, oneDNN's ISA, AMX), oneDNN's
/// version, OpenBLAS's core, and the architecture. A file that does not read is ignored and
/// rewritten; a remembered path that does not run (e.g. oneDNN under MemoryDenyWriteExecute) is
/// measured again. `herd doctor --measure` always measures and replaces the entry.
public struct PrecisionChoiceCache: Sendable {
    /// The file.
    public let path: String

    static let magic = "herd-auto-precision", version = 1

    /// The cache in `folder` (the model store's root).
    public init(folder: URL) {
        path = folder.appendingPathComponent(".auto-precision.json").path
    }

    /// The key for `config` on this CPU, in words.
    static func key(_ config: ViTConfig) -> String {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        let amx = OneDNN.amx == .granted ? "amx" : "no-amx"
        return "\(cpu) | bf16 \(BF16.isSupported) | oneDNN \(OneDNN.version) \(OneDNN.isa) \(amx) | OpenBLAS \(BLASInfo.coreName) | "
            + "\(config.family) \(config.hidden)x\(config.layers) mlp \(config.mlpHidden) patch \(config.patch)"
    }

    /// The remembered choice for `config` here, if any.
    public func lookup(_ config: ViTConfig) -> Precision? {
        guard let entries = read(), let entry = entries[Self.key(config)] as? [String: Any],
              let name = entry["chosen"] as? String, let precision = Precision(rawValue: name), precision != .auto else { return nil }
        return precision
    }

    /// Remembers `selection` for `config`; a cache that cannot be written is left as it is (the next load measures).
    public func store(_ selection: PrecisionSelection, config: ViTConfig) {
        var entries = read() ?? [:]
        var ms: [String: Double] = [:]
        for m in selection.measurements { if let s = m.secondsPerImage { ms[m.precision.rawValue] = s * 1000 } }
        entries[Self.key(config)] = ["chosen": selection.chosen.rawValue, "probe_ms_per_image": ms,
                                     "measured": ISO8601DateFormatter().string(from: Date())]
        let object: [String: Any] = ["magic": Self.magic, "version": Self.version, "choices": entries]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]) else { return }
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? AtomicFile.write(data, to: path)
    }

    private func read() -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              object["magic"] as? String == Self.magic, object["version"] as? Int == Self.version else { return nil }
        return object["choices"] as? [String: Any]
    }
}
