import Commands

/// One command as a file in commands.d defines it: what to run, with which parameters, for
/// whom, and how to show the result.
public struct CommandDefinition: Sendable, Equatable {
    /// How output becomes the answer.
    public enum OutputStyle: String, Sendable, Equatable, CaseIterable {
        /// Standard output as a note.
        case text
        /// Standard output as TSV or CSV with a header line: a table (`reported`/`item`).
        case table
        /// Only "Done." on success.
        case none
    }

    /// Which of the two forms the file takes.
    public enum Form: String, Sendable, Equatable {
        /// A `.toml` file.
        case toml
        /// An executable with an optional `# adhocd:begin` … `# adhocd:end` block.
        case script
    }

    /// The file's name without its extension; unique among loaded commands.
    public var node: String
    public var name: String
    public var description: String?
    /// The file that defines it.
    public var file: String
    public var form: Form
    public var exec: ArgumentTemplate
    public var parameters: [ParameterDefinition]
    public var policy: AccessPolicy
    /// The question asked before running, if any.
    public var confirm: MessageTemplate?
    public var timeout: Duration
    public var output: OutputStyle
    /// Extra environment variables from `[env]`.
    public var environment: [String: String]
    public var workingDirectory: String?
    /// Whom to run as, when not the daemon's own user.
    public var user: RunAsUser?
    /// How many runs of this command may go at once.
    public var maxRunning: Int
    /// Identity of the file's contents, so a reload notices an edited script body too.
    public var stamp: FileStamp

    public static let defaultTimeout = Duration.seconds(30)

    public func parameter(_ variable: String) -> ParameterDefinition? {
        parameters.first { $0.variable == variable }
    }
}

/// What tells two versions of a file apart without reading it all: device and inode, size,
/// modification time.
public struct FileStamp: Sendable, Equatable {
    /// 0 when unknown.
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    public var modified: Int64
    public var modifiedNanoseconds: Int64

    public init(device: UInt64 = 0, inode: UInt64 = 0, size: Int64 = 0, modified: Int64 = 0, modifiedNanoseconds: Int64 = 0) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modified = modified
        self.modifiedNanoseconds = modifiedNanoseconds
    }
}
