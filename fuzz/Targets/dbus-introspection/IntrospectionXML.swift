import DBus
import XMPPCore

/// Writes a node as introspection XML, the format `IntrospectionParser` reads.
enum IntrospectionXML {
    static func write(_ node: IntrospectedNode) -> String {
        var root = XMLElement("node")
        for interface in node.interfaces {
            var element = XMLElement("interface", ["name": interface.name])
            for method in interface.methods {
                var item = XMLElement("method", ["name": method.name])
                for argument in method.inputs { item.append(self.argument(argument, direction: "in")) }
                for argument in method.outputs { item.append(self.argument(argument, direction: "out")) }
                if method.isDeprecated { item.append(annotation("org.freedesktop.DBus.Deprecated")) }
                if method.expectsNoReply { item.append(annotation("org.freedesktop.DBus.Method.NoReply")) }
                element.append(item)
            }
            for property in interface.properties {
                element.append(XMLElement("property", ["name": property.name, "type": property.type.signature, "access": property.access.rawValue]))
            }
            for signal in interface.signals {
                var item = XMLElement("signal", ["name": signal.name])
                for argument in signal.arguments { item.append(self.argument(argument, direction: nil)) }
                element.append(item)
            }
            root.append(element)
        }
        for child in node.children { root.append(XMLElement("node", ["name": child])) }
        return root.serialized()
    }

    private static func argument(_ argument: IntrospectedArgument, direction: String?) -> XMLElement {
        XMLElement("arg", ["name": argument.name, "type": argument.type.signature, "direction": direction])
    }

    private static func annotation(_ name: String) -> XMLElement {
        XMLElement("annotation", ["name": name, "value": "true"])
    }
}
