import XMPPCore

/// Text with `{var}` placeholders for people to read, such as the `confirm` question. Unlike
/// `exec`, placeholders may sit anywhere in the text; secret values are never shown.
public struct MessageTemplate: Sendable, Equatable {
    public var text: String

    /// Checks that every placeholder names a parameter; returns the first that does not.
    public init(parsing text: String, parameters: Set<String>) throws(UnknownPlaceholder) {
        for name in Self.placeholders(in: text) where !parameters.contains(name) {
            throw UnknownPlaceholder(name: name)
        }
        self.text = text
    }

    public struct UnknownPlaceholder: Error, Equatable, CustomStringConvertible {
        public var name: String
        public var description: String {
            "{\(name)} names no parameter: declare [[param]] var = \"\(name)\" or correct the name"
        }
    }

    /// The text with each placeholder replaced: several values joined by ", ", secret ones
    /// as "(hidden)". One pass over the template: a value that itself contains `{other}` is
    /// shown as typed, never expanded in turn.
    public func render(_ values: SubmittedValues, parameters: [ParameterDefinition]) -> String {
        let byName = Dictionary(parameters.map { ($0.variable, $0) }, uniquingKeysWith: { first, _ in first })
        var result = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            let inside = rest[rest.index(after: open)...]
            guard let close = inside.firstIndex(of: "}"), let parameter = byName[String(inside[..<close])] else {
                result.append("{")
                rest = inside
                continue
            }
            result += parameter.isSecret ? "(hidden)" : values[parameter.variable].joined(separator: ", ")
            rest = inside[inside.index(after: close)...]
        }
        return result + rest
    }

    /// The names of `{name}` placeholders in `text`.
    static func placeholders(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            rest = rest[rest.index(after: open)...]
            guard let close = rest.firstIndex(of: "}") else { break }
            let name = String(rest[..<close])
            if ParameterName.isValid(name) { names.append(name) }
            rest = rest[rest.index(after: close)...]
        }
        return names
    }
}
