import Testing
@testable import CommandFiles
#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct CommandDirectoryTests {
    func load(_ directory: TemporaryDirectory, reserved: Set<String> = []) -> LoadReport {
        CommandDirectory(path: directory.path, reader: Fixture.reader, daemonUID: geteuid(), reservedNodes: reserved).load()
    }

    @Test func loadsBothFormsAndSkipsOnlyTheBrokenFile() {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        directory.write("uptime.toml", "exec = [\"/usr/bin/uptime\"]\n")
        directory.write("hello.sh", "#!/bin/sh\n# adhocd:begin\n# name = \"Hello\"\n# adhocd:end\necho hello\n", mode: 0o755)
        directory.write("plain", "#!/bin/sh\necho plain\n", mode: 0o755)
        directory.write("broken.toml", "name = \"Broken\"\nexec = [\"/bin/echo\"]\ntimeout = \"forever\"\n")
        directory.write("README.md", "docs")
        directory.write("uptime.toml~", "backup")
        directory.write("notes", "just text")
        directory.write("forgot-chmod.sh", "#!/bin/sh\n# adhocd:begin\n# adhocd:end\n")

        let report = load(directory)
        #expect(report.definitions.map(\.node) == ["hello", "plain", "uptime"])
        #expect(report.definitions.map(\.form) == [.script, .script, .toml])
        #expect(report.problems.map(\.description) == [
            "\(directory.path)/broken.toml:3: timeout: \"forever\" is not a duration; write e.g. \"30s\", \"2m\", \"1h30m\" or a number of seconds",
            "\(directory.path)/forgot-chmod.sh: has an adhocd block but is not executable; fix: chmod 755 \(directory.path)/forgot-chmod.sh",
        ])
        #expect(report.ignored == ["\(directory.path)/notes"])
    }

    @Test func refusesFilesAndDirectoriesOthersCouldWrite() {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        directory.write("ok.toml", "exec = [\"/bin/true\"]\n")
        directory.write("shared.toml", "exec = [\"/bin/true\"]\n", mode: 0o664)
        directory.write("open.sh", "#!/bin/sh\n", mode: 0o757)
        let report = load(directory)
        #expect(report.definitions.map(\.node) == ["ok"])
        #expect(report.problems.map(\.description) == [
            "\(directory.path)/open.sh: the file is writable by others (mode 757), so they could change what adhocd runs; fix: chmod go-w \(directory.path)/open.sh",
            "\(directory.path)/shared.toml: the file is writable by its group (mode 664), so they could change what adhocd runs; fix: chmod go-w \(directory.path)/shared.toml",
        ])

        let foreign = CommandDirectory(path: directory.path, reader: Fixture.reader, daemonUID: 4242).load()
        if geteuid() != 0 {
            #expect(foreign.definitions.isEmpty)
            #expect(foreign.problems.first?.problem.contains("chown root") == true)
        }

        chmod(directory.path, 0o777)
        let unsafe = load(directory)
        #expect(unsafe.definitions.isEmpty)
        #expect(unsafe.problems.count == 1)
        #expect(unsafe.problems.first?.problem.contains("chmod go-w \(directory.path); no command in it was loaded") == true)
        chmod(directory.path, 0o755)
    }

    @Test func refusesDuplicateAndReservedNames() {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        directory.write("disk.toml", "exec = [\"/bin/df\"]\n")
        directory.write("disk.sh", "#!/bin/sh\n", mode: 0o755)
        directory.write("status.toml", "exec = [\"/bin/true\"]\n")
        directory.write("bad name.toml", "exec = [\"/bin/true\"]\n")
        let report = load(directory, reserved: ["status"])
        #expect(report.definitions.map(\.file) == ["\(directory.path)/disk.sh"])
        let problems = report.problems.map(\.problem)
        #expect(problems.contains { $0.contains("cannot name a command") })
        #expect(problems.contains { $0.contains("as \(directory.path)/disk.sh does already") })
        #expect(problems.contains { $0.contains("taken by a built-in command") })
    }

    @Test func aMissingDirectoryIsNoError() {
        let report = CommandDirectory(path: "/nonexistent/commands.d", reader: Fixture.reader).load()
        #expect(!report.directoryExists)
        #expect(report.problems.isEmpty && report.definitions.isEmpty)
    }

    @Test func warnsAboutAProgramThatIsNotThere() {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        directory.write("later.toml", "exec = [\"/opt/not-installed-yet\"]\n")
        let report = load(directory)
        #expect(report.definitions.count == 1)
        #expect(report.warnings.first?.contains("/opt/not-installed-yet is not an executable program") == true)
    }

    @Test func reportsWhatAReloadChanged() throws {
        let a = try Fixture.definition("exec = [\"/bin/a\"]", node: "a")
        let b = try Fixture.definition("exec = [\"/bin/b\"]", node: "b")
        var newB = b
        newB.timeout = .seconds(5)
        let c = try Fixture.definition("exec = [\"/bin/c\"]", node: "c")
        let changes = CommandChanges(from: [a, b], to: [newB, c])
        #expect(changes.added == ["c"] && changes.changed == ["b"] && changes.removed == ["a"])
        #expect(changes.summary == "added c; changed b; removed a")
        #expect(CommandChanges(from: [a], to: [a]).isEmpty)
    }

    /// The documented examples in the repository's commands.d, copied with safe modes.
    @Test func loadsEveryShippedExample() throws {
        let source = Fixture.repositoryCommandsDirectory
        let copy = TemporaryDirectory()
        defer { copy.remove() }
        guard let listing = opendir(source) else {
            Issue.record("cannot list \(source)")
            return
        }
        while let entry = readdir(listing) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name != ".", name != ".." else { continue }
            var status = stat()
            stat("\(source)/\(name)", &status)
            copy.write(name, TemporaryDirectory.readFile("\(source)/\(name)"), mode: status.st_mode & S_IXUSR != 0 ? 0o755 : 0o644)
        }
        closedir(listing)

        let report = load(copy)
        #expect(report.problems.isEmpty, "\(report.problems)")
        let byNode = Dictionary(uniqueKeysWithValues: report.definitions.map { ($0.node, $0) })
        #expect(byNode.keys.sorted() == ["disk-usage", "journal", "reboot", "restart-service", "uptime"])
        #expect(byNode["uptime"]?.output == .text)
        #expect(byNode["disk-usage"]?.output == .table && byNode["disk-usage"]?.form == .script)
        #expect(byNode["restart-service"]?.confirm != nil && byNode["restart-service"]?.parameters.first?.type == .listSingle)
        #expect(byNode["reboot"]?.confirm != nil && byNode["reboot"]?.policy.description == "allow group:admins")
        #expect(byNode["journal"]?.form == .script && byNode["journal"]?.parameters.map(\.variable) == ["unit", "lines"])
        #expect(byNode["journal"]?.exec.elements == [.literal("\(copy.path)/journal.sh"), .parameter("unit"), .parameter("lines")])
    }
}
