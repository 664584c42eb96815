/// What to run: a program and its arguments (never a shell command line), with limits.
public struct ProcessSpec: Sendable, Equatable {
    /// `argv[0]` is the program's absolute path.
    public var argv: [String]
    public var environment: [String: String]
    public var workingDirectory: String?
    public var timeout: Duration
    /// Between SIGTERM and SIGKILL.
    public var killGrace: Duration
    /// Bytes kept of each of standard output and standard error.
    public var outputLimit: Int

    public init(argv: [String], environment: [String: String] = [:], workingDirectory: String? = nil,
                timeout: Duration, killGrace: Duration = .seconds(5), outputLimit: Int = 64 * 1024) {
        self.argv = argv
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.timeout = timeout
        self.killGrace = killGrace
        self.outputLimit = outputLimit
    }
}

/// How a run ended.
public struct ProcessResult: Sendable, Equatable {
    public enum Ending: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)
    }

    public var ending: Ending
    /// The time limit passed: the process group was sent SIGTERM, then SIGKILL.
    public var timedOut: Bool
    /// The requester went away or adhocd stopped: the process group was stopped the same way.
    public var cancelled: Bool
    /// The program left processes behind in its group when it exited; they were stopped.
    public var strayProcessesStopped: Bool
    public var standardOutput: CapturedOutput
    public var standardError: CapturedOutput
    public var duration: Duration

    public var succeeded: Bool { ending == .exited(0) && !timedOut && !cancelled }
}

/// The program could not be started at all.
public struct SpawnError: Error, Sendable, Equatable, CustomStringConvertible {
    public var program: String
    public var reason: String

    public var description: String { "cannot start \(program): \(reason)" }
}
