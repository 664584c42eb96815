import CDBus
import Glibc

/// Reads a libdbus message's arguments into typed values, directed by each argument's signature.
enum MessageDecoder {
    static func arguments(of message: OpaquePointer) throws(DBusError) -> [DBusValue] {
        var iterator = DBusMessageIter()
        guard dbus_message_iter_init(message, &iterator) != 0 else { return [] }
        return try readAll(&iterator)
    }

    /// The message's body signature, e.g. for error messages whose first argument is text.
    static func signature(of message: OpaquePointer) -> String {
        guard let pointer = dbus_message_get_signature(message) else { return "" }
        return String(cString: pointer)
    }

    private static func readAll(_ iterator: inout DBusMessageIter) throws(DBusError) -> [DBusValue] {
        var values: [DBusValue] = []
        while dbus_message_iter_get_arg_type(&iterator) != DBusTypeCode.invalid {
            values.append(try read(&iterator))
            dbus_message_iter_next(&iterator)
        }
        return values
    }

    private static func currentType(_ iterator: inout DBusMessageIter) throws(DBusError) -> DBusType {
        guard let pointer = dbus_message_iter_get_signature(&iterator) else { throw .outOfMemory }
        defer { dbus_free(pointer) }
        do {
            return try DBusSignature.parseSingle(String(cString: pointer))
        } catch {
            throw .unexpectedReply(error.description)
        }
    }

    private static func read(_ iterator: inout DBusMessageIter) throws(DBusError) -> DBusValue {
        let type = try currentType(&iterator)
        return try read(type, &iterator)
    }

    private static func read(_ type: DBusType, _ iterator: inout DBusMessageIter) throws(DBusError) -> DBusValue {
        switch type {
        case .variant:
            var sub = DBusMessageIter()
            dbus_message_iter_recurse(&iterator, &sub)
            return .variant(try read(&sub))
        case .array(let element):
            var sub = DBusMessageIter()
            dbus_message_iter_recurse(&iterator, &sub)
            var items: [DBusValue] = []
            while dbus_message_iter_get_arg_type(&sub) != DBusTypeCode.invalid {
                items.append(try read(element, &sub))
                dbus_message_iter_next(&sub)
            }
            return .array(element: element, items)
        case .dictionary(let key, let value):
            var sub = DBusMessageIter()
            dbus_message_iter_recurse(&iterator, &sub)
            var entries: [DBusDictionaryEntry] = []
            while dbus_message_iter_get_arg_type(&sub) != DBusTypeCode.invalid {
                var pair = DBusMessageIter()
                dbus_message_iter_recurse(&sub, &pair)
                let keyValue = try read(key, &pair)
                dbus_message_iter_next(&pair)
                let valueValue = try read(value, &pair)
                entries.append(DBusDictionaryEntry(key: keyValue, value: valueValue))
                dbus_message_iter_next(&sub)
            }
            return .dictionary(key: key, value: value, entries)
        case .structure(let members):
            var sub = DBusMessageIter()
            dbus_message_iter_recurse(&iterator, &sub)
            var values: [DBusValue] = []
            for member in members {
                values.append(try read(member, &sub))
                dbus_message_iter_next(&sub)
            }
            return .structure(values)
        case .unixFD:
            // libdbus hands out a duplicate that we own: close it, adhocd never passes descriptors.
            var basic = DBusBasicValue()
            dbus_message_iter_get_basic(&iterator, &basic)
            if basic.fd >= 0 { close(basic.fd) }
            throw .unsupported("the reply carries a file descriptor (type h), which adhocd does not handle")
        default:
            var basic = DBusBasicValue()
            dbus_message_iter_get_basic(&iterator, &basic)
            switch type {
            case .byte: return .byte(basic.byt)
            case .boolean: return .boolean(basic.bool_val != 0)
            case .int16: return .int16(basic.i16)
            case .uint16: return .uint16(basic.u16)
            case .int32: return .int32(basic.i32)
            case .uint32: return .uint32(basic.u32)
            case .int64: return .int64(Int64(basic.i64))
            case .uint64: return .uint64(UInt64(basic.u64))
            case .double: return .double(basic.dbl)
            case .string: return .string(basic.str.map { String(cString: $0) } ?? "")
            case .objectPath: return .objectPath(basic.str.map { String(cString: $0) } ?? "/")
            case .signature: return .signature(basic.str.map { String(cString: $0) } ?? "")
            default: throw .unexpectedReply("unhandled type \(type.signature)")
            }
        }
    }
}
