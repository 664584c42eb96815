import CDBus
import DBus

/// Introspection XML (`IntrospectionParser`), as any service on the bus may send it.
///
/// Properties: every interface, member and child name kept is valid for libdbus, and every
/// argument and property type is a valid single complete signature; the node written out as
/// introspection XML reads back as the same node (without warnings); nothing leaks (libxml2
/// documents are freed on every path; ASan checks).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIntrospection(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    guard let node = try? IntrospectionParser.parse(input.restAsText()) else { return 0 }
    for interface in node.interfaces {
        require(valid(interface.name, dbus_validate_interface), "interface '\(interface.name)' kept")
        let members = interface.methods.map(\.name) + interface.properties.map(\.name) + interface.signals.map(\.name)
        for member in members { require(valid(member, dbus_validate_member), "member '\(member)' of \(interface.name) kept") }
        let types = interface.methods.flatMap { ($0.inputs + $0.outputs).map(\.type) } + interface.properties.map(\.type)
            + interface.signals.flatMap { $0.arguments.map(\.type) }
        for type in types { require(valid(type.signature, dbus_signature_validate_single), "type '\(type.signature)' kept") }
    }
    for child in node.children { require(valid("/" + child, dbus_validate_path), "child '\(child)' kept") }

    let written = IntrospectionXML.write(node)
    do {
        var again = try IntrospectionParser.parse(written)
        again.warnings = node.warnings
        require(again == node, "the node written out reads back differently:\n\(written)")
    } catch {
        require(false, "the node written out does not read: \(error)\n\(written)")
    }
    return 0
}

private func valid(_ text: String, _ check: (UnsafePointer<CChar>, UnsafeMutablePointer<CDBus.DBusError>?) -> dbus_bool_t) -> Bool {
    !text.utf8.contains(0) && text.withCString { check($0, nil) != 0 }
}
