/// Validation of the names and paths D-Bus messages carry.
///
/// libdbus aborts the whole process when handed an invalid name or path, so every name from
/// config, introspection or a user goes through these checks first.
public enum DBusNames {
    public static let maximumNameLength = 255

    /// A bus name: a unique name (`:1.42`) or a well-known name (`org.mpris.MediaPlayer2.mpv`).
    public static func validateBusName(_ name: String) throws(DBusNameError) {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty else { throw .init(kind: "bus name", name: name, problem: "is empty") }
        guard bytes.count <= maximumNameLength else { throw .init(kind: "bus name", name: name, problem: "is longer than \(maximumNameLength) bytes") }
        let isUnique = bytes[0] == UInt8(ascii: ":")
        let elements = (isUnique ? bytes.dropFirst() : bytes[...]).split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard elements.count >= 2 else { throw .init(kind: "bus name", name: name, problem: "needs at least two elements separated by '.'") }
        for element in elements {
            guard !element.isEmpty else { throw .init(kind: "bus name", name: name, problem: "has an empty element") }
            for byte in element where !(isNameByte(byte) || byte == UInt8(ascii: "-")) {
                throw .init(kind: "bus name", name: name, problem: "may only contain A–Z a–z 0–9 _ - and '.'")
            }
            if !isUnique, isDigit(element[element.startIndex]) {
                throw .init(kind: "bus name", name: name, problem: "has an element starting with a digit")
            }
        }
    }

    /// An interface name (`org.mpris.MediaPlayer2.Player`); error names follow the same rules.
    public static func validateInterfaceName(_ name: String, kind: String = "interface name") throws(DBusNameError) {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty else { throw .init(kind: kind, name: name, problem: "is empty") }
        guard bytes.count <= maximumNameLength else { throw .init(kind: kind, name: name, problem: "is longer than \(maximumNameLength) bytes") }
        let elements = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard elements.count >= 2 else { throw .init(kind: kind, name: name, problem: "needs at least two elements separated by '.'") }
        for element in elements {
            try validateElement(element, kind: kind, name: name)
        }
    }

    public static func validateErrorName(_ name: String) throws(DBusNameError) {
        try validateInterfaceName(name, kind: "error name")
    }

    /// A method, signal or property name (`PlayPause`).
    public static func validateMemberName(_ name: String) throws(DBusNameError) {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty else { throw .init(kind: "member name", name: name, problem: "is empty") }
        guard bytes.count <= maximumNameLength else { throw .init(kind: "member name", name: name, problem: "is longer than \(maximumNameLength) bytes") }
        try validateElement(bytes[...], kind: "member name", name: name)
    }

    /// An object path: `/`, or `/`-separated elements of `[A-Za-z0-9_]`, no trailing slash.
    public static func validateObjectPath(_ path: String) throws(DBusNameError) {
        let bytes = Array(path.utf8)
        guard bytes.first == UInt8(ascii: "/") else { throw .init(kind: "object path", name: path, problem: "must start with '/'") }
        if bytes.count == 1 { return }
        guard bytes.last != UInt8(ascii: "/") else { throw .init(kind: "object path", name: path, problem: "must not end with '/'") }
        for element in bytes.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            guard !element.isEmpty else { throw .init(kind: "object path", name: path, problem: "has an empty element ('//')") }
            for byte in element where !isNameByte(byte) {
                throw .init(kind: "object path", name: path, problem: "may only contain A–Z a–z 0–9 _ between slashes")
            }
        }
    }

    public static func isValidObjectPath(_ path: String) -> Bool {
        (try? validateObjectPath(path)) != nil
    }

    /// Joins a parent path and a child node name from introspection.
    public static func childPath(_ parent: String, _ child: String) -> String {
        parent == "/" ? "/" + child : parent + "/" + child
    }

    private static func validateElement(_ element: ArraySlice<UInt8>, kind: String, name: String) throws(DBusNameError) {
        guard let first = element.first else { throw .init(kind: kind, name: name, problem: "has an empty element") }
        guard !isDigit(first) else { throw .init(kind: kind, name: name, problem: "has an element starting with a digit") }
        for byte in element where !isNameByte(byte) {
            throw .init(kind: kind, name: name, problem: "may only contain A–Z a–z 0–9 and _")
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"): true
        default: false
        }
    }
}

/// A name or path that D-Bus would refuse, with what is wrong.
public struct DBusNameError: Error, Sendable, Equatable, CustomStringConvertible {
    public let kind: String
    public let name: String
    public let problem: String

    public var description: String { "invalid D-Bus \(kind) \"\(name)\": \(problem)" }
}
