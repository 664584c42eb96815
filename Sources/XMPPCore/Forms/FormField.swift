/// One field of a data form (XEP-0004 §3.2), with its XEP-0122 validation.
public struct FormField: Sendable, Equatable {
    public enum FieldType: String, Sendable, CaseIterable {
        case boolean
        case fixed
        case hidden
        case jidSingle = "jid-single"
        case jidMulti = "jid-multi"
        case listSingle = "list-single"
        case listMulti = "list-multi"
        case textSingle = "text-single"
        case textMulti = "text-multi"
        case textPrivate = "text-private"

        /// Fields that carry at most one value.
        public var isSingleValued: Bool {
            switch self {
            case .jidMulti, .listMulti, .textMulti, .fixed: false
            default: true
            }
        }
    }

    public struct Option: Sendable, Equatable {
        public var label: String?
        public var value: String

        public init(_ value: String, label: String? = nil) {
            self.value = value
            self.label = label
        }
    }

    /// The field's name (`var`); a fixed field may have none.
    public var variable: String?
    /// Nil when the attribute is absent: text-single, as XEP-0004 says.
    public var type: FieldType?
    public var label: String?
    public var description: String?
    public var isRequired: Bool
    public var values: [String]
    public var options: [Option]
    public var validation: FieldValidation?

    public init(
        _ variable: String?,
        type: FieldType? = .textSingle,
        label: String? = nil,
        description: String? = nil,
        isRequired: Bool = false,
        values: [String] = [],
        options: [Option] = [],
        validation: FieldValidation? = nil
    ) {
        self.variable = variable
        self.type = type
        self.label = label
        self.description = description
        self.isRequired = isRequired
        self.values = values
        self.options = options
        self.validation = validation
    }

    /// The type that applies: the declared one, else text-single.
    public var effectiveType: FieldType { type ?? .textSingle }

    public var value: String? { values.first }

    /// The values as sent: a text-multi field's text goes one line a `<value/>` (XEP-0004 §3.3),
    /// whatever line breaks a provider left inside one value.
    public var wireValues: [String] {
        effectiveType == .textMulti ? values.flatMap(\.lines) : values
    }

    // MARK: XML

    public init(element: XMLElement) {
        variable = element[attribute: "var"]
        type = element[attribute: "type"].flatMap(FieldType.init(rawValue:))
        label = element[attribute: "label"]
        description = element.childText("desc", namespace: DataForm.namespace)
        isRequired = element.child("required", namespace: DataForm.namespace) != nil
        values = element.children("value", namespace: DataForm.namespace).map(\.text)
        options = element.children("option", namespace: DataForm.namespace).map { option in
            Option(option.childText("value", namespace: DataForm.namespace) ?? "", label: option[attribute: "label"])
        }
        validation = element.child("validate", namespace: FieldValidation.namespace).map(FieldValidation.init(element:))
    }

    public var element: XMLElement {
        var field = XMLElement("field", namespace: DataForm.namespace, [
            "var": variable, "type": type?.rawValue, "label": label,
        ])
        let values = wireValues
        field.children.reserveCapacity(
            (description == nil ? 0 : 1) + (isRequired ? 1 : 0) + (validation == nil ? 0 : 1) + values.count + options.count)
        if let description { field.append(XMLElement("desc", namespace: DataForm.namespace, text: description)) }
        if isRequired { field.append(XMLElement("required", namespace: DataForm.namespace)) }
        if let validation { field.append(validation.element) }
        for value in values {
            field.append(XMLElement("value", namespace: DataForm.namespace, text: value))
        }
        for option in options {
            var element = XMLElement("option", namespace: DataForm.namespace, ["label": option.label])
            element.append(XMLElement("value", namespace: DataForm.namespace, text: option.value))
            field.append(element)
        }
        return field
    }
}

/// XEP-0122 validation: a datatype, and how values are checked against it.
public struct FieldValidation: Sendable, Equatable {
    public static let namespace = "http://jabber.org/protocol/xdata-validate"

    public enum Method: Sendable, Equatable {
        /// Only the datatype is checked.
        case basic
        /// For list fields: values outside the options are allowed.
        case open
        /// Values must lie between the bounds (either may be absent).
        case range(min: String?, max: String?)
        /// Values must match the whole pattern.
        case regex(String)
    }

    public var datatype: Datatype
    public var method: Method

    public init(datatype: Datatype = .string, method: Method = .basic) {
        self.datatype = datatype
        self.method = method
    }

    public init(element: XMLElement) {
        datatype = Datatype(rawValue: element[attribute: "datatype"] ?? Datatype.string.rawValue)
        if element.child("open", namespace: Self.namespace) != nil {
            method = .open
        } else if let range = element.child("range", namespace: Self.namespace) {
            method = .range(min: range[attribute: "min"], max: range[attribute: "max"])
        } else if let regex = element.child("regex", namespace: Self.namespace) {
            method = .regex(regex.text)
        } else {
            method = .basic
        }
    }

    public var element: XMLElement {
        var validate = XMLElement("validate", namespace: Self.namespace, ["datatype": datatype.rawValue])
        switch method {
        case .basic:
            validate.append(XMLElement("basic", namespace: Self.namespace))
        case .open:
            validate.append(XMLElement("open", namespace: Self.namespace))
        case .range(let min, let max):
            validate.append(XMLElement("range", namespace: Self.namespace, ["min": min, "max": max]))
        case .regex(let pattern):
            validate.append(XMLElement("regex", namespace: Self.namespace, text: pattern))
        }
        return validate
    }
}
