import Testing
import ProcessSupervision
@testable import CommandFiles
#if canImport(Glibc)
import Glibc
#endif

/// Symlinks and programs are followed only through what nobody but root and adhocd can change.
@Suite(.serialized) struct TrustedPathTests {
    let trust = TrustedPath(daemonUID: geteuid())

    func load(_ directory: TemporaryDirectory) -> LoadReport {
        CommandDirectory(path: directory.path, reader: Fixture.reader, daemonUID: geteuid()).load()
    }

    @Test func opensAFileThroughSafeDirectoriesAndSymlinks() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let target = directory.write("target.sh", "#!/bin/sh\necho hi\n", mode: 0o755)
        symlink("target.sh", "\(directory.path)/relative")
        symlink(target, "\(directory.path)/absolute")
        for path in [target, "\(directory.path)/relative", "\(directory.path)/absolute", "\(directory.path)/./x/../target.sh"] {
            if path.contains("/x/") { mkdir("\(directory.path)/x", 0o755) }
            let file = try trust.open(path)
            #expect(file.identity.inode == (try ProgramFile.open(target)).identity.inode)
            #expect(file.interpreter == "/bin/sh")
        }
        rmdir("\(directory.path)/x")
        // /bin is a symlink on merged-/usr systems; the walk follows it.
        #expect((try trust.open("/bin/sh")).interpreter == nil)
    }

    @Test func refusesWhatOthersCouldChange() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let open = "\(directory.path)/open"
        mkdir(open, 0o755)
        chmod(open, 0o777)
        defer { unlink("\(open)/tool"); rmdir(open) }
        let tool = "\(open)/tool"
        TemporaryDirectory.writeFile(tool, "#!/bin/sh\n", mode: 0o755)
        #expect(throws: TrustedPath.Failure.self) { try trust.open(tool) }
        do {
            _ = try trust.open(tool)
        } catch {
            #expect(error.description.contains("\(open), a directory on the way to \(tool): the directory is writable by others (mode 777)"))
            #expect(error.description.contains("chmod go-w \(open)"))
        }
        // A symlink into it is refused the same way, wherever the symlink is.
        symlink(tool, "\(directory.path)/link")
        #expect(throws: TrustedPath.Failure.self) { try trust.open("\(directory.path)/link") }

        // Root's sticky directories (/tmp) are fine: others cannot replace what is not theirs.
        chmod(open, 0o1777)
        #expect(throws: Never.self) { try trust.open(tool) }

        guard geteuid() == 0 else { return }
        chmod(open, 0o755)
        chown(tool, 65534, 65534)
        #expect(throws: TrustedPath.Failure.untrusted("\(tool): the file is owned by uid 65534, but only root or adhocd's own user (uid 0) may own command definitions; fix: chown root \(tool)")) {
            try trust.open(tool)
        }
        chown(tool, 0, 0)
        lchown("\(directory.path)/link", 65534, 65534)
        #expect(throws: TrustedPath.Failure.self) { try trust.open("\(directory.path)/link") }
    }

    @Test func saysWhatIsMissing() {
        #expect(throws: TrustedPath.Failure.unreachable(path: "/nonexistent", reason: "No such file or directory")) {
            try trust.open("/nonexistent/program")
        }
        #expect(throws: TrustedPath.Failure.unreachable(path: "/etc/hostname", reason: "Not a directory")) {
            try trust.open("/etc/hostname/x/y")
        }
    }

    @Test func symlinksInCommandsDAreFollowedOnlyWhenSafe() {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let elsewhere = TemporaryDirectory()
        defer { elsewhere.remove() }
        elsewhere.write("safe.toml", "exec = [\"/bin/echo\", \"safe\"]\n")
        symlink("\(elsewhere.path)/safe.toml", "\(directory.path)/safe.toml")
        let report = load(directory)
        #expect(report.definitions.map(\.node) == ["safe"])

        chmod(elsewhere.path, 0o777)
        defer { chmod(elsewhere.path, 0o755) }
        let unsafe = load(directory)
        #expect(unsafe.definitions.isEmpty)
        #expect(unsafe.problems.first?.problem.hasPrefix("is a symlink that is not safe to follow: \(elsewhere.path), a directory on the way to \(directory.path)/safe.toml: the directory is writable by others") == true)

        symlink("\(elsewhere.path)/missing.toml", "\(directory.path)/dangling.toml")
        chmod(elsewhere.path, 0o755)
        #expect(load(directory).problems.map(\.problem) == ["is a symlink that cannot be followed: \(elsewhere.path)/missing.toml: No such file or directory"])
    }

    @Test func theProgramAnExecNamesIsCheckedToo() {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let tools = TemporaryDirectory()
        defer { tools.remove() }
        tools.write("tool", "#!/bin/sh\necho tool\n", mode: 0o755)
        directory.write("tool.toml", "exec = [\"\(tools.path)/tool\"]\n")
        directory.write("later.toml", "exec = [\"\(tools.path)/not-yet\"]\n")
        #expect(load(directory).definitions.map(\.node) == ["later", "tool"])

        chmod(tools.path, 0o777)
        defer { chmod(tools.path, 0o755) }
        let report = load(directory)
        #expect(report.definitions.isEmpty)
        #expect(report.problems.map(\.problem) == ["not-yet", "tool"].map {
            "runs \(tools.path)/\($0), which is not safe: \(tools.path), a directory on the way to \(tools.path)/\($0): the directory is writable by others (mode 777), so they could change what adhocd runs; fix: chmod go-w \(tools.path)"
        })
    }

    @Test func commandsDUnderADirectoryOthersCanWriteLoadsNothing() {
        let parent = TemporaryDirectory()
        defer { parent.remove() }
        let inner = "\(parent.path)/commands.d"
        mkdir(inner, 0o755)
        TemporaryDirectory.writeFile("\(inner)/a.toml", "exec = [\"/bin/true\"]\n", mode: 0o644)
        defer { unlink("\(inner)/a.toml"); rmdir(inner) }
        chmod(parent.path, 0o777)
        defer { chmod(parent.path, 0o755) }
        let report = CommandDirectory(path: inner, reader: Fixture.reader).load()
        #expect(report.definitions.isEmpty)
        #expect(report.problems.first?.problem.hasSuffix("; no command in it was loaded") == true)
    }
}
