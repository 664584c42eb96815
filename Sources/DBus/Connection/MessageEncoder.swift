import CDBus

/// Appends typed values to a libdbus message.
///
/// Values are checked against their declared types before anything reaches libdbus, because
/// libdbus aborts the process on invalid strings, paths or signatures.
enum MessageEncoder {
    static func append(_ values: [DBusValue], to message: OpaquePointer) throws(DBusError) {
        for value in values { try validate(value) }
        var iterator = DBusMessageIter()
        dbus_message_iter_init_append(message, &iterator)
        for value in values {
            try append(value, to: &iterator)
        }
    }

    /// Rejects what libdbus would abort on, and values whose parts disagree with their type.
    static func validate(_ value: DBusValue) throws(DBusError) {
        switch value {
        case .string(let text):
            guard !text.utf8.contains(0) else { throw .invalidArgument("text may not contain a NUL character") }
        case .objectPath(let path):
            do { try DBusNames.validateObjectPath(path) } catch { throw .invalidArgument(error.description) }
        case .signature(let signature):
            do { _ = try DBusSignature.parse(signature) } catch { throw .invalidArgument(error.description) }
        case .variant(let inner):
            try validate(inner)
        case .array(let element, let items):
            guard !element.containsUnixFD else { throw .invalidArgument("file descriptors cannot be sent") }
            for item in items {
                guard item.type == element else { throw .invalidArgument("an array of \(element.signature) holds a \(item.type.signature)") }
                try validate(item)
            }
        case .dictionary(let key, let valueType, let entries):
            guard key.isBasic else { throw .invalidArgument("dictionary keys must be basic types") }
            for entry in entries {
                guard entry.key.type == key, entry.value.type == valueType else {
                    throw .invalidArgument("a dictionary a{\(key.signature)\(valueType.signature)} holds an entry of other types")
                }
                try validate(entry.key)
                try validate(entry.value)
            }
        case .structure(let members):
            guard !members.isEmpty else { throw .invalidArgument("a struct needs at least one member") }
            for member in members { try validate(member) }
        default:
            break
        }
    }

    private static func append(_ value: DBusValue, to iterator: inout DBusMessageIter) throws(DBusError) {
        var basic = DBusBasicValue()
        switch value {
        case .byte(let number): basic.byt = number
        case .boolean(let flag): basic.bool_val = flag ? 1 : 0
        case .int16(let number): basic.i16 = number
        case .uint16(let number): basic.u16 = number
        case .int32(let number): basic.i32 = number
        case .uint32(let number): basic.u32 = number
        case .int64(let number): basic.i64 = dbus_int64_t(number)
        case .uint64(let number): basic.u64 = dbus_uint64_t(number)
        case .double(let number): basic.dbl = number
        case .string(let text), .objectPath(let text), .signature(let text):
            let code = DBusTypeCode.of(value.type)
            let appended = text.withCString { pointer in
                var stringPointer: UnsafePointer<CChar>? = pointer
                return dbus_message_iter_append_basic(&iterator, code, &stringPointer)
            }
            guard appended != 0 else { throw .outOfMemory }
            return
        case .variant(let inner):
            try container(DBusTypeCode.variant, signature: inner.type.signature, in: &iterator) { (sub) throws(DBusError) in
                try append(inner, to: &sub)
            }
            return
        case .array(let element, let items):
            try container(DBusTypeCode.array, signature: element.signature, in: &iterator) { (sub) throws(DBusError) in
                for item in items { try append(item, to: &sub) }
            }
            return
        case .dictionary(let key, let valueType, let entries):
            try container(DBusTypeCode.array, signature: "{" + key.signature + valueType.signature + "}", in: &iterator) { (sub) throws(DBusError) in
                for entry in entries {
                    try container(DBusTypeCode.dictionaryEntry, signature: nil, in: &sub) { (pair) throws(DBusError) in
                        try append(entry.key, to: &pair)
                        try append(entry.value, to: &pair)
                    }
                }
            }
            return
        case .structure(let members):
            try container(DBusTypeCode.structure, signature: nil, in: &iterator) { (sub) throws(DBusError) in
                for member in members { try append(member, to: &sub) }
            }
            return
        }
        guard dbus_message_iter_append_basic(&iterator, DBusTypeCode.of(value.type), &basic) != 0 else { throw .outOfMemory }
    }

    private static func container(
        _ code: Int32, signature: String?, in iterator: inout DBusMessageIter,
        _ body: (inout DBusMessageIter) throws(DBusError) -> Void
    ) throws(DBusError) {
        var sub = DBusMessageIter()
        let opened: dbus_bool_t
        if let signature {
            opened = signature.withCString { dbus_message_iter_open_container(&iterator, code, $0, &sub) }
        } else {
            opened = dbus_message_iter_open_container(&iterator, code, nil, &sub)
        }
        guard opened != 0 else { throw .outOfMemory }
        do {
            try body(&sub)
        } catch {
            dbus_message_iter_abandon_container(&iterator, &sub)
            throw error
        }
        guard dbus_message_iter_close_container(&iterator, &sub) != 0 else { throw .outOfMemory }
    }
}
