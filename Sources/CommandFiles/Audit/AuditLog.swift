import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The JSON-lines audit log of commands.d: one line per attempt, appended with O_APPEND so
/// lines from concurrent runs never interleave. Every line is also logged at info level.
///
/// Runs are refused while the log cannot be opened: nothing runs unaudited.
public final class AuditLog: Sendable {
    private struct State {
        var path: String?
        var descriptor: Int32 = -1
        var problem: String?
    }

    private let state = Mutex(State())
    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    deinit {
        state.withLock { if $0.descriptor >= 0 { close($0.descriptor) } }
    }

    /// Opens (or reopens, after log rotation) the file; on failure runs are refused until a
    /// later open succeeds, and the returned text says why.
    @discardableResult
    public func open(path: String) -> String? {
        let descriptor = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        let problem = descriptor < 0 ? Self.explain(path: path) : nil
        let old = state.withLock { state in
            defer {
                state.path = path
                state.descriptor = descriptor
                state.problem = problem
            }
            return state.descriptor
        }
        if old >= 0 { close(old) }
        if let problem { logger.error("\(problem)") }
        return problem
    }

    private static func explain(path: String) -> String {
        let reason = systemError()
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return "the audit log \(path) cannot be opened (\(reason)); create \(directory.isEmpty ? "its directory" : directory) writable by adhocd, or set commands_d.audit_log; commands.d commands will not run until it can be written"
    }

    /// Why runs are refused now, or nil when the log is open.
    public var problem: String? {
        state.withLock { $0.descriptor < 0 ? ($0.problem ?? "the audit log is not open") : nil }
    }

    public var path: String? { state.withLock { $0.path } }

    /// Appends the entry; false when it could not be written (then it is logged as an error).
    @discardableResult
    public func record(_ entry: AuditEntry) -> Bool {
        let line = entry.jsonLine
        logger.info("commands.d \(entry.decision.rawValue)", metadata: [
            "jid": "\(entry.requester)", "node": "\(entry.node)", "audit": "\(line)",
        ])
        var bytes = Array((line + "\n").utf8)
        let written = state.withLock { state -> Bool in
            guard state.descriptor >= 0 else { return false }
            return bytes.withUnsafeMutableBytes { buffer in
                // One write with O_APPEND: the line lands whole at the end.
                write(state.descriptor, buffer.baseAddress, buffer.count) == buffer.count
            }
        }
        if !written { logger.error("could not append to the audit log: \(systemError())", metadata: ["audit": "\(line)"]) }
        bytes.removeAll()
        return written
    }
}
