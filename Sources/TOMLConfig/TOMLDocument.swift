/// A parsed TOML file together with the line each of its keys was written on.
public struct TOMLDocument: Sendable, Equatable {
    public var values: [String: ConfigValue]
    public var keyLines: TOMLKeyLines

    public init(values: [String: ConfigValue], keyLines: TOMLKeyLines = TOMLKeyLines()) {
        self.values = values
        self.keyLines = keyLines
    }
}
