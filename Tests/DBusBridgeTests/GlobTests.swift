import Testing
@testable import DBusBridge

@Suite struct GlobTests {
    @Test func matchesShellStylePatterns() {
        #expect(Glob("org.mpris.MediaPlayer2.*").matches("org.mpris.MediaPlayer2.mpv"))
        #expect(Glob("org.mpris.MediaPlayer2.*").matches("org.mpris.MediaPlayer2.mpv.instance42"))
        #expect(!Glob("org.mpris.MediaPlayer2.*").matches("org.mpris.MediaPlayer2"))
        #expect(Glob("Play*").matches("PlayPause") && Glob("Play*").matches("Play"))
        #expect(!Glob("Play*").matches("Pause"))
        #expect(Glob("?et*").matches("SetPosition") && !Glob("?et*").matches("Seek"))
        #expect(Glob("*").matches("") && Glob("a*b*c").matches("aXXbYYc") && !Glob("a*b*c").matches("aXXbYY"))
        #expect(Glob("Volume").matches("Volume") && !Glob("Volume").matches("Volumes"))
    }
}
