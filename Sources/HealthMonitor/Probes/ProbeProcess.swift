#if canImport(Glibc)
import Glibc
#endif
import ProcessSupervision
import XMPPCore

/// How a probe command ended, and the first line it printed.
struct ProbeProcessResult: Sendable, Equatable {
    enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
        /// Still running at the deadline: its process group was killed.
        case timedOut
    }

    var termination: Termination
    var firstLine: String
}

enum ProbeProcessError: Error, Sendable, Equatable, CustomStringConvertible {
    case emptyCommand
    case spawnFailed(program: String, reason: String)

    var description: String {
        switch self {
        case .emptyCommand: "no program to run"
        case .spawnFailed(let program, let reason): "cannot run \(program): \(reason)"
        }
    }
}

/// The probe command as a run of the shared `ProcessRunner`: found through PATH, standard
/// error to /dev/null, only the first line of standard output kept, and the whole process
/// group killed at the deadline (no grace: a probe is a quick check).
enum ProbeProcess {
    /// Bytes of the first line kept; the rest of the output is read and dropped, so a chatty
    /// probe never blocks on a full pipe.
    static let lineLimit = 4096

    static func run(_ arguments: [String], timeout: Duration) async throws(ProbeProcessError) -> ProbeProcessResult {
        guard let name = arguments.first, !name.isEmpty else { throw .emptyCommand }
        let environment = probeEnvironment()
        var spec = ProcessSpec(argv: arguments, environment: environment, timeout: timeout, killGrace: .zero)
        // Never a bare name: execve would take it relative to the working directory.
        guard let program = ProgramSearch.resolve(name, path: environment["PATH", default: ""]) else {
            throw .spawnFailed(program: name, reason: systemErrorText(ENOENT))
        }
        spec.executable = .path(program)
        spec.standardOutput = .keep(lineLimit, .head)
        spec.standardError = .discard
        let result: ProcessResult
        do {
            result = try await ProcessRunner().run(spec)
        } catch {
            throw .spawnFailed(program: name, reason: error.reason)
        }
        let line = String(decoding: result.standardOutput.bytes.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self).trimmingWhitespace()
        if result.timedOut { return ProbeProcessResult(termination: .timedOut, firstLine: line) }
        switch result.ending {
        case .exited(let status): return ProbeProcessResult(termination: .exited(status), firstLine: line)
        case .signalled(let signal): return ProbeProcessResult(termination: .signaled(signal), firstLine: line)
        }
    }

    /// What a probe sees of the daemon's environment: enough to run and nothing else. The
    /// unit's `Environment=` may hold secrets, and `NOTIFY_SOCKET` belongs to the daemon.
    private static func probeEnvironment() -> [String: String] {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
        let language = getenv("LANG").map { String(cString: $0) } ?? "C.UTF-8"
        return ["PATH": path, "LANG": language]
    }
}
