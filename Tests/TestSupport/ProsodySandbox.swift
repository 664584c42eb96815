import Foundation
import Synchronization
import XMPPCore

/// A throwaway Prosody on loopback, started by `scripts/prosody_sandbox.py` in a temp dir.
///
/// Always pair `start` with `stop` (use `withProsody`), also when a test fails; the Makefile
/// reaps leftovers after the suite as a second line of defence.
public final class ProsodySandbox: Sendable {
    public let directory: String
    public let domain: String
    public let host: String
    public let c2sPort: Int
    public let directTLSPort: Int
    public let caFile: String
    public let logFile: String
    private let processGroup: Mutex<Int32>

    private struct Description: Decodable {
        var dir: String
        var domain: String
        var host: String
        var c2s_port: Int
        var direct_tls_port: Int
        var ca_file: String
        var log: String
        var pid: Int32
    }

    private init(_ description: Description) {
        directory = description.dir
        domain = description.domain
        host = description.host
        c2sPort = description.c2s_port
        directTLSPort = description.direct_tls_port
        caFile = description.ca_file
        logFile = description.log
        processGroup = Mutex(description.pid)
    }

    /// Starts a server with these accounts (name → password).
    public static func start(
        accounts: [String: String],
        disableMechanisms: [String] = [],
        allowPlaintext: Bool = false,
        resourceConflict: String = "kick_old"
    ) throws -> ProsodySandbox {
        try Prerequisites.requireProsody()
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("adhocd-test-\(UUID().uuidString.prefix(8))").path
        var arguments = ["start", "--dir", directory]
        for (name, password) in accounts.sorted(by: { $0.key < $1.key }) {
            arguments += ["--account", "\(name):\(password)"]
        }
        for mechanism in disableMechanisms { arguments += ["--disable-mechanism", mechanism] }
        if allowPlaintext { arguments.append("--allow-plaintext") }
        arguments += ["--conflict-resolve", resourceConflict]
        let output = try runScript(arguments)
        let description = try JSONDecoder().decode(Description.self, from: Data(output.utf8))
        return ProsodySandbox(description)
    }

    public func jid(_ name: String) -> JID {
        // The sandbox only hands out valid names.
        (try? JID(localpart: name, domain: domain)) ?? (try! JID(domain: domain))
    }

    /// Stops the server and removes its directory.
    public func stop() {
        _ = try? ProsodySandbox.runScript(["stop", "--dir", directory])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Stops and starts the server again on the same ports with the same accounts.
    public func restart() throws {
        try resume()
    }

    /// Kills the server with SIGKILL: no stream close, as in a crash.
    public func kill() throws {
        _ = try ProsodySandbox.runScript(["kill", "--dir", directory])
    }

    /// Starts a stopped or killed server again.
    public func resume() throws {
        let output = try ProsodySandbox.runScript(["restart", "--dir", directory])
        let description = try JSONDecoder().decode(Description.self, from: Data(output.utf8))
        processGroup.withLock { $0 = description.pid }
    }

    /// `kill()` and `resume()` off Swift concurrency's threads (they wait for the script).
    public func killed() async throws {
        try await runBlocking { try self.kill() }
    }

    public func resumed() async throws {
        try await runBlocking { try self.resume() }
    }

    /// Freezes the server (SIGSTOP to its process group): connections stay open but nothing
    /// answers, like a hung host or a dead network path.
    public func pause() throws {
        try signalGroup(SIGSTOP)
    }

    public func unpause() throws {
        try signalGroup(SIGCONT)
    }

    private func signalGroup(_ signal: Int32) throws {
        let group = processGroup.withLock { $0 }
        guard Foundation.kill(-group, signal) == 0 else {
            throw SandboxError.scriptFailed("signal \(signal)", "kill(-\(group)) failed with errno \(errno)")
        }
    }

    public func register(_ name: String, password: String) throws {
        _ = try ProsodySandbox.runScript(["register", "--dir", directory, "\(name):\(password)"])
    }

    /// The tail of Prosody's log, for failure messages.
    public func logTail(lines: Int = 40) -> String {
        let text = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    @discardableResult
    static func runScript(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Prerequisites.repositoryRoot + "/scripts/prosody_sandbox.py"] + arguments
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SandboxError.scriptFailed(arguments.first ?? "", String(decoding: errors, as: UTF8.self))
        }
        return String(decoding: output, as: UTF8.self)
    }
}

public enum SandboxError: Error, CustomStringConvertible {
    case scriptFailed(String, String)
    case missingPrerequisite(String)
    case notReady(String)

    public var description: String {
        switch self {
        case .scriptFailed(let command, let output): "prosody_sandbox.py \(command) failed:\n\(output)"
        case .missingPrerequisite(let what): what
        case .notReady(let what): what
        }
    }
}

/// Runs `body` against a fresh server and stops it afterwards, whatever happens.
public func withProsody<T>(
    accounts: [String: String],
    disableMechanisms: [String] = [],
    allowPlaintext: Bool = false,
    resourceConflict: String = "kick_old",
    _ body: (ProsodySandbox) async throws -> T
) async throws -> T {
    let sandbox = try await runBlocking {
        try ProsodySandbox.start(
            accounts: accounts, disableMechanisms: disableMechanisms, allowPlaintext: allowPlaintext, resourceConflict: resourceConflict)
    }
    do {
        let result = try await body(sandbox)
        try? await runBlocking { sandbox.stop() }
        return result
    } catch {
        print("Prosody log tail for the failed test:\n\(sandbox.logTail())")
        try? await runBlocking { sandbox.stop() }
        throw error
    }
}
