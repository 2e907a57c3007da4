import ArgumentParser
import Foundation

/// Entry point: parse, run, and map errors to exit codes
/// (0 success, 1 some work failed, 2 usage error, 3 other failure).
@main
enum Main {
    static func main() async {
        BLASRestart.restartIfNeeded()
        JITPolicy.applyTestSeam()
        do {
            var command = try Herd.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(with: error)
        }
    }

    static func exit(with error: Error) -> Never {
        if let failure = error as? PartialFailure {
            FileHandle.standardError.write(Data((failure.message + "\n").utf8))
            Foundation.exit(1)
        }
        let code = Herd.exitCode(for: error)
        if code == .validationFailure {
            let message = Herd.fullMessage(for: error)
            printJSONError(message, status: 2)
            FileHandle.standardError.write(Data((message + "\n").utf8))
            Foundation.exit(2)
        }
        if code == .success || error is CleanExit {
            Herd.exit(withError: error)
        }
        if code == .failure, !(error is ExitCode) {
            printJSONError(String(describing: error), status: 3)
            FileHandle.standardError.write(Data(("herd: " + String(describing: error) + "\n").utf8))
            Foundation.exit(3)
        }
        Herd.exit(withError: error)
    }
}

extension Main {
    /// With `--json`, an error is also printed on stdout as `{"error": {"message": …, "status": …}}`, so a script that
    /// parses stdout sees why the command failed.
    static func printJSONError(_ message: String, status: Int32) {
        guard CommandLine.arguments.dropFirst().contains("--json") else { return }
        struct Failure: Encodable {
            struct Detail: Encodable {
                var message: String
                var status: Int32
            }
            var error: Detail
        }
        try? JSONOutput.print(Failure(error: .init(message: message, status: status)))
    }
}

/// Thrown by a command that finished but could not do all of its work (exit status 1).
struct PartialFailure: Error {
    var message: String
}
