import Testing
@testable import Fleet

@Suite struct RoomAddressingTests {
    @Test(arguments: [
        ("web1: status", RoomAddressing.me("status")),
        ("WEB1: status", .me("status")),
        ("Web1, status", .me("status")),
        ("  web1 :  disk usage  ", .me("disk usage")),
        ("web1:", .me("help")),
        ("all: status", .everyone("status")),
        ("ALL, uptime", .everyone("uptime")),
        ("*: status", .everyone("status")),
        ("web2: status", .other),
        ("web10: status", .other),
        ("web1 status", .other),
        ("status", .other),
        ("allow: this", .other),
        ("", .other),
        ("web1", .other),
    ])
    func addressing(line: String, expected: RoomAddressing) {
        #expect(RoomAddressing.parse(line, nick: "web1") == expected)
    }

    @Test func aNickWithPunctuationStillWorks() {
        #expect(RoomAddressing.parse("db:1: status", nick: "db:1") == .me("status"))
        #expect(RoomAddressing.parse("web1-2: status", nick: "web1-2") == .me("status"))
        #expect(RoomAddressing.parse("web1: status", nick: "web1-2") == .other)
    }

    /// Nicks may hold ':' and ',': `db` does not take a line for `db:1` (or `DB,2`) in the room.
    @Test func aLineForALongerNickIsNotForAPrefixOfIt() {
        let occupants = ["db", "db:1", "DB,2", "alice"]
        #expect(RoomAddressing.parse("db:1: status", nick: "db", occupants: occupants) == .other)
        #expect(RoomAddressing.parse("db,2: status", nick: "db", occupants: occupants) == .other)
        #expect(RoomAddressing.parse("db: status", nick: "db", occupants: occupants) == .me("status"))
        #expect(RoomAddressing.parse("db:1: status", nick: "db:1", occupants: occupants) == .me("status"))
        // Nobody named so in the room: the line is db's, as typed.
        #expect(RoomAddressing.parse("db:3: status", nick: "db", occupants: occupants) == .me("3: status"))
    }

    @Test func aBotNamedAllIsStillAddressedAlone() {
        // Its own nick is checked first; `all:` lines still reach it as everyone's.
        #expect(RoomAddressing.parse("all: status", nick: "all") == .me("status"))
    }
}
