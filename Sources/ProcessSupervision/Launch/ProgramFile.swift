import CProcessSpawn
#if canImport(Glibc)
import Glibc
#endif

/// An open program file, to be run through its descriptor (execveat), so that a file swapped
/// in at its path after it was checked is not what runs. Closes its descriptor when released.
public final class ProgramFile: Sendable {
    public let descriptor: Int32
    /// The path it was opened as, for messages and `argv[0]`.
    public let path: String
    public let identity: FileIdentity
    /// The program a `#!` line names, when the file is a script.
    public let interpreter: String?

    /// Where a program passed to another one (`ProcessSpec.passedFile`) is found, and the path
    /// the kernel gives a script's interpreter when the script runs from its descriptor.
    public static let passedPath = "/dev/fd/3"

    /// O_PATH: names a file without opening it for reading.
    public static let pathOnly = adhocd_o_path()

    /// Takes ownership of `descriptor`, an open regular file (opened for reading, or O_PATH
    /// for a program adhocd may execute but not read).
    public init(adopting descriptor: Int32, path: String, identity: FileIdentity) {
        self.descriptor = descriptor
        self.path = path
        self.identity = identity
        interpreter = Self.interpreter(of: descriptor)
    }

    /// Opens `path` (following symlinks, no other checks).
    public static func open(_ path: String) throws(SpawnError) -> ProgramFile {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard descriptor >= 0 else { throw SpawnError(program: path, code: errno) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let code = errno
            close(descriptor)
            throw SpawnError(program: path, code: code)
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw SpawnError(program: path, code: EACCES)
        }
        return ProgramFile(adopting: descriptor, path: path, identity: FileIdentity(status))
    }

    public var isScript: Bool { interpreter != nil }

    deinit {
        close(descriptor)
    }

    /// The first word after `#!` in the first 256 bytes (what the kernel reads), or nil.
    private static func interpreter(of descriptor: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 2, buffer[0] == UInt8(ascii: "#"), buffer[1] == UInt8(ascii: "!") else { return nil }
        let line = buffer[2..<count].prefix { $0 != UInt8(ascii: "\n") }
        let word = line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            .prefix { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") && $0 != 0 }
        return word.isEmpty ? "" : String(decoding: word, as: UTF8.self)
    }
}

/// What tells one version of a file from another: device and inode (which file), size and
/// modification time (which contents), owner and mode (who may change it).
public struct FileIdentity: Sendable, Hashable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    public var modified: Int64
    public var modifiedNanoseconds: Int64
    public var owner: UInt32
    public var mode: UInt32

    public init(device: UInt64 = 0, inode: UInt64 = 0, size: Int64 = 0, modified: Int64 = 0, modifiedNanoseconds: Int64 = 0,
                owner: UInt32 = 0, mode: UInt32 = 0) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modified = modified
        self.modifiedNanoseconds = modifiedNanoseconds
        self.owner = owner
        self.mode = mode
    }

    public init(_ status: stat) {
        self.init(
            device: UInt64(status.st_dev), inode: UInt64(status.st_ino), size: Int64(status.st_size),
            modified: Int64(status.st_mtim.tv_sec), modifiedNanoseconds: Int64(status.st_mtim.tv_nsec),
            owner: status.st_uid, mode: status.st_mode)
    }
}
