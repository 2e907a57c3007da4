import ArgumentParser
import Catalog
import Daemon
import Foundation

/// `herd similar`: the nearest photos to a catalogued photo, or to any image file embedded on the fly.
struct SimilarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similar",
        abstract: "List the photos most like IMAGE (a catalogued photo, or any image file, embedded on the fly), nearest first.")

    @Argument(help: "A photo in the library, or any JPEG, PNG, HEIC/HEIF, AVIF or WebP file.")
    var image: String

    @Option(name: .short, help: "Number of photos.")
    var k = 20

    @Flag(help: "Print as JSON.")
    var json = false

    @OptionGroup var paths: PathOptions

    func validate() throws {
        guard k >= 1 else { throw ValidationError("-k must be at least 1") }
    }

    func run() async throws {
        let reader = try CatalogReader(paths)
        let catalog = reader.catalog, resolved = reader.paths
        let path = URL(fileURLWithPath: image).standardizedFileURL.path
        let catalogued = try catalog.file(atPath: path)
        guard FileManager.default.fileExists(atPath: path) || catalogued != nil else {
            throw ValidationError("\(image): no such file")
        }
        let configured = try? DaemonSetup(paths: paths)
        let modelID = try reader.modelID(configured: configured?.configuration.model)
        let index = try PhotoIndex(catalog: catalog, modelID: modelID, cacheFolder: resolved.cache)
        guard index.count > 0 else {
            throw ValidationError("no photos are indexed yet: start the daemon (`herd run`) and let it embed and cluster the library")
        }
        var own: Int64?
        let query: [Float]
        if let file = catalogued, let hash = file.contentHash, let vector = try catalog.features(forHash: hash, modelID: modelID) {
            query = vector
            own = try catalog.key(forPath: path)
        } else {
            guard let setup = configured else {
                throw ValidationError("\(image) is not in the catalogue, and embedding it needs the configuration (`herd init`)")
            }
            let extractor = try setup.extractor()
            guard extractor.modelID == modelID else {
                throw ValidationError("the catalogue's features come from \(modelID) but the configured model is \(extractor.modelID); run the daemon with the configured model first")
            }
            guard let result = extractor.extract([PhotoSource(path: path)]).first else { throw ValidationError("\(image): the encoder returned nothing") }
            do {
                query = try result.get()
            } catch {
                throw ValidationError("\(image): cannot embed it: \(error)")
            }
        }
        // A few extra, since the photo itself and keys of deleted photos are dropped.
        let neighbours = try index.search(query, k: k + 8).filter { Int64($0.id) != own }
        let paths = try catalog.paths(forKeys: neighbours.map { Int64($0.id) })
        let clusters = try catalog.assignedKeys()
        var results: [SimilarPhoto] = []
        for neighbour in neighbours {
            for other in paths[Int64(neighbour.id)] ?? [] where other != path && results.count < k {
                results.append(SimilarPhoto(path: other, distance: Double(neighbour.distance), cluster: clusters[Int64(neighbour.id)]))
            }
        }
        if json {
            try JSONOutput.print(results)
            return
        }
        for result in results {
            print(String(format: "%.4f  ", result.distance) + (result.cluster.map { String($0).leftPadded(3) } ?? "  -") + "  " + result.path)
        }
        if results.isEmpty { FileHandle.standardError.write(Data("no similar photos found\n".utf8)) }
    }
}

/// One result of `herd similar --json`: cosine distance (0 identical, 2 opposite) and cluster id.
struct SimilarPhoto: Encodable {
    var path: String
    var distance: Double
    var cluster: Int?
}
