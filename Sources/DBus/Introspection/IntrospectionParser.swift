import CLibXML2

/// Reads introspection XML (`org.freedesktop.DBus.Introspectable.Introspect`).
///
/// A separate path from the XMPP stream parser: introspection documents carry a DOCTYPE, which
/// XMPP forbids. The DTD is never loaded, nothing is fetched from the network, and documents
/// declaring entities are refused, so a hostile service cannot make us expand or fetch anything.
public enum IntrospectionParser {
    public static let maximumSize = 4 << 20

    public static func parse(_ xml: String) throws(IntrospectionError) -> IntrospectedNode {
        let bytes = Array(xml.utf8)
        guard bytes.count <= maximumSize else { throw .tooLarge(bytes.count) }
        guard !bytes.isEmpty else { throw .malformed("the document is empty") }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOCDATA.rawValue)
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { xmlReadMemory($0, Int32(buffer.count), "introspection.xml", "UTF-8", options) }
            } ?? nil
        }
        guard let document else {
            let message = xmlGetLastError()?.pointee.message.map { String(cString: $0).trimmingTrailingNewlines } ?? "not well-formed"
            throw .malformed(message)
        }
        defer { xmlFreeDoc(document) }
        if let subset = document.pointee.intSubset, subset.pointee.entities != nil || subset.pointee.pentities != nil {
            throw .malformed("the document declares entities, which introspection data never needs")
        }
        guard let root = xmlDocGetRootElement(document), name(of: root) == "node" else {
            throw .malformed("the root element is not <node>")
        }
        // Without the DTD, an undeclared entity is only a warning to libxml2; for us it is hostile.
        guard !containsEntityReference(root) else {
            throw .malformed("the document uses entity references, which introspection data never needs")
        }
        var node = IntrospectedNode()
        for child in elements(in: root) {
            switch name(of: child) {
            case "interface":
                if let interface = parseInterface(child, warnings: &node.warnings) { node.interfaces.append(interface) }
            case "node":
                guard let childName = attribute(child, "name"), !childName.isEmpty else { continue }
                // Children are relative single elements; anything else can't be joined to a path.
                if !childName.contains("/"), DBusNames.isValidObjectPath("/" + childName) {
                    node.children.append(childName)
                } else {
                    node.warnings.append("child node \"\(childName)\" is not a valid path element")
                }
            default:
                continue
            }
        }
        return node
    }

    private static func parseInterface(_ element: xmlNodePtr, warnings: inout [String]) -> IntrospectedInterface? {
        guard let name = attribute(element, "name") else {
            warnings.append("an interface without a name was skipped")
            return nil
        }
        do {
            try DBusNames.validateInterfaceName(name)
        } catch {
            warnings.append(error.description)
            return nil
        }
        var interface = IntrospectedInterface(name: name)
        for child in elements(in: element) {
            do {
                switch Self.name(of: child) {
                case "method": interface.methods.append(try parseMethod(child))
                case "property": interface.properties.append(try parseProperty(child))
                case "signal": interface.signals.append(try parseSignal(child))
                default: continue
                }
            } catch {
                warnings.append("\(name): \(error)")
            }
        }
        return interface
    }

    private static func parseMethod(_ element: xmlNodePtr) throws -> IntrospectedMethod {
        let name = try memberName(element)
        var method = IntrospectedMethod(name: name)
        for child in elements(in: element) {
            switch Self.name(of: child) {
            case "arg":
                let argument = try parseArgument(child, member: name)
                // A method argument without direction is an input (the specification's default).
                if attribute(child, "direction") == "out" {
                    method.outputs.append(argument)
                } else {
                    method.inputs.append(argument)
                }
            case "annotation":
                let value = attribute(child, "value") == "true"
                switch attribute(child, "name") {
                case "org.freedesktop.DBus.Deprecated": method.isDeprecated = value
                case "org.freedesktop.DBus.Method.NoReply": method.expectsNoReply = value
                default: break
                }
            default:
                continue
            }
        }
        return method
    }

    private static func parseProperty(_ element: xmlNodePtr) throws -> IntrospectedProperty {
        let name = try memberName(element)
        guard let signature = attribute(element, "type") else { throw IntrospectionError.member(name, "has no type") }
        let type = try DBusSignature.parseSingle(signature)
        guard let accessText = attribute(element, "access"), let access = IntrospectedProperty.Access(rawValue: accessText) else {
            throw IntrospectionError.member(name, "has no valid access (read, write or readwrite)")
        }
        return IntrospectedProperty(name: name, type: type, access: access)
    }

    private static func parseSignal(_ element: xmlNodePtr) throws -> IntrospectedSignal {
        let name = try memberName(element)
        var signal = IntrospectedSignal(name: name)
        for child in elements(in: element) where Self.name(of: child) == "arg" {
            signal.arguments.append(try parseArgument(child, member: name))
        }
        return signal
    }

    private static func parseArgument(_ element: xmlNodePtr, member: String) throws -> IntrospectedArgument {
        guard let signature = attribute(element, "type") else { throw IntrospectionError.member(member, "has an argument without a type") }
        let name = attribute(element, "name").flatMap { $0.isEmpty ? nil : $0 }
        return IntrospectedArgument(name: name, type: try DBusSignature.parseSingle(signature))
    }

    private static func memberName(_ element: xmlNodePtr) throws -> String {
        guard let name = attribute(element, "name") else { throw IntrospectionError.member("?", "has no name") }
        try DBusNames.validateMemberName(name)
        return name
    }

    // MARK: libxml2 helpers

    private static func containsEntityReference(_ node: xmlNodePtr) -> Bool {
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ENTITY_REF_NODE || current.pointee.type == XML_ENTITY_NODE { return true }
            if current.pointee.type == XML_ELEMENT_NODE, containsEntityReference(current) { return true }
            child = current.pointee.next
        }
        return false
    }

    private static func elements(in parent: xmlNodePtr) -> [xmlNodePtr] {
        var result: [xmlNodePtr] = []
        var child = parent.pointee.children
        while let node = child {
            if node.pointee.type == XML_ELEMENT_NODE { result.append(node) }
            child = node.pointee.next
        }
        return result
    }

    private static func name(of node: xmlNodePtr) -> String {
        node.pointee.name.map { String(cString: $0) } ?? ""
    }

    private static func attribute(_ node: xmlNodePtr, _ name: String) -> String? {
        // Read in place rather than through xmlGetProp, whose result needs the global xmlFree.
        guard let property = xmlHasProp(node, name) else { return nil }
        var text = ""
        var child = property.pointee.children
        while let part = child {
            if let content = part.pointee.content { text += String(cString: content) }
            child = part.pointee.next
        }
        return text
    }
}

/// Why introspection data could not be read.
public enum IntrospectionError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    case tooLarge(Int)
    case member(String, String)

    public var description: String {
        switch self {
        case .malformed(let reason): "introspection data is not valid: \(reason)"
        case .tooLarge(let size): "introspection data is \(size) bytes; the limit is \(IntrospectionParser.maximumSize)"
        case .member(let name, let problem): "\(name) \(problem)"
        }
    }
}

extension String {
    fileprivate var trimmingTrailingNewlines: String {
        var text = self
        while text.last?.isNewline == true { text.removeLast() }
        return text
    }
}
