import Catalog
import Imaging
import Foundation
import Glibc

/// A file after hashing and inspecting, before encoding.
struct PreparedFile: Sendable {
    var row: CatalogFile
    var stat: FileStat
    var hash: Data?
    /// The content as hashed and inspected, for the decoder (nil when too big to keep, or failed).
    var bytes: Data?
    var metadata: ImageMetadata?
    var error: String?
    var failure: FailureKind?
}

extension IngestPipeline {
    /// Reads each file once on the worker threads, hashing and inspecting the same bytes, which stay for the
    /// decoder within the batch's budget (`PhotoRead`). Files gone or changed since the reconcile are left pending:
    /// the watcher or the next scan brings their new state.
    func prepare(_ files: [CatalogFile]) async throws -> [PreparedFile] {
        let inspector = self.inspector
        let budget = ReadBudget()
        let prepared = try await workers.map(files) { row -> PreparedFile? in
            guard let info = try? Syscall.lstat(row.stat.path), info.isRegularFile else { return nil }
            let stat = info.fileStat(path: row.stat.path)
            guard stat.sameFile(as: row.stat) else { return nil }
            var file = PreparedFile(row: row, stat: stat)
            do {
                let read = try PhotoRead.read(row.stat.path, keep: budget.take)
                file.hash = read.hash
                file.metadata = try inspector.inspect(row.stat.path, read.bytes)
                file.bytes = read.bytes
            } catch {
                file.error = IngestPipeline.reason(error)
                file.failure = IngestPipeline.failureKind(error)
            }
            return file
        }
        return prepared.compactMap { $0 }
    }

    /// Encodes the files whose content has no features yet (each distinct content once), then commits the whole
    /// batch in one transaction. Returns the batch's counts.
    func encodeAndCommit(_ files: [PreparedFile], since started: ContinuousClock.Instant) async throws -> IngestProgress {
        var progress = IngestProgress()
        if files.isEmpty { return progress }
        let modelID = extractor.modelID
        // Asked now, not while preparing: the previous batch may just have embedded the same content.
        let known = try catalog.hashesWithFeatures(files.compactMap { $0.error == nil ? $0.hash : nil }, modelID: modelID)
        var toEncode: [Data: PhotoSource] = [:]
        for file in files where file.error == nil {
            if let hash = file.hash, !known.contains(hash), toEncode[hash] == nil {
                toEncode[hash] = PhotoSource(path: file.stat.path, bytes: file.bytes)
            }
        }
        let hashes = Array(toEncode.keys)
        let sources = hashes.compactMap { toEncode[$0] }
        var vectors: [Data: Result<[Float], any Error>] = [:]
        if !sources.isEmpty {
            let extractor = self.extractor
            let results = try await workers.run { extractor.extract(sources) }
            for (index, hash) in hashes.enumerated() {
                vectors[hash] = index < results.count ? results[index] : .failure(ExtractorError.missingOutput)
            }
        }
        var outcomes: [IngestOutcome] = []
        var encodedHashes = Set<Data>()
        for file in files {
            var outcome = IngestOutcome(
                id: file.row.id, stat: file.stat, contentHash: file.hash, metadata: file.metadata, features: nil, error: file.error,
                failure: file.failure)
            if file.error == nil, let hash = file.hash, let result = vectors[hash] {
                switch result {
                case .success(let vector):
                    // The vector is stored once per content; copies in the same batch share it.
                    if encodedHashes.insert(hash).inserted { outcome.features = vector }
                    progress.encoded += 1
                case .failure(let error):
                    outcome.error = IngestPipeline.reason(error)
                    outcome.failure = error is ImagingError ? IngestPipeline.failureKind(error) : .encoder
                }
            } else if file.error == nil {
                progress.reused += 1
            }
            if outcome.error != nil { progress.failed += 1 }
            outcomes.append(outcome)
        }
        // A file rewritten while it was being encoded: drop its outcome, it is pending again.
        outcomes = outcomes.filter { outcome in
            guard let info = try? Syscall.lstat(outcome.stat.path) else { return false }
            return info.fileStat(path: outcome.stat.path).sameFile(as: outcome.stat)
        }
        progress.files = outcomes.count
        progress.lastBatchContents = Set(outcomes.compactMap { $0.error == nil ? $0.contentHash : nil })
        let seconds = (ContinuousClock.now - started).inSeconds
        try catalog.commit(
            outcomes, modelID: modelID, runID: runID,
            counters: BatchCounters(extractorCalls: sources.isEmpty ? 0 : 1, imagesEncoded: sources.count, seconds: seconds))
        try storeDigests(toEncode.mapValues(\.path), succeeded: Set(outcomes.compactMap { $0.features != nil ? $0.contentHash : nil }))
        return progress
    }
}

extension Duration {
    /// The duration as floating-point seconds.
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }

    /// The duration in seconds to the millisecond, as the logs give it.
    var secondsText: String { String(format: "%.3f", inSeconds) }
}

extension IngestPipeline {
    /// The reason stored for a failed file: the message alone when the error names the file itself,
    /// since the catalogue row already holds the path.
    static func reason(_ error: any Error) -> String {
        if let imaging = error as? ImagingError { return imaging.message }
        if let daemon = error as? DaemonError, daemon.code == .system, let code = daemon.errno {
            return "could not read: \(String(cString: strerror(code))) (errno \(code))"
        }
        return "\(error)"
    }

    /// The stored kind of a failure, from the error's type and code (never its text).
    static func failureKind(_ error: any Error) -> FailureKind {
        if let imaging = error as? ImagingError {
            switch imaging.kind {
            case .unreadable: return .unreadable
            case .unsupportedFormat, .unsupportedFeature: return .unsupported
            case .corrupt, .truncated: return .corrupt
            case .tooLarge: return .tooLarge
            }
        }
        if let daemon = error as? DaemonError, daemon.code == .system { return .unreadable }
        return .encoder
    }
}
