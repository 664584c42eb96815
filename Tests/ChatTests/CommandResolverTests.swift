import Testing
@testable import Chat

@Suite struct CommandResolverTests {
    let commands: [CommandResolver.Entry] = [
        .init(node: "status", name: "Host status"),
        .init(node: "disk-usage", name: "Disk usage"),
        .init(node: "disk-check", name: "Disk check"),
        .init(node: "mpris/remote", name: "Media remote"),
        .init(node: "restart-service", name: "Restart a service"),
    ]

    func resolve(_ text: String, numbering: [String]? = nil) -> CommandResolver.Resolution {
        CommandResolver.resolve(TypedLine(text)!, among: commands, numbering: numbering)
    }

    @Test func fromTheMostToTheLeastExact() {
        #expect(resolve("status now") == .command(node: "status", rest: "now"))
        #expect(resolve("Host Status") == .command(node: "status", rest: ""))
        #expect(resolve("STATUS x") == .command(node: "status", rest: "x"))
        #expect(resolve("ho") == .command(node: "status", rest: ""))
        #expect(resolve("res unit=nginx") == .command(node: "restart-service", rest: "unit=nginx"))
        #expect(resolve("remote") == .command(node: "mpris/remote", rest: ""))
        #expect(resolve("service") == .command(node: "restart-service", rest: ""))
        #expect(resolve("mpris") == .command(node: "mpris/remote", rest: ""))
    }

    @Test func ambiguityIsNarrowedByTheWholeLine() {
        let disks = [CommandResolver.Entry(node: "disk-usage", name: "Disk usage"), .init(node: "disk-check", name: "Disk check")]
        #expect(resolve("disk") == .ambiguous(disks))
        #expect(resolve("disk us") == .command(node: "disk-usage", rest: ""))
        #expect(resolve("Disk check") == .command(node: "disk-check", rest: ""))
    }

    @Test func numbersPickFromTheLastList() {
        #expect(resolve("2 x", numbering: ["status", "disk-check"]) == .command(node: "disk-check", rest: "x"))
        #expect(resolve("3", numbering: ["status", "disk-check"]) == .noSuchNumber(3))
        #expect(resolve("0", numbering: ["status"]) == .noSuchNumber(0))
        #expect(resolve("1") == .noSuchNumber(1))
        #expect(resolve("99999999999999999999", numbering: ["status"]) == .noSuchNumber(nil))
    }

    @Test func shortOrUnknownWordsRunNothing() {
        #expect(resolve("s") == .unknown)
        #expect(resolve("a") == .unknown)
        #expect(resolve("re") == .command(node: "restart-service", rest: ""))
        #expect(resolve("se") == .unknown)
        #expect(resolve("hello") == .unknown)
        #expect(resolve("yes") == .unknown)
    }
}
