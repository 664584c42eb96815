import AdhocdKit
import ArgumentParser
import HostMetrics
#if canImport(Glibc)
import Glibc
#endif

/// `adhocd reference --update [FILE…]`: what `make docs` runs. Rewrites the generated key tables
/// of the reference files from the keys the code declares (`ConfigurationReference`), and only
/// them. A subcommand rather than a tool of its own: the binary already holds every declaration,
/// so there is nothing more to build or keep in step. Hidden: it is for the repository, not for
/// people running adhocd.
struct Reference: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the generated key tables of reference files (make docs).", shouldDisplay: false)

    @Flag(help: "Rewrite the files whose generated blocks are out of date.")
    var update = false

    @Flag(help: "Only say which files are out of date; exit 1 if any is.")
    var check = false

    @Argument(help: "Markdown (.md) or man page files with generated blocks; by default the repository's reference files, from its root.")
    var files: [String] = ConfigurationReference.files

    func validate() throws {
        guard update != check else { throw ValidationError("give one of --update and --check") }
    }

    func run() throws {
        var stale: [String] = []
        for file in files {
            guard let text = readTextFile(file) else {
                printError("adhocd reference: cannot read \(file)")
                throw ExitCode(1)
            }
            let written: String
            do {
                written = try ConfigurationReference.update(text, file: file)
            } catch {
                printError("adhocd reference: \(file): \(error)")
                throw ExitCode(1)
            }
            guard written != text else { continue }
            stale.append(file)
            if update, !Self.write(written, to: file) {
                printError("adhocd reference: cannot write \(file): \(String(cString: strerror(errno)))")
                throw ExitCode(1)
            }
        }
        for file in stale { print(update ? "updated \(file)" : "\(file) is out of date: run make docs") }
        if check, !stale.isEmpty { throw ExitCode(1) }
    }

    /// Replaces the file's contents in place, keeping its mode and owner.
    private static func write(_ text: String, to path: String) -> Bool {
        let descriptor = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let count = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { return false }
            bytes = bytes.dropFirst(count)
        }
        return true
    }
}
