#if canImport(Glibc)
import Glibc
#endif

/// How a run ended.
public struct ProcessResult: Sendable, Equatable {
    public enum Ending: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)
    }

    public var ending: Ending
    /// The time limit passed: the process group was sent SIGTERM, then SIGKILL.
    public var timedOut: Bool
    /// The caller went away (the requester, adhocd stopping): the group was stopped the same way.
    public var cancelled: Bool
    /// The program left processes behind in its group when it exited; they were stopped.
    public var strayProcessesStopped: Bool
    public var standardOutput: CapturedOutput
    public var standardError: CapturedOutput
    public var duration: Duration

    public init(ending: Ending, timedOut: Bool, cancelled: Bool, strayProcessesStopped: Bool,
                standardOutput: CapturedOutput, standardError: CapturedOutput, duration: Duration) {
        self.ending = ending
        self.timedOut = timedOut
        self.cancelled = cancelled
        self.strayProcessesStopped = strayProcessesStopped
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.duration = duration
    }

    public var succeeded: Bool { ending == .exited(0) && !timedOut && !cancelled }
}

/// The program could not be started at all.
public struct SpawnError: Error, Sendable, Equatable, CustomStringConvertible {
    public var program: String
    public var reason: String

    public init(program: String, reason: String) {
        self.program = program
        self.reason = reason
    }

    /// With the system's words for an errno value.
    public init(program: String, code: Int32) {
        self.init(program: program, reason: systemErrorText(code))
    }

    public var description: String { "cannot start \(program): \(reason)" }
}

/// The system's words for an errno value: "No such file or directory".
public func systemErrorText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}
