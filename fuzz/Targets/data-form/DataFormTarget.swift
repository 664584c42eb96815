import XMPPCore

/// Data forms (XEP-0004 with XEP-0122 validation): `DataForm(element:)`, `element`, `validate`.
///
/// Input: XML stanzas (a client stream header is put first); the first `<x xmlns='jabber:x:data'>`
/// found is the form we sent (checked for submissions when its variables are unique, as
/// adhocd's are), the second the submission (else the form submits itself).
/// Properties: a form written out as XML and read again is the same form; a submission that
/// validates hands on only what the form allows (required fields present, none given twice,
/// one value where one is allowed, booleans normalised, addresses that parse, options from the
/// list, and values that XML Schema accepts for the datatype and that lie within the range); a
/// refused one names fields of the form.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDataForm(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let parser = XMLStreamParser()
    var events = (try? parser.feed(StreamHeader(to: "example.org").opening)) ?? []
    events += (try? parser.feed(input.rest())) ?? []
    let forms = events.compactMap { event -> DataForm? in
        guard case .element(let stanza) = event else { return nil }
        return formElements(in: stanza).lazy.compactMap { try? DataForm(element: $0) }.first
    }
    guard let form = forms.first else { return 0 }
    checkRoundTrip(form)
    checkValidation(form, submission: forms.dropFirst().first ?? form)
    return 0
}

private func formElements(in element: XMLElement) -> [XMLElement] {
    if element.name == "x", element.namespace == DataForm.namespace { return [element] }
    return element.elements.flatMap(formElements)
}

private func checkRoundTrip(_ form: DataForm) {
    do {
        let again = try DataForm(element: form.element)
        require(again == form, "a form read from its own element differs")
    } catch {
        require(false, "a form's own element is not a form: \(error)")
    }
    let text = StreamHeader().opening + form.element.serialized(inheritedNamespace: StreamNamespace.client)
    let parser = XMLStreamParser()
    do {
        let events = try parser.feed(text)
        guard case .element(let element)? = events.last else { return require(false, "a written form does not read as XML:\n\(text)") }
        require((try? DataForm(element: element)) == form, "a form written out as XML reads back differently:\n\(text)")
    } catch {
        require(false, "a written form is not well-formed: \(error)\n\(text)")
    }
}

private func checkValidation(_ form: DataForm, submission: DataForm) {
    // adhocd's forms never repeat a variable (commands.d refuses a parameter declared twice,
    // D-Bus forms number their arguments); `validate` would take the last field's values for
    // it, `field(_:)` the first.
    let variables = form.fields.compactMap(\.variable)
    guard Set(variables).count == variables.count else { return }
    let accepted: SubmittedValues
    do {
        accepted = try form.validate(submission)
    } catch {
        let variables = Set(form.fields.compactMap(\.variable))
        require(!error.problems.isEmpty && error.problems.allSatisfy { variables.contains($0.variable) }, "refusal names no field of the form: \(error)")
        return
    }
    for field in form.fields {
        guard let variable = field.variable, field.effectiveType != .fixed else { continue }
        let values = accepted[variable]
        let type = field.effectiveType
        if type != .hidden {
            require(submission.fields.count { $0.variable == variable } <= 1, "\(variable) accepted although the submission gives it twice")
        }
        if type == .hidden {
            require(values == field.values, "hidden field \(variable) changed")
            continue
        }
        let meaningful = type == .textMulti ? values.filter { !$0.isEmpty } : values
        if field.isRequired { require(!meaningful.isEmpty, "required field \(variable) accepted empty") }
        if type.isSingleValued { require(values.count <= 1, "\(variable) accepted \(values.count) values") }
        for value in values {
            switch type {
            case .boolean:
                require(value == "true" || value == "false", "boolean \(variable) passed on '\(value)'")
            case .jidSingle, .jidMulti:
                require((try? JID(value)) != nil, "\(variable) accepted the address '\(value)'")
            default:
                if type == .listSingle || type == .listMulti, field.validation?.method != .open {
                    require(field.options.contains { $0.value == value }, "\(variable) accepted '\(value)', not an option")
                }
                if let validation = field.validation { checkValue(value, of: variable, against: validation) }
            }
        }
    }
}

private func checkValue(_ value: String, of variable: String, against validation: FieldValidation) {
    let datatype = validation.datatype
    require(SchemaLexical.accepts(value, as: datatype), "\(variable) accepted '\(value)', not a valid \(datatype)")
    switch validation.method {
    case .range(let minimum, let maximum):
        if let minimum, SchemaLexical.accepts(minimum, as: datatype), let order = SchemaLexical.compare(value, minimum, as: datatype) {
            require(order != .below, "\(variable) accepted '\(value)', below the minimum \(minimum)")
        }
        if let maximum, SchemaLexical.accepts(maximum, as: datatype), let order = SchemaLexical.compare(value, maximum, as: datatype) {
            require(order != .above, "\(variable) accepted '\(value)', above the maximum \(maximum)")
        }
        if minimum != nil || maximum != nil, SchemaLexical.isNaN(value, as: datatype) {
            require(false, "\(variable) accepted NaN within a range")
        }
    case .regex(let pattern):
        if let regex = try? Regex(pattern) {
            require((try? regex.wholeMatch(in: value)) != nil, "\(variable) accepted '\(value)', which does not match \(pattern)")
        }
    case .basic, .open:
        break
    }
}
