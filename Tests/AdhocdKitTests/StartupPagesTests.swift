import Testing
@testable import AdhocdKit
#if canImport(Glibc)
import Glibc
#endif

@Suite struct StartupPagesTests {
    /// The test binary's own read-only pages are mapped by this process alone, like adhocd's:
    /// once advised, they leave the resident set, and the process runs on unharmed.
    @Test func givesBackReadOnlyFilePages() {
        let before = residentFileKilobytes()
        let advised = StartupPages.release()
        let after = residentFileKilobytes()
        #expect(advised > 0)
        #expect(before > 0 && after < before, "RssFile \(before) kB before, \(after) kB after")
        // Code paged out is read back when it runs again.
        #expect(String(repeating: "a", count: 3) == "aaa")
    }

    /// RssFile from /proc/self/status.
    private func residentFileKilobytes() -> Int {
        guard let file = fopen("/proc/self/status", "r") else { return 0 }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard text.hasPrefix("RssFile:") else { continue }
            return Int(text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).dropFirst().first ?? "") ?? 0
        }
        return 0
    }
}
