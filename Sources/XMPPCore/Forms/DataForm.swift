/// A data form (XEP-0004): what a command asks for, what a client submits, and tabular results.
public struct DataForm: Sendable, Equatable {
    public static let namespace = "jabber:x:data"

    public enum Kind: String, Sendable {
        case form, submit, cancel, result
    }

    public var kind: Kind
    public var title: String?
    public var instructions: [String]
    public var fields: [FormField]
    /// Column definitions of a table (result forms only).
    public var reported: [FormField]?
    /// Table rows: each row's fields, matching `reported` by variable.
    public var items: [[FormField]]

    public init(
        _ kind: Kind,
        title: String? = nil,
        instructions: [String] = [],
        fields: [FormField] = [],
        reported: [FormField]? = nil,
        items: [[FormField]] = []
    ) {
        self.kind = kind
        self.title = title
        self.instructions = instructions
        self.fields = fields
        self.reported = reported
        self.items = items
    }

    /// The form's FORM_TYPE (XEP-0068), a hidden field naming its schema.
    public var formType: String? {
        get { field("FORM_TYPE")?.value }
        set {
            fields.removeAll { $0.variable == "FORM_TYPE" }
            if let newValue { fields.insert(FormField("FORM_TYPE", type: .hidden, values: [newValue]), at: 0) }
        }
    }

    public func field(_ variable: String) -> FormField? {
        fields.first { $0.variable == variable }
    }

    // MARK: XML

    /// Reads an `<x xmlns='jabber:x:data'/>`.
    public init(element: XMLElement) throws(DataFormError) {
        guard element.name == "x", element.namespace == DataForm.namespace else {
            throw .notAForm("<\(element.name) xmlns='\(element.namespace)'>")
        }
        guard let type = element[attribute: "type"] else { throw .missingType }
        guard let kind = Kind(rawValue: type) else { throw .unknownType(type) }
        self.kind = kind
        title = element.childText("title", namespace: DataForm.namespace)
        instructions = element.children("instructions", namespace: DataForm.namespace).map(\.text)
        fields = element.children("field", namespace: DataForm.namespace).map(FormField.init(element:))
        reported = element.child("reported", namespace: DataForm.namespace).map {
            $0.children("field", namespace: DataForm.namespace).map(FormField.init(element:))
        }
        items = element.children("item", namespace: DataForm.namespace).map {
            $0.children("field", namespace: DataForm.namespace).map(FormField.init(element:))
        }
    }

    public var element: XMLElement {
        var form = XMLElement("x", namespace: DataForm.namespace, ["type": kind.rawValue])
        form.children.reserveCapacity((title == nil ? 0 : 1) + instructions.count + fields.count + (reported == nil ? 0 : 1) + items.count)
        if let title { form.append(XMLElement("title", namespace: DataForm.namespace, text: title)) }
        for line in instructions { form.append(XMLElement("instructions", namespace: DataForm.namespace, text: line)) }
        for field in fields { form.append(field.element) }
        if let reported {
            form.append(XMLElement("reported", namespace: DataForm.namespace, children: reported.map { .element($0.element) }))
        }
        for item in items {
            form.append(XMLElement("item", namespace: DataForm.namespace, children: item.map { .element($0.element) }))
        }
        return form
    }
}

/// Why an element is not a data form.
public enum DataFormError: Error, Sendable, Equatable, CustomStringConvertible {
    case notAForm(String)
    case missingType
    case unknownType(String)

    public var description: String {
        switch self {
        case .notAForm(let what): "\(what.abbreviated()) is not a data form"
        case .missingType: "the data form has no type"
        case .unknownType(let type): "unknown data form type '\(type.abbreviated())'"
        }
    }
}
