import Foundation

/// External programs the integration tests need.
///
/// Outside CI a missing program disables the tests that need it, with a message saying so;
/// under `CI=true` the tests run anyway and fail loudly, so CI never passes by skipping.
public enum Prerequisites {
    public static var isCI: Bool {
        ProcessInfo.processInfo.environment["CI"].map { ["1", "true", "yes"].contains($0.lowercased()) } ?? false
    }

    public static func isInstalled(_ program: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(program)") }
    }

    public static var hasProsody: Bool {
        isInstalled("prosody") && isInstalled("prosodyctl") && isInstalled("openssl") && isInstalled("python3")
    }

    /// For `.enabled(if:)`: run when Prosody is there, and always under CI.
    public static var prosodyTestsEnabled: Bool { hasProsody || isCI }

    public static let prosodyMissingMessage =
        "prosody, prosodyctl, openssl or python3 not found: integration tests skipped (run `make test` to install them)"

    static func requireProsody() throws {
        guard hasProsody else {
            throw SandboxError.missingPrerequisite("CI=true and " + prosodyMissingMessage)
        }
    }

    /// The package root, found from this file's location.
    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
        }
        return FileManager.default.currentDirectoryPath
    }()
}
