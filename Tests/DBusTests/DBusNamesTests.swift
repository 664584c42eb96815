import Testing
@testable import DBus

@Suite struct DBusNamesTests {
    @Test(arguments: ["org.mpris.MediaPlayer2.mpv", ":1.42", "org.freedesktop.DBus", "a-b.c_d", "org.x.instance1234"])
    func acceptsBusNames(_ name: String) throws {
        try DBusNames.validateBusName(name)
    }

    @Test(arguments: ["", "org", "org..x", ".org.x", "org.x.", "org.1x", "org.x y", "org.x/y", String(repeating: "a.", count: 128) + "b"])
    func rejectsBusNames(_ name: String) {
        #expect(throws: DBusNameError.self) { try DBusNames.validateBusName(name) }
    }

    @Test func validatesPathsAndMembers() throws {
        try DBusNames.validateObjectPath("/")
        try DBusNames.validateObjectPath("/org/mpris/MediaPlayer2")
        for bad in ["", "org", "//", "/a//b", "/a/", "/a-b", "/a.b"] {
            #expect(throws: DBusNameError.self, "\(bad)") { try DBusNames.validateObjectPath(bad) }
        }
        try DBusNames.validateMemberName("PlayPause")
        for bad in ["", "1Play", "Play.Pause", "Play-Pause"] {
            #expect(throws: DBusNameError.self, "\(bad)") { try DBusNames.validateMemberName(bad) }
        }
        try DBusNames.validateInterfaceName("org.mpris.MediaPlayer2.Player")
        #expect(throws: DBusNameError.self) { try DBusNames.validateInterfaceName("org.mpris-x.Player") }
        #expect(DBusNames.childPath("/", "org") == "/org")
        #expect(DBusNames.childPath("/org", "mpris") == "/org/mpris")
    }
}
