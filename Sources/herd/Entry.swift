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
            FileHandle.standardError.write(Data((Herd.fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
        if code == .success || error is CleanExit {
            Herd.exit(withError: error)
        }
        if code == .failure, !(error is ExitCode) {
            FileHandle.standardError.write(Data(("herd: " + String(describing: error) + "\n").utf8))
            Foundation.exit(3)
        }
        Herd.exit(withError: error)
    }
}

/// Thrown by a command that finished but could not do all of its work (exit status 1).
struct PartialFailure: Error {
    var message: String
}
