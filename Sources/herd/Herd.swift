import ArgumentParser

/// The `herd` command: sorts a photo library into herds of similar pictures.
struct Herd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "herd",
        abstract: "Sort a photo library into herds of similar pictures.",
        version: HerdVersion.string,
        subcommands: [
            InitCommand.self,
            RunCommand.self,
            ScanCommand.self,
            StatusCommand.self,
            FilesCommand.self,
            ClustersCommand.self,
            ShowCommand.self,
            LabelCommand.self,
            MergeCommand.self,
            ReclusterCommand.self,
            SimilarCommand.self,
            DuplicatesCommand.self,
            CheckCommand.self,
            Inspect.self,
            Preprocess.self,
            Service.self,
            EmbedCommand.self,
            ModelCommand.self,
            BenchCommand.self,
            DoctorCommand.self,
            EvalCommand.self,
        ]
    )
}

/// The version printed by `herd --version`.
enum HerdVersion {
    static let string = "0.1.0"
}
