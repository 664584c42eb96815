/// The XEP-0122 datatype and range that describe a D-Bus type to a form (keyboards, sliders).
/// Plain strings so this layer needs no forms library.
public struct DBusValueRange: Sendable, Equatable {
    public let datatype: String
    public let minimum: String?
    public let maximum: String?

    public init(datatype: String, minimum: String? = nil, maximum: String? = nil) {
        self.datatype = datatype
        self.minimum = minimum
        self.maximum = maximum
    }

    public init?(_ type: DBusType) {
        switch type {
        case .byte: self.init(datatype: "xs:unsignedByte", minimum: "0", maximum: "255")
        case .int16: self.init(datatype: "xs:short", minimum: String(Int16.min), maximum: String(Int16.max))
        case .uint16: self.init(datatype: "xs:unsignedShort", minimum: "0", maximum: String(UInt16.max))
        case .int32: self.init(datatype: "xs:int", minimum: String(Int32.min), maximum: String(Int32.max))
        case .uint32: self.init(datatype: "xs:unsignedInt", minimum: "0", maximum: String(UInt32.max))
        case .int64: self.init(datatype: "xs:long", minimum: String(Int64.min), maximum: String(Int64.max))
        case .uint64: self.init(datatype: "xs:unsignedLong", minimum: "0", maximum: String(UInt64.max))
        case .double: self.init(datatype: "xs:double")
        case .boolean: self.init(datatype: "xs:boolean")
        default: return nil
        }
    }
}
