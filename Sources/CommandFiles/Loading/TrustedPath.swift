import ProcessSupervision
#if canImport(Glibc)
import Glibc
#endif

/// Opens a file only through directories and symlinks that nobody but root and adhocd's own
/// user can change, so that nobody else can make adhocd run or read another file there.
///
/// The path is walked one component at a time from `/`, each opened without following
/// symlinks (`O_PATH | O_NOFOLLOW`) and checked on its descriptor: every directory must be
/// owned by root or adhocd and writable by nobody else (a sticky directory such as /tmp
/// passes: others cannot rename or replace what they do not own, and what lies beyond must
/// be root's or adhocd's anyway); every symlink must be owned by root or adhocd, and is
/// followed by walking its target the same way; the file itself passes `FileSafety`. What
/// was checked is what is opened: the last step opens the file relative to the checked
/// directory's descriptor.
struct TrustedPath: Sendable {
    /// adhocd's effective uid: what it owns is trusted like root's.
    var daemonUID: UInt32

    static let symlinkLimit = 40

    enum Failure: Error, Equatable, CustomStringConvertible {
        /// The file (or a directory on the way) cannot be opened: missing, permissions.
        case unreachable(path: String, reason: String)
        /// Someone else could change what is found at the path.
        case untrusted(String)

        var description: String {
            switch self {
            case .unreachable(let path, let reason): "\(path): \(reason)"
            case .untrusted(let problem): problem
            }
        }
    }

    /// Opens `path` (absolute) for reading and running, or says why not.
    func open(_ path: String) throws(Failure) -> ProgramFile {
        guard path.hasPrefix("/") else { throw .unreachable(path: path, reason: "is not an absolute path") }
        var walk = try Walk(daemonUID: daemonUID, requested: path)
        defer { walk.finish() }
        guard let file = try walk.walk() else { throw .unreachable(path: path, reason: systemErrorText(EISDIR)) }
        return try walk.open(file.name, expected: file.status)
    }

    /// Checks a directory the same way (it and every directory above it).
    func checkDirectory(_ path: String) throws(Failure) {
        guard path.hasPrefix("/") else { throw .unreachable(path: path, reason: "is not an absolute path") }
        var walk = try Walk(daemonUID: daemonUID, requested: path)
        defer { walk.finish() }
        guard try walk.walk() == nil else { throw .unreachable(path: path, reason: systemErrorText(ENOTDIR)) }
    }
}

/// One walk: the directory reached so far (an O_PATH descriptor), its path, what is left.
private struct Walk {
    let daemonUID: UInt32
    let requested: String
    var directory: Int32
    var resolved: [String] = []
    var remaining: [String]
    var symlinksFollowed = 0

    init(daemonUID: UInt32, requested: String) throws(TrustedPath.Failure) {
        self.daemonUID = daemonUID
        self.requested = requested
        remaining = Self.components(requested)
        directory = Glibc.open("/", ProgramFile.pathOnly | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { throw .unreachable(path: "/", reason: systemErrorText()) }
        do throws(TrustedPath.Failure) {
            try checkDirectory(directory, path: "/")
        } catch {
            close(directory)
            throw error
        }
    }

    static func components(_ path: String) -> [String] {
        path.split(separator: "/").map(String.init).filter { $0 != "." }
    }

    var resolvedPath: String { "/" + resolved.joined(separator: "/") }

    func pathOf(_ name: String) -> String { resolved.isEmpty ? "/\(name)" : "\(resolvedPath)/\(name)" }

    /// Walks every component. Returns the name and status of a regular file at the end (not
    /// yet opened); nil when the path ends at a directory.
    mutating func walk() throws(TrustedPath.Failure) -> (name: String, status: stat)? {
        while !remaining.isEmpty {
            let name = remaining.removeFirst()
            if name == ".." {
                try enterParent()
                continue
            }
            let path = pathOf(name)
            let next = openat(directory, name, ProgramFile.pathOnly | O_NOFOLLOW | O_CLOEXEC)
            guard next >= 0 else { throw .unreachable(path: path, reason: systemErrorText()) }
            var status = stat()
            guard fstat(next, &status) == 0 else {
                let reason = systemErrorText()
                close(next)
                throw .unreachable(path: path, reason: reason)
            }
            let kind = status.st_mode & S_IFMT
            if kind != S_IFDIR { close(next) }
            switch kind {
            case S_IFLNK:
                try follow(symlinkNamed: name, status: status, path: path)
            case S_IFDIR:
                do throws(TrustedPath.Failure) {
                    try checkDirectory(status, path: path)
                } catch {
                    close(next)
                    throw error
                }
                close(directory)
                directory = next
                resolved.append(name)
            case S_IFREG:
                guard remaining.isEmpty else { throw .unreachable(path: path, reason: systemErrorText(ENOTDIR)) }
                return (name, status)
            default:
                throw .untrusted("\(path) is not a regular file")
            }
        }
        return nil
    }

    private mutating func enterParent() throws(TrustedPath.Failure) {
        guard !resolved.isEmpty else { return }
        let up = openat(directory, "..", ProgramFile.pathOnly | O_DIRECTORY | O_CLOEXEC)
        guard up >= 0 else { throw .unreachable(path: resolvedPath, reason: systemErrorText()) }
        close(directory)
        directory = up
        resolved.removeLast()
    }

    private mutating func follow(symlinkNamed name: String, status: stat, path: String) throws(TrustedPath.Failure) {
        guard status.st_uid == 0 || status.st_uid == daemonUID else {
            throw .untrusted("\(path) is a symlink owned by uid \(status.st_uid), who could point it elsewhere; only root's or adhocd's own (uid \(daemonUID)) are followed; fix: replace it with the file, or chown -h root \(path)")
        }
        symlinksFollowed += 1
        guard symlinksFollowed <= TrustedPath.symlinkLimit else { throw .unreachable(path: requested, reason: systemErrorText(ELOOP)) }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlinkat(directory, name, &buffer, buffer.count - 1)
        guard count > 0 else { throw .unreachable(path: path, reason: systemErrorText()) }
        let target = String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if target.hasPrefix("/") {
            let root = Glibc.open("/", ProgramFile.pathOnly | O_DIRECTORY | O_CLOEXEC)
            guard root >= 0 else { throw .unreachable(path: "/", reason: systemErrorText()) }
            close(directory)
            directory = root
            resolved = []
        }
        remaining = Self.components(target) + remaining
    }

    func finish() {
        close(directory)
    }

    private func checkDirectory(_ descriptor: Int32, path: String) throws(TrustedPath.Failure) {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreachable(path: path, reason: systemErrorText()) }
        try checkDirectory(status, path: path)
    }

    private func checkDirectory(_ status: stat, path: String) throws(TrustedPath.Failure) {
        // Root's sticky directories (/tmp) let others add entries, but not replace ours.
        if status.st_mode & S_ISVTX != 0, status.st_uid == 0 { return }
        if let problem = FileSafety.problem(with: status, daemonUID: daemonUID, isDirectory: true) {
            throw .untrusted("\(path), a directory on the way to \(requested): \(problem.replacing("PATH", with: path))")
        }
    }

    /// Opens the file for reading from the checked directory, without following a symlink
    /// swapped in since, and makes sure it is the file that was checked.
    func open(_ name: String, expected: stat) throws(TrustedPath.Failure) -> ProgramFile {
        let path = pathOf(name)
        if let problem = FileSafety.problem(with: expected, daemonUID: daemonUID, isDirectory: false) {
            throw .untrusted("\(path): \(problem.replacing("PATH", with: path))")
        }
        var descriptor = openat(directory, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        if descriptor < 0, errno == EACCES {
            // Executable but not readable by adhocd: a binary still runs from an O_PATH descriptor.
            descriptor = openat(directory, name, ProgramFile.pathOnly | O_NOFOLLOW | O_CLOEXEC)
        }
        guard descriptor >= 0 else { throw .unreachable(path: path, reason: systemErrorText()) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_dev == expected.st_dev, status.st_ino == expected.st_ino else {
            close(descriptor)
            throw .untrusted("\(path) changed while it was being checked")
        }
        return ProgramFile(adopting: descriptor, path: requested, identity: FileIdentity(status))
    }
}
