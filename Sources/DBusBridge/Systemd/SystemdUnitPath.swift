/// The object path systemd gives a unit (`sd_bus_path_encode`): every byte outside
/// `[A-Za-z0-9]`, and a leading digit, becomes `_XX` in lower-case hex. Known without asking,
/// so a unit that systemd has not loaded yet can be watched too.
enum SystemdUnitPath {
    static let prefix = "/org/freedesktop/systemd1/unit"

    static func path(for unit: String) -> String {
        guard !unit.isEmpty else { return prefix + "/_" }
        var label = ""
        for (offset, byte) in unit.utf8.enumerated() {
            let isLetter = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            let isDigit = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            if isLetter || (isDigit && offset > 0) {
                label.append(Character(Unicode.Scalar(byte)))
            } else {
                let hex = String(byte, radix: 16)
                label += "_" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return prefix + "/" + label
    }
}
