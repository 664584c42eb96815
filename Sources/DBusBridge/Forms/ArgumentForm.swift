import DBus
import XMPPCore

/// Form fields typed from D-Bus signatures, and the values typed back from what was submitted.
enum ArgumentForm {
    /// The field for one argument or property: booleans as checkboxes, numbers with their
    /// XEP-0122 datatype and range (phone keyboards and sliders), lists as one item per line.
    static func field(variable: String, label: String, type: DBusType, current: DBusValue? = nil) -> FormField {
        let values = current.map { [DBusValueText.display($0)] } ?? []
        switch type {
        case .boolean:
            return FormField(variable, type: .boolean, label: label, isRequired: true, values: values.isEmpty ? ["false"] : values)
        case .string, .objectPath, .signature:
            return FormField(variable, type: .textSingle, label: label, description: hint(for: type), isRequired: type != .string, values: values)
        case .array, .dictionary:
            let lines = values.first.map { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) } ?? []
            return FormField(variable, type: .textMulti, label: label, description: hint(for: type), values: lines)
        case .variant, .structure:
            return FormField(variable, type: .textSingle, label: label, description: hint(for: type), isRequired: true, values: values)
        default:
            let range = DBusValueRange(type)
            let validation = range.map { range in
                FieldValidation(
                    datatype: Datatype(rawValue: range.datatype),
                    method: range.minimum == nil && range.maximum == nil ? .basic : .range(min: range.minimum, max: range.maximum))
            }
            return FormField(variable, type: .textSingle, label: label, description: hint(for: type), isRequired: true, values: values, validation: validation)
        }
    }

    /// What to type, in words.
    static func hint(for type: DBusType) -> String {
        switch type {
        case .array(let element) where element.isBasic:
            "\(type.readableName): one per line"
        case .array:
            "\(type.readableName): one per line, members separated by commas"
        case .dictionary:
            "\(type.readableName): one key=value per line" + (type == .dictionary(key: .string, value: .variant) ? " (values as i:42, b:true, d:0.5, or text)" : "")
        case .variant:
            "a value with its type: i:42, u:7, b:true, d:0.5, s:text (text without a prefix is a string)"
        case .structure(let members):
            "\(members.count) values separated by commas: " + members.map(\.readableName).joined(separator: ", ")
        case .objectPath:
            "an object path such as /org/example/Object"
        default:
            type.readableName
        }
    }

    /// The typed value of a submitted field.
    static func value(of variable: String, label: String, type: DBusType, in values: SubmittedValues) throws(ArgumentError) -> DBusValue {
        let submitted = values[variable]
        let text: String
        switch type {
        case .array, .dictionary: text = submitted.joined(separator: "\n")
        default: text = submitted.first ?? ""
        }
        do {
            return try DBusValueText.parse(text, as: type)
        } catch {
            throw ArgumentError(label: label, problem: error.description)
        }
    }

    /// A result form for values that came back: one field per value, or a table when the only
    /// value is an array of structs or a dictionary.
    static func result(title: String, labels: [String], values: [DBusValue]) -> DataForm {
        if values.count == 1, let table = table(title: title, values[0]) { return table }
        var fields: [FormField] = []
        for (index, value) in values.enumerated() {
            let label = index < labels.count ? labels[index] : "Result \(index + 1)"
            fields.append(displayField(variable: "result\(index + 1)", label: label, value: value))
        }
        return DataForm(.result, title: title, fields: fields)
    }

    static func displayField(variable: String, label: String, value: DBusValue) -> FormField {
        let text = DBusValueText.display(value)
        if text.contains("\n") {
            return FormField(variable, type: .textMulti, label: label, values: text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        }
        return FormField(variable, type: .textSingle, label: label, values: [text])
    }

    private static func table(title: String, _ value: DBusValue) -> DataForm? {
        switch value.unwrapped {
        case .array(.structure(let members), let rows):
            let columns = members.indices.map { FormField("c\($0 + 1)", type: .textSingle, label: "\($0 + 1)") }
            let items = rows.map { row -> [FormField] in
                guard case .structure(let cells) = row else { return [] }
                return cells.enumerated().map { FormField("c\($0.offset + 1)", type: .textSingle, values: [DBusValueText.display($0.element)]) }
            }
            return DataForm(.result, title: title, reported: columns, items: items)
        case .dictionary(_, _, let entries):
            let columns = [FormField("key", type: .textSingle, label: "Key"), FormField("value", type: .textSingle, label: "Value")]
            let items = entries.map { entry in
                [FormField("key", type: .textSingle, values: [DBusValueText.display(entry.key)]),
                 FormField("value", type: .textSingle, values: [DBusValueText.display(entry.value)])]
            }
            return DataForm(.result, title: title, reported: columns, items: items)
        default:
            return nil
        }
    }
}

/// A submitted value that doesn't parse as its argument's type.
struct ArgumentError: Error, CustomStringConvertible {
    let label: String
    let problem: String

    var description: String { "\(label): \(problem)" }
}
