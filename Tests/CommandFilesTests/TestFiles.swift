import XMPPCore
@testable import CommandFiles
#if canImport(Glibc)
import Glibc
#endif

/// A temporary directory the test writes definition files into; removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() {
        var template = Array("/tmp/adhocd-commandfiles-XXXXXX".utf8CString)
        let created: String? = template.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, let made = mkdtemp(base) else { return nil }
            return String(cString: made)
        }
        path = created ?? "/tmp/adhocd-commandfiles-failed"
        chmod(path, 0o755)
    }

    /// Writes `text` to `name` with `mode`; returns the full path.
    @discardableResult
    func write(_ name: String, _ text: String, mode: mode_t = 0o644) -> String {
        let file = "\(path)/\(name)"
        Self.writeFile(file, text, mode: mode)
        return file
    }

    static func writeFile(_ file: String, _ text: String, mode: mode_t) {
        let descriptor = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        chmod(file, mode)
    }

    func read(_ name: String) -> String {
        Self.readFile("\(path)/\(name)")
    }

    static func readFile(_ file: String) -> String {
        let descriptor = open(file, O_RDONLY)
        guard descriptor >= 0 else { return "" }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += buffer[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func remove() {
        for name in entries() { unlink("\(path)/\(name)") }
        rmdir(path)
    }

    func entries() -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }
}

enum Fixture {
    static let reader = DefinitionReader(isRoot: true, lookUpUser: { name in
        name == "www-data" ? RunAsUser(name: "www-data", uid: 33, gid: 33, home: "/var/www") : nil
    })

    static func origin(_ node: String = "test", form: CommandDefinition.Form = .toml, file: String? = nil) -> DefinitionReader.Origin {
        DefinitionReader.Origin(file: file ?? "/etc/adhocd/commands.d/\(node).\(form == .toml ? "toml" : "sh")", node: node, form: form)
    }

    static func definition(_ toml: String, node: String = "test") throws(DefinitionError) -> CommandDefinition {
        try reader.read(toml: toml, origin: origin(node))
    }

    static let alice = try! JID("alice@example.org/phone")

    /// The repository's own commands.d, for the tests that load the shipped examples.
    static var repositoryCommandsDirectory: String {
        var path = #filePath.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        path.removeLast(3)
        return path.joined(separator: "/") + "/commands.d"
    }
}
