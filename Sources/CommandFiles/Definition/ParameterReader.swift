import TOMLConfig
import XMPPCore

/// Reads one `[[param]]` table into a `ParameterDefinition`, checking it as a form author would
/// want: types, options, defaults and XEP-0122 validation that can actually be satisfied.
enum ParameterReader {
    private typealias Keys = ParameterKeys

    static func read(_ section: inout ConfigSection) throws(ConfigurationError) -> ParameterDefinition {
        let variable = try section.read(Keys.variable)
        guard ParameterName.isValid(variable) else {
            throw section.error(Keys.variable.name, "\"\(variable)\" is not a usable name: start with a letter, then letters, digits, _ or -")
        }
        let typeText = try section.read(Keys.type) ?? FormField.FieldType.textSingle.rawValue
        guard let type = FormField.FieldType(rawValue: typeText), ParameterDefinition.types.contains(type) else {
            let known = ParameterDefinition.types.map(\.rawValue).joined(separator: ", ")
            let why = typeText == "hidden" || typeText == "fixed" ? " (\(typeText) fields carry no input; write a constant straight into exec)" : ""
            throw section.error(Keys.type.name, "\"\(typeText)\" is not a parameter type\(why); use one of \(known)")
        }
        var parameter = ParameterDefinition(variable: variable, type: type)
        parameter.label = try section.read(Keys.label)
        parameter.description = try section.read(Keys.description)
        parameter.isRequired = try section.read(Keys.required)
        parameter.options = try readOptions(&section, type: type)
        let isOpen = try section.read(Keys.open)
        if isOpen, !isList(type) { throw section.error(Keys.open.name, "applies to list-single and list-multi only") }
        parameter.validation = try readValidation(&section, type: type, isOpen: isOpen)
        parameter.defaults = try readDefaults(&section, parameter: parameter, isOpen: isOpen)
        try section.rejectUnknownKeys()
        return parameter
    }

    private static func isList(_ type: FormField.FieldType) -> Bool {
        type == .listSingle || type == .listMulti
    }

    private static func readOptions(_ section: inout ConfigSection, type: FormField.FieldType) throws(ConfigurationError) -> [FormField.Option] {
        let key = Keys.options
        guard let value = try section.read(key) else {
            if isList(type) { throw section.error(key.name, "is required for \(type.rawValue): list the choices, e.g. options = [\"nginx\", \"postgresql\"]") }
            return []
        }
        guard isList(type) else { throw section.error(key.name, "applies to list-single and list-multi only; this parameter is \(type.rawValue)") }
        guard case .array(let items) = value, !items.isEmpty else {
            throw section.error(key.name, "expected a non-empty list of strings or { value = \"…\", label = \"…\" } tables")
        }
        var options: [FormField.Option] = []
        for (index, item) in items.enumerated() {
            switch item {
            case .string(let text):
                options.append(FormField.Option(text))
            case .table(let table):
                var option = ConfigSection(
                    file: section.file, path: section.keyPath("\(key.name)[\(index + 1)]"), values: table, keyLines: section.keyLines,
                    schema: OptionKeys.table)
                options.append(FormField.Option(try option.read(OptionKeys.value), label: try option.read(OptionKeys.label)))
                try option.rejectUnknownKeys()
            default:
                throw section.error(key.name, "item \(index + 1) should be a string or a { value, label } table, found \(item.kindName)")
            }
        }
        let values = options.map(\.value)
        if let duplicate = values.enumerated().first(where: { values[..<$0.offset].contains($0.element) })?.element {
            throw section.error(key.name, "\"\(duplicate)\" is listed twice")
        }
        return options
    }

    private static func readValidation(_ section: inout ConfigSection, type: FormField.FieldType, isOpen: Bool) throws(ConfigurationError) -> FieldValidation? {
        let datatypeText = try section.read(Keys.datatype)
        let minimum = try bound(&section, Keys.minimum)
        let maximum = try bound(&section, Keys.maximum)
        let regex = try section.read(Keys.regex)
        let takesDatatype: Set<FormField.FieldType> = [.textSingle, .textPrivate, .textMulti, .listSingle, .listMulti]
        if datatypeText != nil || minimum != nil || maximum != nil || regex != nil, !takesDatatype.contains(type) {
            let key = datatypeText != nil ? Keys.datatype.name : regex != nil ? Keys.regex.name : minimum != nil ? Keys.minimum.name : Keys.maximum.name
            throw section.error(key, "does not apply to \(type.rawValue) parameters")
        }
        var datatype: Datatype?
        if let datatypeText {
            let name = datatypeText.hasPrefix("xs:") ? datatypeText : "xs:\(datatypeText)"
            guard let known = knownDatatypes.first(where: { $0.rawValue == name }) else {
                throw section.error(Keys.datatype.name, "\"\(datatypeText)\" is not supported; use one of \(knownDatatypes.map(\.rawValue).joined(separator: ", "))")
            }
            datatype = known
        }
        if minimum != nil || maximum != nil {
            if regex != nil { throw section.error(Keys.regex.name, "cannot be combined with min/max: XEP-0122 allows one check per field") }
            // Bounds imply a number: whole if both bounds are whole.
            let inferred: Datatype = [minimum, maximum].compactMap { $0 }.allSatisfy { Int64($0) != nil } ? .integer : .double
            let chosen = datatype ?? inferred
            guard chosen.isNumeric else { throw section.error(Keys.datatype.name, "min and max need a numeric datatype, not \(chosen)") }
            for (key, bound) in [(Keys.minimum.name, minimum), (Keys.maximum.name, maximum)] {
                if let bound, chosen.parse(bound) == nil { throw section.error(key, "\(bound) is not a valid \(chosen)") }
            }
            if let minimum, let maximum, let low = chosen.parse(minimum), let high = chosen.parse(maximum), high < low {
                throw section.error(Keys.maximum.name, "is below min")
            }
            return FieldValidation(datatype: chosen, method: .range(min: minimum, max: maximum))
        }
        if let regex {
            do {
                _ = try Regex(regex)
            } catch {
                throw section.error(Keys.regex.name, "is not a valid regular expression: \(error)")
            }
            if let group = RegexBacktracking.nestedRepetition(in: regex) {
                throw section.error(Keys.regex.name, """
                    repeats a group that itself repeats (\(group.abbreviated())): checking a value a contact types could \
                    take minutes, and adhocd answers nothing meanwhile. Start each repetition with a character nothing \
                    else in it matches, as in [a-z]+(-[a-z]+)*, or make the group atomic: (?>…)
                    """)
            }
            return FieldValidation(datatype: datatype ?? .string, method: .regex(regex))
        }
        if isOpen { return FieldValidation(datatype: datatype ?? .string, method: .open) }
        return datatype.map { FieldValidation(datatype: $0, method: .basic) }
    }

    static let knownDatatypes: [Datatype] = [
        .string, .integer, .long, .int, .short, .byte, .unsignedLong, .unsignedInt, .unsignedShort, .unsignedByte, .double, .decimal, .float,
    ]

    /// `min`/`max` as written: a number or a string.
    private static func bound(_ section: inout ConfigSection, _ key: ConfigKey<ConfigValue?>) throws(ConfigurationError) -> String? {
        switch try section.read(key) {
        case nil: return nil
        case .integer(let number): return String(number)
        case .double(let number): return String(number)
        case .string(let text): return text
        case let other?: throw section.error(key.name, "expected a number, found \(other.kindName)")
        }
    }

    private static func readDefaults(_ section: inout ConfigSection, parameter: ParameterDefinition, isOpen: Bool) throws(ConfigurationError) -> [String] {
        let key = Keys.defaultValue
        let defaults: [String]
        switch try section.read(key) {
        case nil: return []
        case .string(let text): defaults = [text]
        case .integer(let number): defaults = [String(number)]
        case .double(let number): defaults = [String(number)]
        case .bool(let flag): defaults = [flag ? "true" : "false"]
        case .array(let items):
            guard parameter.isMultiValued else { throw section.error(key.name, "\(parameter.type.rawValue) takes one value, not a list") }
            var texts: [String] = []
            for item in items {
                guard case .string(let text) = item else { throw section.error(key.name, "list items should be strings, found \(item.kindName)") }
                texts.append(text)
            }
            defaults = texts
        case let other?: throw section.error(key.name, "expected a string, number, boolean or list, found \(other.kindName)")
        }
        if parameter.type == .boolean, defaults.count == 1, Datatype.boolean.parse(defaults[0]) == nil {
            throw section.error(key.name, "a boolean parameter's default is true or false")
        }
        if isList(parameter.type), !isOpen {
            for value in defaults where !parameter.options.contains(where: { $0.value == value }) {
                throw section.error(key.name, "\"\(value)\" is not one of the options")
            }
        }
        // The default must pass the same checks as a submission, or the form could never be sent back as offered.
        var field = parameter.formField
        field.values = defaults
        field.isRequired = false
        do {
            _ = try DataForm(.form, fields: [field]).validate(DataForm(.submit))
        } catch {
            throw section.error(key.name, error.description)
        }
        return defaults
    }
}
