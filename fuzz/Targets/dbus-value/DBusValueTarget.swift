import CDBus
@testable import DBus

/// Text typed into a form, read as a D-Bus value of a signature (`DBusValueText`).
///
/// Input: a signature on the first line, the text after it. Properties: an accepted value has
/// the requested type; it passes the checks made before libdbus and goes into a real message
/// and back unchanged (libdbus aborts on anything invalid); and for types people can edit
/// (variants aside, whose display drops the type), the displayed value reads back as the same value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDBusValue(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    guard let type = try? DBusSignature.parseSingle(input.line()), !type.containsUnixFD else { return 0 }
    let text = input.restAsText()
    guard let value = try? DBusValueText.parse(text, as: type) else { return 0 }
    require(value.type == type, "'\(text)' as \(type) gave a \(value.type)")

    guard let message = dbus_message_new_method_call("org.example.Fuzz", "/org/example/Fuzz", "org.example.Fuzz", "Check") else { return 0 }
    defer { dbus_message_unref(message) }
    do {
        try MessageEncoder.validate(value)
        try MessageEncoder.append([value], to: message)
        let decoded = try MessageDecoder.arguments(of: message)
        require(decoded == [value], "'\(text)' as \(type) comes back from libdbus changed")
    } catch {
        require(false, "'\(text)' as \(type) was accepted but does not marshal: \(error)")
    }

    if DBusValueText.isEditable(type), !containsVariant(type) {
        let shown = DBusValueText.display(value)
        do {
            let again = try DBusValueText.parse(shown, as: type)
            require(again == value, "'\(text)' as \(type) displays as '\(shown)', which reads as another value")
        } catch {
            require(false, "'\(text)' as \(type) displays as '\(shown)', which does not read: \(error)")
        }
    }
    return 0
}

private func containsVariant(_ type: DBusType) -> Bool {
    switch type {
    case .variant: true
    case .array(let element): containsVariant(element)
    case .dictionary(let key, let value): containsVariant(key) || containsVariant(value)
    case .structure(let members): members.contains(where: containsVariant)
    default: false
    }
}
