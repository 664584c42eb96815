/// What to run: a program and its arguments (never a shell command line), with limits.
public struct ProcessSpec: Sendable {
    /// The arguments, `argv[0]` included.
    public var argv: [String]
    /// The program started: by default `argv[0]` as a path.
    public var executable: Executable
    /// A checked file the program gets as descriptor 3 (`ProgramFile.passedPath`), for a
    /// program that runs another one (setpriv).
    public var passedFile: ProgramFile?
    /// The whole environment: nothing is inherited.
    public var environment: [String: String]
    public var workingDirectory: String?
    public var timeout: Duration
    /// Between SIGTERM and SIGKILL.
    public var killGrace: Duration
    public var standardOutput: OutputCapture
    public var standardError: OutputCapture

    /// Keeps `outputLimit` bytes of each stream: the start of standard output (the result),
    /// the end of standard error (what went wrong).
    public init(argv: [String], environment: [String: String] = [:], workingDirectory: String? = nil,
                timeout: Duration, killGrace: Duration = .seconds(5), outputLimit: Int = 64 * 1024) {
        self.argv = argv
        self.executable = .path(argv.first ?? "")
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.timeout = timeout
        self.killGrace = killGrace
        self.standardOutput = .keep(outputLimit, .head)
        self.standardError = .keep(outputLimit, .tail)
    }

    /// The program's name for messages.
    public var programName: String {
        switch executable {
        case .path(let path): path
        case .file(let file): file.path
        }
    }
}

/// Which program a run starts.
public enum Executable: Sendable {
    /// This path, as given: no PATH search (`ProgramSearch` does that first where wanted).
    case path(String)
    /// This open file, run through its descriptor: what was checked is what runs.
    case file(ProgramFile)
}

/// What becomes of one output stream.
public enum OutputCapture: Sendable, Equatable {
    /// Up to `limit` bytes are kept: the first ones or the last ones.
    case keep(Int, CapturedOutput.Keep)
    /// To /dev/null.
    case discard
}
