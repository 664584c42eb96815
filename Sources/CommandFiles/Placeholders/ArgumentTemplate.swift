import XMPPCore

/// The `exec` argv with its `{var}` placeholders.
///
/// A placeholder is always a whole argument: a value becomes exactly one argv element (a
/// multi-valued parameter one element per value), byte for byte, and is never parsed, split or
/// seen by a shell. `--unit={unit}` is refused when loading, so no value is ever glued into
/// other text where its meaning could change.
public struct ArgumentTemplate: Sendable, Equatable {
    public enum Element: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    public var elements: [Element]

    public init(elements: [Element]) {
        self.elements = elements
    }

    /// Why an `exec` list cannot be used; `index` counts from 1, as people do.
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case empty
        case relativeProgram(String)
        case placeholderProgram(String)
        case unknownParameter(index: Int, name: String)
        case embeddedPlaceholder(index: Int, text: String, name: String)

        public var description: String {
            switch self {
            case .empty:
                "is empty: give the program and its arguments, e.g. exec = [\"/usr/bin/uptime\"]"
            case .relativeProgram(let program):
                "the program \"\(program)\" must be an absolute path such as /usr/bin/\(program) (there is no PATH lookup; `command -v \(program)` finds it)"
            case .placeholderProgram(let text):
                "the program itself cannot be a placeholder (\"\(text)\"): name a fixed program and pass the value as an argument"
            case .unknownParameter(let index, let name):
                "item \(index), \"{\(name)}\", names no parameter: declare [[param]] var = \"\(name)\" or correct the name"
            case .embeddedPlaceholder(let index, let text, let name):
                "item \(index), \"\(text)\", puts {\(name)} inside other text; a placeholder must be a whole argument: write \"\(text.replacing("{\(name)}", with: ""))\", \"{\(name)}\" as two items"
            }
        }
    }

    /// Reads `exec`. `parameters` are the declared variable names.
    public init(parsing argv: [String], parameters: Set<String>) throws(ParseError) {
        guard let program = argv.first else { throw .empty }
        if Self.placeholderName(program) != nil { throw .placeholderProgram(program) }
        guard program.hasPrefix("/") else { throw .relativeProgram(program) }
        var elements: [Element] = []
        for (offset, text) in argv.enumerated() {
            if offset > 0, let name = Self.placeholderName(text) {
                guard parameters.contains(name) else { throw .unknownParameter(index: offset + 1, name: name) }
                elements.append(.parameter(name))
                continue
            }
            if let name = parameters.sorted().first(where: { text.contains("{\($0)}") }) {
                throw .embeddedPlaceholder(index: offset + 1, text: text, name: name)
            }
            elements.append(.literal(text))
        }
        self.elements = elements
    }

    /// `name` when `text` is exactly `{name}` with a parameter-like name; literal braces such
    /// as `{}` or `{print $1}` are not placeholders.
    static func placeholderName(_ text: String) -> String? {
        guard text.hasPrefix("{"), text.hasSuffix("}"), text.count > 2 else { return nil }
        let name = String(text.dropFirst().dropLast())
        return ParameterName.isValid(name) ? name : nil
    }

    public var program: String {
        if case .literal(let path)? = elements.first { return path }
        return ""
    }

    /// The argv for these values: each single-valued parameter is exactly one element (an
    /// empty one when left blank, so positions never shift); a multi-valued one is one element
    /// per value.
    public func expand(_ values: SubmittedValues, parameters: [ParameterDefinition]) throws(UnpassableValue) -> [String] {
        var argv: [String] = []
        for element in elements {
            switch element {
            case .literal(let text):
                argv.append(text)
            case .parameter(let name):
                let given = values[name]
                let isMulti = parameters.first { $0.variable == name }?.isMultiValued ?? false
                let items = isMulti ? given : [given.first ?? ""]
                for item in items {
                    try UnpassableValue.check(item, variable: name)
                    argv.append(item)
                }
            }
        }
        return argv
    }
}

/// A value the operating system cannot pass: argv and environment strings end at a NUL byte,
/// so a value holding one would reach the program cut short. Refused instead.
public struct UnpassableValue: Error, Equatable, CustomStringConvertible {
    public var variable: String

    static func check(_ value: String, variable: String) throws(UnpassableValue) {
        if value.utf8.contains(0) { throw UnpassableValue(variable: variable) }
    }

    public var description: String {
        "the value of \(variable) contains a NUL character, which no program argument can carry"
    }
}

/// Parameter names: a letter, then letters, digits, `_` or `-`.
enum ParameterName {
    static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, isASCIILetter(first) else { return false }
        return name.unicodeScalars.allSatisfy { isASCIILetter($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }
}
