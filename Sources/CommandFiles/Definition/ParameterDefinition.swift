import XMPPCore

/// One `[[param]]`: a form field, a placeholder for `exec`, and an environment variable.
public struct ParameterDefinition: Sendable, Equatable {
    public var variable: String
    public var type: FormField.FieldType
    public var label: String?
    public var description: String?
    public var isRequired: Bool
    /// The values the form offers at first.
    public var defaults: [String]
    public var options: [FormField.Option]
    public var validation: FieldValidation?

    /// The types a parameter may have: every XEP-0004 type that carries input.
    public static let types: [FormField.FieldType] = [
        .textSingle, .textMulti, .textPrivate, .boolean, .listSingle, .listMulti, .jidSingle, .jidMulti,
    ]

    public init(
        variable: String, type: FormField.FieldType = .textSingle, label: String? = nil, description: String? = nil,
        isRequired: Bool = false, defaults: [String] = [], options: [FormField.Option] = [], validation: FieldValidation? = nil
    ) {
        self.variable = variable
        self.type = type
        self.label = label
        self.description = description
        self.isRequired = isRequired
        self.defaults = defaults
        self.options = options
        self.validation = validation
    }

    /// The field of the parameters form.
    public var formField: FormField {
        FormField(
            variable, type: type, label: label ?? variable, description: description, isRequired: isRequired,
            values: defaults, options: options, validation: validation)
    }

    /// `ADHOCD_PARAM_` and the name in capitals, `-` as `_`.
    public var environmentName: String { Self.environmentName(for: variable) }

    static func environmentName(for variable: String) -> String {
        "ADHOCD_PARAM_" + variable.uppercased().replacing("-", with: "_")
    }

    /// Values a log or the audit must not show.
    public var isSecret: Bool { type == .textPrivate }

    /// Whether the parameter may carry several values (and so several arguments).
    public var isMultiValued: Bool { !type.isSingleValued }
}
