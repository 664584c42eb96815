import Logging
import ProcessSupervision
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
        let reason = systemErrorText()
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return "the audit log \(path) cannot be opened (\(reason)); create \(directory.isEmpty ? "its directory" : directory) writable by adhocd, or set commands_d.audit_log; commands.d commands will not run until it can be written"
    }

    /// Why runs are refused now, or nil when the log is open.
    public var problem: String? {
        state.withLock { $0.descriptor < 0 ? ($0.problem ?? "the audit log is not open") : nil }
    }

    public var path: String? { state.withLock { $0.path } }

    /// Appends the entry whole, or throws: an entry that could not be written leaves nothing
    /// behind (a partial line is cut off again), so the file stays one JSON object a line.
    public func append(_ entry: AuditEntry) throws(AuditLogUnavailable) {
        let line = entry.jsonLine
        logger.info("commands.d \(entry.decision.rawValue)\(entry.event.map { " (\($0.rawValue))" } ?? "")", metadata: [
            "jid": "\(Self.shortened(entry.requester.description))", "node": "\(Self.shortened(entry.node))", "audit": "\(line)",
        ])
        let bytes = Array((line + "\n").utf8)
        let failure: AuditLogUnavailable? = state.withLock { state in
            guard state.descriptor >= 0 else {
                return AuditLogUnavailable(reason: state.problem ?? "the audit log is not open")
            }
            return Self.write(bytes, to: state.descriptor, path: state.path ?? "the audit log")
        }
        if let failure {
            logger.error("could not append to the audit log: \(failure.reason)", metadata: ["audit": "\(line)"])
            throw failure
        }
    }

    /// At most `AuditEntry.valueLimit` bytes of `text`, for the journal's metadata.
    static func shortened(_ text: String) -> String {
        text.utf8.count <= AuditEntry.valueLimit ? text : String(decoding: text.utf8.prefix(AuditEntry.valueLimit), as: UTF8.self) + "…"
    }

    /// Appends, and logs a failure: for lines whose loss stops nothing.
    @discardableResult
    public func record(_ entry: AuditEntry) -> Bool {
        do {
            try append(entry)
            return true
        } catch {
            return false
        }
    }

    /// Writes all of `bytes` at the end of the file (O_APPEND; this process's appends are
    /// serialised by the caller's lock). A write error or a short write with no progress
    /// (a full disk, a file size limit) truncates the file back to where the line began.
    private static func write(_ bytes: [UInt8], to descriptor: Int32, path: String) -> AuditLogUnavailable? {
        var status = stat()
        let start = fstat(descriptor, &status) == 0 ? status.st_size : -1
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress?.advanced(by: written), $0.count - written) }
            if count > 0 {
                written += count
                continue
            }
            if count < 0, errno == EINTR { continue }
            let reason = count == 0 ? "no byte could be written" : systemErrorText()
            if written > 0, start >= 0 { _ = ftruncate(descriptor, start) }
            return AuditLogUnavailable(reason: "cannot write to \(path) (\(reason))")
        }
        return nil
    }
}

/// Why a run is refused: its audit line could not be written.
public struct AuditLogUnavailable: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String

    public var description: String { "audit log unavailable: \(reason)" }
}
