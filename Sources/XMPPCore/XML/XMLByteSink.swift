/// Where serialized XML goes. Every writer of XML text runs twice over the same code: once
/// into an `XMLByteCounter` to learn the exact size, then into an `XMLBufferWriter` inside the
/// string's own storage. Measured with callgrind, this costs a third of appending the pieces
/// to a `String` one by one (each `+=` checks, grows and copies on its own).
protocol XMLByteSink {
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>)
    mutating func append(ascii byte: UInt8)
    mutating func append(_ text: String)
}

extension XMLByteSink {
    mutating func append(_ text: String) {
        withUTF8(of: text) { append($0) }
    }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { append($0) }
    }

    /// Appends `text` escaped as XML (see `XMLEscaping.appendEscaped`): runs that need nothing
    /// are copied whole, and only the bytes that do are rewritten.
    mutating func appendEscaped(_ text: String, inAttribute: Bool) {
        withUTF8(of: text) { bytes in
            var runStart = 0
            var index = 0
            while index < bytes.count {
                guard let escape = XMLEscaping.escape(in: bytes, at: index, inAttribute: inAttribute) else {
                    index += 1
                    continue
                }
                if runStart < index { append(UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
                append(escape.replacement)
                index += escape.consumed
                runStart = index
            }
            if runStart < bytes.count { append(UnsafeBufferPointer(rebasing: bytes[runStart...])) }
        }
    }
}

/// The UTF-8 bytes of `text`, in place where they are contiguous (always, for native strings);
/// `withUTF8` on a copy would retain and release the storage around every piece.
@inline(__always)
func withUTF8<Result>(of text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
    if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
    var text = text
    return text.withUTF8(body)
}

/// Counts the bytes that would be written.
struct XMLByteCounter: XMLByteSink {
    private(set) var count = 0

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) { count += bytes.count }
    mutating func append(ascii byte: UInt8) { count += 1 }
    mutating func append(_ text: String) { count += text.utf8.count }
}

/// Writes into a buffer sized by an `XMLByteCounter` run over the same content.
struct XMLBufferWriter: XMLByteSink {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private(set) var count = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        // A count that disagreed with the writing would be a bug here; never write past the end.
        precondition(bytes.count <= buffer.count - count, "XML written past the size counted for it")
        guard let source = bytes.baseAddress, let target = buffer.baseAddress else { return }
        (target + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func append(ascii byte: UInt8) {
        precondition(count < buffer.count, "XML written past the size counted for it")
        buffer[count] = byte
        count += 1
    }
}

/// Something written as XML text through a sink.
protocol XMLWritable {
    func write(to sink: inout some XMLByteSink)
}

extension String {
    /// The XML text of `content`, counted first, then written into storage of exactly that size.
    init(writing content: some XMLWritable) {
        var counter = XMLByteCounter()
        content.write(to: &counter)
        self.init(unsafeUninitializedCapacity: counter.count) { buffer in
            var writer = XMLBufferWriter(buffer)
            content.write(to: &writer)
            return writer.count
        }
    }
}
