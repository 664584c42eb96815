/// One reason a submitted field was not accepted.
public struct FieldProblem: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case missingRequired
        case tooManyValues(Int)
        case notAnOption(String)
        case wrongDatatype(String, Datatype)
        case outOfRange(String, min: String?, max: String?)
        case noPatternMatch(String, pattern: String)
        case invalidJID(String, reason: String)
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

    public var description: String {
        let name = label.map { "\($0) (\(variable))" } ?? variable
        switch kind {
        case .missingRequired: return "\(name) is required"
        case .tooManyValues(let count): return "\(name) takes one value, not \(count)"
        case .notAnOption(let value): return "\(name): '\(value)' is not one of the choices"
        case .wrongDatatype(let value, let datatype): return "\(name): '\(value)' is not a valid \(datatype.humanName)"
        case .outOfRange(let value, let min, let max):
            let bounds = [min.map { "at least \($0)" }, max.map { "at most \($0)" }].compactMap { $0 }.joined(separator: " and ")
            return "\(name): \(value) must be \(bounds)"
        case .noPatternMatch(let value, let pattern): return "\(name): '\(value)' does not match \(pattern)"
        case .invalidJID(let value, let reason): return "\(name): '\(value)' is not a valid address: \(reason)"
        }
    }
}

/// Every problem with a submission, to report in one answer.
public struct FormValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [FieldProblem]

    public var description: String { problems.map(\.description).joined(separator: "; ") }
}

/// A submission checked against the form we sent: values by variable, normalised
/// (booleans as "true"/"false", surrounding whitespace trimmed from single values).
public struct SubmittedValues: Sendable, Equatable {
    public var values: [String: [String]]

    public init(_ values: [String: [String]] = [:]) {
        self.values = values
    }

    public subscript(variable: String) -> [String] { values[variable] ?? [] }

    public func string(_ variable: String) -> String? { values[variable]?.first }

    public func bool(_ variable: String) -> Bool? {
        string(variable).map { $0 == "true" }
    }

    public func integer(_ variable: String) -> Int64? { string(variable).flatMap { Int64($0) } }

    public func double(_ variable: String) -> Double? { string(variable).flatMap { Double($0) } }

    public func jid(_ variable: String) -> JID? { string(variable).flatMap { try? JID($0) } }
}

extension DataForm {
    /// Checks a client's submission against this form (the one we sent).
    ///
    /// Lenient with what clients do: fields we did not ask for are ignored, hidden and fixed
    /// fields keep our values whatever comes back, a field left out keeps the value we
    /// offered, booleans may be 0/1/true/false. Strict with values: every problem in every
    /// field is reported at once.
    public func validate(_ submission: DataForm) throws(FormValidationError) -> SubmittedValues {
        var result = SubmittedValues()
        var problems: [FieldProblem] = []
        for field in fields {
            guard let variable = field.variable else { continue }
            let type = field.effectiveType
            if type == .fixed { continue }
            if type == .hidden {
                result.values[variable] = field.values
                continue
            }
            let submitted = submission.field(variable)?.values ?? field.values
            var values = type == .textMulti ? submitted : submitted.map { $0.trimmingWhitespace() }
            // A single empty value is how clients say "nothing" for a text field.
            if values.count == 1, values[0].isEmpty, type != .textMulti { values = [] }
            let fieldProblems = check(values, against: field, type: type)
            if fieldProblems.isEmpty {
                result.values[variable] = type == .boolean ? values.map { Datatype.boolean.parse($0) == .boolean(true) ? "true" : "false" } : values
            }
            problems += fieldProblems.map { FieldProblem(variable: variable, label: field.label, kind: $0) }
        }
        guard problems.isEmpty else { throw FormValidationError(problems: problems) }
        return result
    }

    private func check(_ values: [String], against field: FormField, type: FormField.FieldType) -> [FieldProblem.Kind] {
        let meaningful = type == .textMulti ? values.filter { !$0.isEmpty } : values
        if meaningful.isEmpty {
            return field.isRequired ? [.missingRequired] : []
        }
        if type.isSingleValued, values.count > 1 { return [.tooManyValues(values.count)] }
        var problems: [FieldProblem.Kind] = []
        let isOpen = field.validation?.method == .open
        for value in values {
            switch type {
            case .boolean:
                if Datatype.boolean.parse(value) == nil { problems.append(.wrongDatatype(value, .boolean)) }
                continue
            case .jidSingle, .jidMulti:
                do {
                    _ = try JID(value)
                } catch {
                    problems.append(.invalidJID(value, reason: error.description))
                }
                continue
            case .listSingle, .listMulti:
                if !isOpen, !field.options.contains(where: { $0.value == value }) {
                    problems.append(.notAnOption(value))
                    continue
                }
            default:
                break
            }
            if let validation = field.validation, let problem = Self.check(value, validation) { problems.append(problem) }
        }
        return problems
    }

    static func check(_ value: String, _ validation: FieldValidation) -> FieldProblem.Kind? {
        let datatype = validation.datatype
        guard let parsed = datatype.parse(value) else { return .wrongDatatype(value, datatype) }
        switch validation.method {
        case .basic, .open:
            return nil
        case .range(let min, let max):
            // NaN lies in no range, and infinities beyond every bound a range could mean.
            if case .real(let number) = parsed, !number.isFinite, min != nil || max != nil {
                return .outOfRange(value, min: min, max: max)
            }
            let lower = min.flatMap(datatype.parse)
            let upper = max.flatMap(datatype.parse)
            if let lower, parsed < lower { return .outOfRange(value, min: min, max: max) }
            if let upper, upper < parsed { return .outOfRange(value, min: min, max: max) }
            return nil
        case .regex(let pattern):
            // An invalid pattern is the form author's fault, not the submitter's: accept.
            guard let regex = try? Regex(pattern) else { return nil }
            return (try? regex.wholeMatch(in: value)) == nil ? .noPatternMatch(value, pattern: pattern) : nil
        }
    }
}

extension Datatype {
    /// How a person would call the datatype in an error message.
    var humanName: String {
        switch self {
        case .boolean: "yes/no value"
        case .integer, .long, .int, .short, .byte: "whole number"
        case .unsignedLong, .unsignedInt, .unsignedShort, .unsignedByte: "non-negative whole number"
        case .double, .decimal, .float: "number"
        default: rawValue
        }
    }
}
