import CDBus
@testable import DBus

/// D-Bus type signatures (`DBusSignature`) and names (`DBusNames`), against libdbus itself.
///
/// libdbus aborts the process on an invalid signature, name or path, so whatever the Swift side
/// accepts must be valid for libdbus. Properties: Swift and `dbus_signature_validate` (and its
/// `_single` form) agree both ways; an accepted signature is spelt again exactly by its types;
/// a value of every accepted type (file descriptors aside) goes into a real libdbus message
/// and comes back equal; each name validator accepts only names libdbus accepts.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDBusSignature(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let text = input.restAsText()
    checkNames(text)
    let types = try? DBusSignature.parse(text)
    guard !text.utf8.contains(0) else {
        require(types == nil, "a signature with NUL accepted")
        return 0
    }
    let valid = text.withCString { dbus_signature_validate($0, nil) != 0 }
    require((types != nil) == valid, "'\(text)': Swift \(types != nil ? "accepts" : "refuses"), libdbus \(valid ? "accepts" : "refuses")")
    let single = text.withCString { dbus_signature_validate_single($0, nil) != 0 }
    require(((try? DBusSignature.parseSingle(text)) != nil) == single, "'\(text)': parseSingle disagrees with libdbus")
    guard let types else { return 0 }
    require(types.map(\.signature).joined() == text, "'\(text)' reads as \(types.map(\.signature).joined())")

    let values = types.filter { !$0.containsUnixFD }.map(SampleValue.of)
    guard let message = dbus_message_new_method_call("org.example.Fuzz", "/org/example/Fuzz", "org.example.Fuzz", "Check") else { return 0 }
    defer { dbus_message_unref(message) }
    do {
        try MessageEncoder.append(values, to: message)
        require(MessageDecoder.signature(of: message) == values.map(\.type.signature).joined(), "the message's signature differs")
        let decoded = try MessageDecoder.arguments(of: message)
        require(decoded == values, "values of '\(text)' come back from libdbus changed")
    } catch {
        require(false, "values of '\(text)' do not marshal: \(error)")
    }
    return 0
}

private func checkNames(_ text: String) {
    guard !text.utf8.contains(0) else { return }
    let checks: [(String, (String) -> Bool, (UnsafePointer<CChar>) -> dbus_bool_t)] = [
        ("bus name", { (try? DBusNames.validateBusName($0)) != nil }, { dbus_validate_bus_name($0, nil) }),
        ("interface", { (try? DBusNames.validateInterfaceName($0)) != nil }, { dbus_validate_interface($0, nil) }),
        ("error name", { (try? DBusNames.validateErrorName($0)) != nil }, { dbus_validate_error_name($0, nil) }),
        ("member", { (try? DBusNames.validateMemberName($0)) != nil }, { dbus_validate_member($0, nil) }),
        ("object path", { (try? DBusNames.validateObjectPath($0)) != nil }, { dbus_validate_path($0, nil) }),
    ]
    for (kind, swift, libdbus) in checks {
        // Stricter than libdbus is fine (it accepts a unique name without a dot, which the
        // specification does not); laxer would let libdbus abort.
        if swift(text) {
            require(text.withCString { libdbus($0) != 0 }, "\(kind) '\(text)': Swift accepts, libdbus refuses")
        }
    }
}
