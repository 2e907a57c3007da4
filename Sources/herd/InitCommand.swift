import ArgumentParser
import Daemon
import Foundation

/// `herd init`: writes the configuration file after checking the folders.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write the configuration: which library folders to watch and where the herds go.")

    @Argument(help: "Library folders to watch.")
    var libraries: [String]

    @Option(help: "Folder for the cluster links; must be outside every library.")
    var output: String

    @Option(help: "Feature model name.")
    var model: String = HerdConfiguration.defaultModel

    @Flag(help: "Replace an existing configuration file.")
    var force = false

    @Flag(help: "Print the written configuration as JSON.")
    var json = false

    @OptionGroup var paths: PathOptions

    func run() async throws {
        let paths = paths.resolved()
        if !force, FileManager.default.fileExists(atPath: paths.config) {
            throw ValidationError("\(paths.config) already exists; pass --force to replace it, or edit it and send the daemon SIGHUP")
        }
        let configuration: HerdConfiguration
        do {
            configuration = try HerdConfiguration(libraries: libraries, output: output, model: model).validated()
        } catch let error as DaemonError {
            // Folders named on the command line are the user's arguments: a usage error (exit 2).
            throw ValidationError(error.description)
        }
        // Marked as herd's now, so a later start (or reload) knows the folder is ours.
        try FolderWriter(root: configuration.output).prepare()
        try configuration.write(to: paths.config)
        if json {
            try JSONOutput.print(InitReport(config: paths.config, configuration: configuration))
        } else {
            print("wrote \(paths.config)")
            for library in configuration.libraries { print("  library  \(library)") }
            print("  output   \(configuration.output)")
            print("  model    \(configuration.model)")
            print("  precision \(configuration.precision) (`herd doctor` says what it runs as on this CPU)")
            print("next: `herd run` (or the systemd user service) to build the catalogue and keep it current")
        }
    }
}

/// What `herd init --json` prints.
struct InitReport: Encodable {
    var config: String
    var configuration: HerdConfiguration
}
