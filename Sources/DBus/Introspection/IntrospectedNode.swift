/// One object as its `Introspect` method describes it.
public struct IntrospectedNode: Sendable, Equatable {
    public var interfaces: [IntrospectedInterface]
    /// Relative names of child objects (`MediaPlayer2` under `/org/mpris`).
    public var children: [String]
    /// Members skipped because their names or signatures are not valid D-Bus.
    public var warnings: [String]

    public init(interfaces: [IntrospectedInterface] = [], children: [String] = [], warnings: [String] = []) {
        self.interfaces = interfaces
        self.children = children
        self.warnings = warnings
    }

    public func interface(named name: String) -> IntrospectedInterface? {
        interfaces.first { $0.name == name }
    }
}

public struct IntrospectedInterface: Sendable, Equatable {
    public var name: String
    public var methods: [IntrospectedMethod] = []
    public var properties: [IntrospectedProperty] = []
    public var signals: [IntrospectedSignal] = []

    public init(name: String, methods: [IntrospectedMethod] = [], properties: [IntrospectedProperty] = [], signals: [IntrospectedSignal] = []) {
        self.name = name
        self.methods = methods
        self.properties = properties
        self.signals = signals
    }
}

public struct IntrospectedArgument: Sendable, Equatable {
    public var name: String?
    public var type: DBusType

    public init(name: String?, type: DBusType) {
        self.name = name
        self.type = type
    }
}

public struct IntrospectedMethod: Sendable, Equatable {
    public var name: String
    public var inputs: [IntrospectedArgument]
    public var outputs: [IntrospectedArgument]
    public var isDeprecated = false
    /// `org.freedesktop.DBus.Method.NoReply`: the service never answers.
    public var expectsNoReply = false

    public init(name: String, inputs: [IntrospectedArgument] = [], outputs: [IntrospectedArgument] = []) {
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
    }
}

public struct IntrospectedProperty: Sendable, Equatable {
    public enum Access: String, Sendable {
        case read, write, readwrite

        public var isReadable: Bool { self != .write }
        public var isWritable: Bool { self != .read }
    }

    public var name: String
    public var type: DBusType
    public var access: Access

    public init(name: String, type: DBusType, access: Access) {
        self.name = name
        self.type = type
        self.access = access
    }
}

public struct IntrospectedSignal: Sendable, Equatable {
    public var name: String
    public var arguments: [IntrospectedArgument]

    public init(name: String, arguments: [IntrospectedArgument] = []) {
        self.name = name
        self.arguments = arguments
    }
}
