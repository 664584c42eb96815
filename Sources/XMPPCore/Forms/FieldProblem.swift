/// One reason a submitted field was not accepted.
public struct FieldProblem: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case missingRequired
        case tooManyValues(Int)
        case notAnOption(String)
        case wrongDatatype(String, Datatype)
        case outOfRange(String, min: String?, max: String?)
        /// NaN or an infinity where a range asks for a number between bounds.
        case notFinite(String)
        case noPatternMatch(String, pattern: String)
        case invalidJID(String, reason: String)
        /// The form has no such field to fill in.
        case unknownField
        /// The submission names the field this many times.
        case givenMoreThanOnce(Int)
    }

    public var variable: String
    /// The field's label, for messages a person reads.
    public var label: String?
    public var kind: Kind

    public init(variable: String, label: String? = nil, kind: Kind) {
        self.variable = variable
        self.label = label
        self.kind = kind
    }

    /// The field, as a person reads it: its label, and its variable where they differ.
    public var fieldName: String {
        let variable = variable.abbreviated()
        guard let label, !label.isEmpty else { return variable }
        let shortLabel = label.abbreviated()
        return shortLabel == variable ? shortLabel : "\(shortLabel) (\(variable))"
    }

    /// Why, without the field's name: what a form or a chat shows next to the field.
    public var reason: String {
        switch kind {
        case .missingRequired: return "is required"
        case .tooManyValues(let count): return "takes one value, not \(count)"
        case .notAnOption(let value): return "\(Self.quoted(value)) is not one of the choices"
        case .wrongDatatype(let value, let datatype): return "\(Self.quoted(value)) is not a valid \(datatype.humanName)"
        case .outOfRange(let value, let min, let max):
            let bounds = [min.map { "at least \($0.abbreviated())" }, max.map { "at most \($0.abbreviated())" }]
                .compactMap { $0 }.joined(separator: " and ")
            return "\(value.abbreviated()) must be \(bounds)"
        case .notFinite(let value): return "\(Self.quoted(value)) is not a finite number"
        case .noPatternMatch(let value, let pattern): return "\(Self.quoted(value)) does not match \(pattern.abbreviated())"
        case .invalidJID(let value, let reason): return "\(Self.quoted(value)) is not a valid address: \(reason)"
        case .unknownField: return "is not a field of this form"
        case .givenMoreThanOnce(let count): return "is given \(count) times; send it once"
        }
    }

    public var description: String {
        switch kind {
        case .missingRequired, .tooManyValues, .unknownField, .givenMoreThanOnce: "\(fieldName) \(reason)"
        default: "\(fieldName): \(reason)"
        }
    }

    /// Values are the requester's own input and may be huge: an answer names them, cut short.
    static func quoted(_ value: String) -> String { "'\(value.abbreviated())'" }
}

extension Datatype {
    /// How a person would call the datatype in an error message.
    var humanName: String {
        switch self {
        case .boolean: "yes/no value"
        case .integer, .long, .int, .short, .byte: "whole number"
        case .unsignedLong, .unsignedInt, .unsignedShort, .unsignedByte: "non-negative whole number"
        case .double, .float: "number"
        case .decimal: "decimal number (digits and a point, no exponent)"
        default: rawValue
        }
    }
}
