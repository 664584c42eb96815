/// A TOML date, time or date-time (RFC 3339), as written: no key of adhocd takes one, but a
/// document holding one is valid TOML and reads as such, and an impossible date is refused.
///
/// Which parts are present tells the four TOML kinds apart: offset date-time (all three), local
/// date-time (no offset), local date, local time. Fractions of seconds are kept to the
/// nanosecond; further digits are dropped, as TOML allows.
public struct TOMLDateTime: Sendable, Hashable, CustomStringConvertible {
    public struct LocalDate: Sendable, Hashable {
        public var year: Int
        public var month: Int
        public var day: Int
    }

    public struct LocalTime: Sendable, Hashable {
        public var hour: Int
        public var minute: Int
        public var second: Int
        public var nanosecond: Int
    }

    public var date: LocalDate?
    public var time: LocalTime?
    /// Minutes east of UTC (`Z` is 0); nil unless both date and time are present and an offset
    /// was written.
    public var offsetMinutes: Int?

    /// The kind as a person calls it, for errors about a value of the wrong type.
    public var kindName: String {
        switch (date, time, offsetMinutes) {
        case (.some, .some, .some): "date-time"
        case (.some, .some, nil): "local date-time"
        case (.some, nil, _): "date"
        default: "time"
        }
    }

    /// RFC 3339 text: `1979-05-27T07:32:00.5-07:00`, fraction digits only as needed.
    public var description: String {
        var text = ""
        if let date { text += Self.digits(date.year, 4) + "-" + Self.digits(date.month, 2) + "-" + Self.digits(date.day, 2) }
        if let time {
            if date != nil { text += "T" }
            text += Self.digits(time.hour, 2) + ":" + Self.digits(time.minute, 2) + ":" + Self.digits(time.second, 2)
            if time.nanosecond > 0 {
                var fraction = Self.digits(time.nanosecond, 9)
                while fraction.hasSuffix("0") { fraction.removeLast() }
                text += "." + fraction
            }
        }
        if let offsetMinutes {
            if offsetMinutes == 0 { return text + "Z" }
            text += offsetMinutes < 0 ? "-" : "+"
            text += Self.digits(abs(offsetMinutes) / 60, 2) + ":" + Self.digits(abs(offsetMinutes) % 60, 2)
        }
        return text
    }

    private static func digits(_ number: Int, _ width: Int) -> String {
        let text = String(number)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

extension TOMLDateTime {
    /// Reads the date-time that starts `bytes`, TOML's grammar: `YYYY-MM-DD`, optionally followed
    /// by `T`, `t` or a space and a time; or a time alone, `HH:MM:SS` with an optional fraction;
    /// a date with a time may carry `Z`, `z` or `±HH:MM`.
    ///
    /// Returns the value and how many bytes it took, nil when `bytes` does not start with one,
    /// or throws when it does but names an impossible date or time (February 30, 24:00).
    static func scan(_ bytes: ArraySlice<UInt8>) throws(InvalidDateTime) -> (value: TOMLDateTime, length: Int)? {
        var scanner = DateTimeScanner(bytes: bytes)
        guard let value = try scanner.scan() else { return nil }
        return (value, scanner.offset)
    }

    /// A date or time in the right form but out of range.
    struct InvalidDateTime: Swift.Error {
        var problem: String
    }
}

/// The character-level work of `TOMLDateTime.scan`.
private struct DateTimeScanner {
    let bytes: ArraySlice<UInt8>
    var offset = 0

    mutating func scan() throws(TOMLDateTime.InvalidDateTime) -> TOMLDateTime? {
        if let date = try date() {
            var value = TOMLDateTime(date: date)
            // The separator belongs to the value only when a time follows it.
            let mark = offset
            if let separator = byte(at: offset), separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == UInt8(ascii: " ") {
                offset += 1
                if let time = try time() {
                    value.time = time
                    value.offsetMinutes = try timeOffset()
                } else {
                    offset = mark
                }
            }
            return value
        }
        guard let time = try time() else { return nil }
        return TOMLDateTime(time: time)
    }

    private mutating func date() throws(TOMLDateTime.InvalidDateTime) -> TOMLDateTime.LocalDate? {
        guard matches("dddd-dd-dd"), let year = number(0, 4), let month = number(5, 2), let day = number(8, 2) else { return nil }
        let text = String(decoding: bytes.dropFirst(offset).prefix(10), as: UTF8.self)
        // Python's tomllib refuses year 0000 too (its calendar starts at year 1).
        guard year >= 1 else { throw .init(problem: "'\(text)' is not a valid date: the years start at 0001") }
        guard (1...12).contains(month) else { throw .init(problem: "'\(text)' is not a valid date: there is no month \(month)") }
        guard (1...Self.days(inMonth: month, of: year)).contains(day) else {
            throw .init(problem: "'\(text)' is not a valid date: that month has no day \(day)")
        }
        offset += 10
        return .init(year: year, month: month, day: day)
    }

    private mutating func time() throws(TOMLDateTime.InvalidDateTime) -> TOMLDateTime.LocalTime? {
        guard matches("dd:dd:dd"), let hour = number(0, 2), let minute = number(3, 2), let second = number(6, 2) else { return nil }
        let text = String(decoding: bytes.dropFirst(offset).prefix(8), as: UTF8.self)
        guard hour < 24, minute < 60, second < 60 else {
            throw .init(problem: "'\(text)' is not a valid time: hours go to 23, minutes and seconds to 59")
        }
        offset += 8
        var nanosecond = 0
        if byte(at: offset) == UInt8(ascii: "."), let first = byte(at: offset + 1), isDigit(first) {
            offset += 1
            var scale = 100_000_000
            while let digit = byte(at: offset), isDigit(digit) {
                nanosecond += Int(digit - UInt8(ascii: "0")) * scale
                scale /= 10
                offset += 1
            }
        }
        return .init(hour: hour, minute: minute, second: second, nanosecond: nanosecond)
    }

    private mutating func timeOffset() throws(TOMLDateTime.InvalidDateTime) -> Int? {
        guard let mark = byte(at: offset) else { return nil }
        if mark == UInt8(ascii: "Z") || mark == UInt8(ascii: "z") {
            offset += 1
            return 0
        }
        guard mark == UInt8(ascii: "+") || mark == UInt8(ascii: "-"), matches("dd:dd", at: offset + 1),
              let hours = number(1, 2), let minutes = number(4, 2)
        else { return nil }
        guard hours < 24, minutes < 60 else {
            let text = String(decoding: bytes.dropFirst(offset).prefix(6), as: UTF8.self)
            throw .init(problem: "'\(text)' is not a valid time offset")
        }
        offset += 6
        return (hours * 60 + minutes) * (mark == UInt8(ascii: "-") ? -1 : 1)
    }

    private static func days(inMonth month: Int, of year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Whether the bytes from `start` (default: the current offset) follow `pattern`, where `d`
    /// stands for an ASCII digit and any other character for itself.
    private func matches(_ pattern: String, at start: Int? = nil) -> Bool {
        let base = start ?? offset
        for (index, expected) in pattern.utf8.enumerated() {
            guard let actual = byte(at: base + index) else { return false }
            if expected == UInt8(ascii: "d") ? !isDigit(actual) : actual != expected { return false }
        }
        return true
    }

    /// The decimal number of `length` digits at `start` past the current offset.
    private func number(_ start: Int, _ length: Int) -> Int? {
        var value = 0
        for index in 0..<length {
            guard let digit = byte(at: offset + start + index), isDigit(digit) else { return nil }
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return value
    }

    private func byte(at index: Int) -> UInt8? {
        index < bytes.count ? bytes[bytes.startIndex + index] : nil
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
