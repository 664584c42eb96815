/// Every problem with a submission, to report in one answer.
public struct FormValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [FieldProblem]

    public init(problems: [FieldProblem]) {
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "; ") }
}

/// A submission checked against the form we sent: values by variable, normalised
/// (booleans as "true"/"false", surrounding whitespace trimmed from single values, text-multi
/// as one line a value, jid-multi without duplicates).
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
    /// field is reported at once, and a field given twice (XEP-0004 fields are unique by var)
    /// is a problem, never run with one of its values.
    public func validate(_ submission: DataForm) throws(FormValidationError) -> SubmittedValues {
        var result = SubmittedValues()
        var problems: [FieldProblem] = []
        for field in fields {
            guard let variable = field.variable, field.effectiveType != .fixed else { continue }
            if field.effectiveType != .hidden {
                let copies = submission.fields.count { $0.variable == variable }
                if copies > 1 {
                    problems.append(FieldProblem(variable: variable, label: field.label, kind: .givenMoreThanOnce(copies)))
                    continue
                }
            }
            switch field.check(submission.field(variable)?.values ?? field.values) {
            case .success(let values): result.values[variable] = values
            case .failure(let error): problems += error.problems
            }
        }
        guard problems.isEmpty else { throw FormValidationError(problems: problems) }
        return result
    }

    /// Checks the values for one field with the same rules as `validate(_:)`, before the whole
    /// form is submitted (a chat asks one field at a time); returns them normalised.
    public func validate(_ values: [String], forField variable: String) throws(FormValidationError) -> [String] {
        guard let field = field(variable), field.effectiveType != .fixed else {
            throw FormValidationError(problems: [FieldProblem(variable: variable, kind: .unknownField)])
        }
        return try field.check(values).get()
    }

    /// The form with these values in its fields, for showing a stage again: what the requester
    /// entered earlier, or a refused submission as it was typed. Hidden and fixed fields keep ours.
    public func filled(with values: [String: [String]]) -> DataForm {
        var copy = self
        for index in copy.fields.indices {
            let type = copy.fields[index].effectiveType
            guard let variable = copy.fields[index].variable, type != .hidden, type != .fixed,
                  let entered = values[variable]
            else { continue }
            copy.fields[index].values = entered
        }
        return copy
    }

    /// Every field's values of a submission, as sent, by variable; of a field given twice, the
    /// first, as `field(_:)` and validation read it.
    public var submittedValues: [String: [String]] {
        fields.reduce(into: [:]) { values, field in
            if let variable = field.variable, values[variable] == nil { values[variable] = field.values }
        }
    }
}

extension FormField {
    /// This field's normalised values, or every problem with them. Hidden fields keep ours.
    func check(_ submitted: [String]) -> Result<[String], FormValidationError> {
        let type = effectiveType
        if type == .hidden { return .success(values) }
        var entered = switch type {
        case .textMulti: submitted.flatMap(\.lines)
        default: submitted.map { $0.trimmingWhitespace() }
        }
        // A single empty value is how clients say "nothing" for a field.
        if entered.count == 1, entered[0].isEmpty { entered = [] }
        if type == .jidMulti { entered = Self.droppingDuplicateJIDs(entered) }
        let problems = problems(with: entered, type: type)
        guard problems.isEmpty else {
            let variable = variable ?? ""
            return .failure(FormValidationError(problems: problems.map { FieldProblem(variable: variable, label: label, kind: $0) }))
        }
        return .success(type == .boolean ? entered.map { Datatype.boolean.parse($0) == .boolean(true) ? "true" : "false" } : entered)
    }

    private func problems(with values: [String], type: FieldType) -> [FieldProblem.Kind] {
        let meaningful = type == .textMulti ? values.filter { !$0.isEmpty } : values
        if meaningful.isEmpty {
            return isRequired ? [.missingRequired] : []
        }
        if type.isSingleValued, values.count > 1 { return [.tooManyValues(values.count)] }
        var problems: [FieldProblem.Kind] = []
        let isOpen = validation?.method == .open
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
                if !isOpen, !options.contains(where: { $0.value == value }) {
                    problems.append(.notAnOption(value))
                    continue
                }
            case .textMulti where value.isEmpty:
                // A blank line inside the text is part of it, not a value to check.
                continue
            default:
                break
            }
            if let validation, let problem = validation.problem(with: value) { problems.append(problem) }
        }
        return problems
    }

    /// jid-multi values once each, in the order given, compared as addresses (case-folded).
    private static func droppingDuplicateJIDs(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { value in
            let key = (try? JID(value))?.description ?? value
            return seen.insert(key).inserted
        }
    }
}

extension FieldValidation {
    /// What is wrong with one value, or nil.
    func problem(with value: String) -> FieldProblem.Kind? {
        guard let parsed = datatype.parse(value) else {
            // A whole number too large for the type is out of range, not of the wrong kind.
            if let bounds = datatype.integerBounds, Datatype.isIntegerLexical(Substring(value.trimmingWhitespace()).utf8) {
                if case .range(let min, let max) = method { return .outOfRange(value, min: min ?? bounds.min, max: max ?? bounds.max) }
                return .outOfRange(value, min: bounds.min, max: bounds.max)
            }
            return .wrongDatatype(value, datatype)
        }
        switch method {
        case .basic, .open:
            return nil
        case .range(let min, let max):
            // NaN compares neither below nor above any bound, and an infinity is outside every
            // range a person writes: a range admits finite numbers only.
            if case .real(let number) = parsed, !number.isFinite { return .notFinite(value) }
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

extension String {
    /// The text split at line breaks (LF, CRLF, CR), blank lines kept: text-multi's one line a value.
    var lines: [String] {
        split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
    }
}
