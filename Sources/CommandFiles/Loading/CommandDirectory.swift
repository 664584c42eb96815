import ProcessSupervision
#if canImport(Glibc)
import Glibc
#endif

/// Reads every definition in commands.d. A broken or unsafe file is reported and skipped;
/// the others load regardless.
public struct CommandDirectory: Sendable {
    public var path: String
    public var reader: DefinitionReader
    /// adhocd's effective uid: files it owns are trusted like root's.
    public var daemonUID: UInt32
    /// Nodes other providers use (built-in commands): a file may not take them.
    public var reservedNodes: Set<String>

    /// Larger `.toml` files are refused; a script's block must lie within its first 64 KiB.
    static let maximumDefinitionSize = 1024 * 1024
    static let scriptHeaderWindow = 64 * 1024

    public init(path: String, reader: DefinitionReader, daemonUID: UInt32 = geteuid(), reservedNodes: Set<String> = []) {
        self.path = path
        self.reader = reader
        self.daemonUID = daemonUID
        self.reservedNodes = reservedNodes
    }

    public func load() -> LoadReport {
        var report = LoadReport(directory: path)
        var status = stat()
        guard stat(path, &status) == 0 else {
            if errno == ENOENT { report.directoryExists = false } else {
                report.problems.append(DefinitionError(file: path, problem: "cannot read the directory: \(systemErrorText())"))
            }
            return report
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            report.problems.append(DefinitionError(file: path, problem: "is not a directory"))
            return report
        }
        if let unsafe = FileSafety.problem(with: status, daemonUID: daemonUID, isDirectory: true) {
            report.problems.append(DefinitionError(file: path, problem: unsafe.replacing("PATH", with: path) + "; no command in it was loaded"))
            return report
        }
        // The directories above it too, and the target of a symlinked commands.d.
        do {
            try trust.checkDirectory(path)
        } catch {
            report.problems.append(DefinitionError(file: path, problem: "\(error); no command in it was loaded"))
            return report
        }
        guard let names = entries() else {
            report.problems.append(DefinitionError(file: path, problem: "cannot list the directory: \(systemErrorText())"))
            return report
        }
        var sources: [String: String] = [:]
        for name in names where !Self.isIgnoredSilently(name) {
            let file = path.hasSuffix("/") ? path + name : "\(path)/\(name)"
            switch loadFile(named: name, at: file) {
            case .definition(let definition):
                if let first = sources[definition.node] {
                    report.problems.append(DefinitionError(file: file, problem: "defines the command '\(definition.node)', as \(first) does already; rename one of them"))
                    continue
                }
                let programs = ProgramCheck(trust: trust).atLoad(definition)
                if let problem = programs.problem {
                    report.problems.append(DefinitionError(file: file, problem: problem))
                    continue
                }
                sources[definition.node] = file
                report.definitions.append(definition)
                report.warnings += programs.warnings.map { "\(file): \($0)" }
                if programs.warnings.isEmpty, access(definition.exec.program, X_OK) != 0 {
                    report.warnings.append("\(file): \(definition.exec.program) is not an executable program (\(systemErrorText())); runs will fail until it is")
                }
            case .problem(let problem):
                report.problems.append(problem)
            case .ignored:
                report.ignored.append(file)
            }
        }
        return report
    }

    private enum FileResult {
        case definition(CommandDefinition)
        case problem(DefinitionError)
        case ignored
    }

    var trust: TrustedPath { TrustedPath(daemonUID: daemonUID) }

    private func loadFile(named name: String, at file: String) -> FileResult {
        var entry = stat()
        guard lstat(file, &entry) == 0 else { return .problem(DefinitionError(file: file, problem: "cannot be examined: \(systemErrorText())")) }
        let opened: ProgramFile
        if entry.st_mode & S_IFMT == S_IFLNK {
            // Followed only through what nobody but root and adhocd can change.
            do throws(TrustedPath.Failure) {
                opened = try trust.open(file)
            } catch {
                switch error {
                case .untrusted(let problem):
                    return .problem(DefinitionError(file: file, problem: "is a symlink that is not safe to follow: \(problem); fix: replace the symlink with the file, or make its target and every directory on the way root's and writable by nobody else"))
                case .unreachable(let path, let reason):
                    return .problem(DefinitionError(file: file, problem: "is a symlink that cannot be followed: \(path): \(reason)"))
                }
            }
        } else {
            guard entry.st_mode & S_IFMT == S_IFREG else { return .ignored }
            let descriptor = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)
            guard descriptor >= 0 else { return .problem(DefinitionError(file: file, problem: "cannot be opened: \(systemErrorText())")) }
            // Checked on the open descriptor, so what is read is what was checked.
            var status = stat()
            guard fstat(descriptor, &status) == 0 else {
                let reason = systemErrorText()
                close(descriptor)
                return .problem(DefinitionError(file: file, problem: "cannot be examined: \(reason)"))
            }
            opened = ProgramFile(adopting: descriptor, path: file, identity: FileIdentity(status))
        }
        let descriptor = opened.descriptor
        let status = opened.identity
        guard status.mode & S_IFMT == S_IFREG else { return .ignored }

        let isTOML = name.hasSuffix(".toml")
        let isExecutable = status.mode & S_IXUSR != 0
        let window = isTOML ? Self.maximumDefinitionSize + 1 : Self.scriptHeaderWindow
        guard let bytes = Self.read(descriptor, upTo: window) else {
            return .problem(DefinitionError(file: file, problem: "cannot be read: \(systemErrorText())"))
        }
        let text = String(decoding: bytes, as: UTF8.self)
        guard isTOML || isExecutable else {
            if text.contains(ScriptHeader.beginMarker) {
                return .problem(DefinitionError(file: file, problem: "has an adhocd block but is not executable; fix: chmod 755 \(file)"))
            }
            return .ignored
        }
        if let unsafe = FileSafety.problem(owner: status.owner, mode: status.mode, daemonUID: daemonUID, isDirectory: false) {
            return .problem(DefinitionError(file: file, problem: unsafe.replacing("PATH", with: file)))
        }
        if isTOML, bytes.count > Self.maximumDefinitionSize {
            return .problem(DefinitionError(file: file, problem: "is larger than 1 MiB; a definition is a few lines"))
        }
        let node = Self.node(for: name, isTOML: isTOML)
        guard Self.isValidNode(node) else {
            return .problem(DefinitionError(file: file, problem: "'\(node)' cannot name a command: rename the file to letters, digits, '.', '_' and '-', starting with a letter or digit"))
        }
        guard !reservedNodes.contains(node) else {
            return .problem(DefinitionError(file: file, problem: "the command name '\(node)' is taken by a built-in command; rename the file"))
        }
        let stamp = FileStamp(
            device: status.device, inode: status.inode, size: status.size, modified: status.modified,
            modifiedNanoseconds: status.modifiedNanoseconds)
        let origin = DefinitionReader.Origin(file: file, node: node, form: isTOML ? .toml : .script, stamp: stamp)
        do {
            return .definition(isTOML ? try reader.read(toml: bytes, origin: origin) : try reader.read(script: text, origin: origin))
        } catch {
            return .problem(error)
        }
    }

    /// The node the file at `path` defines, or would define if it loaded.
    public static func node(ofFile path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return node(for: name, isTOML: name.hasSuffix(".toml"))
    }

    /// The file name without `.toml`, or a script's name without its last extension.
    static func node(for name: String, isTOML: Bool) -> String {
        if isTOML { return String(name.dropLast(".toml".count)) }
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    static func isValidNode(_ node: String) -> Bool {
        guard let first = node.unicodeScalars.first, isAlphanumeric(first) else { return false }
        return node.unicodeScalars.allSatisfy { isAlphanumeric($0) || $0 == "." || $0 == "_" || $0 == "-" }
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    /// Hidden files, documentation, and what editors and package managers leave behind.
    static func isIgnoredSilently(_ name: String) -> Bool {
        let leftovers = ["~", ".bak", ".swp", ".orig", ".rej", ".md", ".txt", ".dpkg-old", ".dpkg-new", ".dpkg-dist", ".dpkg-tmp",
                         ".ucf-old", ".ucf-new", ".ucf-dist", ".rpmnew", ".rpmsave"]
        return name.hasPrefix(".") || name.hasPrefix("README") || leftovers.contains { name.hasSuffix($0) }
    }

    private func entries() -> [String]? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    private static func read(_ descriptor: Int32, upTo limit: Int) -> [UInt8]? {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while bytes.count < limit {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, min($0.count, limit - bytes.count)) }
            if count < 0, errno == EINTR { continue }
            if count < 0 { return nil }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[..<count])
        }
        return bytes
    }
}
