/// An XML element as a value: a name in a namespace, ordered attributes, and mixed content.
///
/// Namespaces are resolved: `name` is the local name and `namespace` the URI, whatever prefix
/// the wire used. Prefixed attributes keep their prefix in `name` (`xml:lang`), and the
/// declarations they need (`xmlns:p`) stay as ordinary attributes so a tree round-trips.
public struct XMLElement: Hashable, Sendable {
    public var name: String
    public var namespace: String
    public var attributes: [XMLAttribute]
    public var children: [XMLNode]

    public init(
        _ name: String,
        namespace: String = "",
        attributes: [XMLAttribute] = [],
        children: [XMLNode] = []
    ) {
        self.name = name
        self.namespace = namespace
        self.attributes = attributes
        self.children = children
    }

    /// Convenience for building: attributes from pairs, in the given order, nil values skipped.
    public init(
        _ name: String,
        namespace: String = "",
        _ attributes: KeyValuePairs<String, String?>,
        children: [XMLNode] = []
    ) {
        // Sized once: `compactMap` grows its array one doubling at a time (an allocation each).
        var present: [XMLAttribute] = []
        present.reserveCapacity(attributes.count)
        for (key, value) in attributes {
            if let value { present.append(XMLAttribute(key, value)) }
        }
        self.init(name, namespace: namespace, attributes: present, children: children)
    }

    /// An element holding only text.
    public init(_ name: String, namespace: String = "", text: String) {
        self.init(name, namespace: namespace, children: text.isEmpty ? [] : [.text(text)])
    }

    // MARK: Attributes

    /// The value of the attribute with this (possibly prefixed) name; setting nil removes it.
    public subscript(attribute name: String) -> String? {
        get { attributes.first { $0.name == name }?.value }
        set {
            if let index = attributes.firstIndex(where: { $0.name == name }) {
                if let newValue { attributes[index].value = newValue } else { attributes.remove(at: index) }
            } else if let newValue {
                attributes.append(XMLAttribute(name, newValue))
            }
        }
    }

    // MARK: Children

    /// The child elements, skipping text.
    public var elements: [XMLElement] {
        var elements: [XMLElement] = []
        elements.reserveCapacity(children.count)
        for case .element(let element) in children { elements.append(element) }
        return elements
    }

    /// The first child element with this name (and namespace, when given).
    public func child(_ name: String, namespace: String? = nil) -> XMLElement? {
        for case .element(let element) in children
        where element.name == name && (namespace == nil || element.namespace == namespace) {
            return element
        }
        return nil
    }

    /// Every child element with this name (and namespace, when given).
    public func children(_ name: String, namespace: String? = nil) -> [XMLElement] {
        var matching: [XMLElement] = []
        for case .element(let element) in children
        where element.name == name && (namespace == nil || element.namespace == namespace) {
            matching.append(element)
        }
        return matching
    }

    /// The concatenated text of this element's direct text children.
    public var text: String {
        var result = ""
        for case .text(let text) in children { result += text }
        return result
    }

    /// The text of the first child element with this name, if there is one.
    public func childText(_ name: String, namespace: String? = nil) -> String? {
        child(name, namespace: namespace)?.text
    }

    public mutating func append(_ element: XMLElement) { children.append(.element(element)) }

    public mutating func append(text: String) {
        guard !text.isEmpty else { return }
        if case .text(let previous) = children.last {
            children[children.count - 1] = .text(previous + text)
        } else {
            children.append(.text(text))
        }
    }

    /// A copy with one more child element; for building trees in one expression.
    public func appending(_ element: XMLElement) -> XMLElement {
        var copy = self
        copy.append(element)
        return copy
    }
}

/// One attribute; `name` may carry a prefix (`xml:lang`, `xmlns:stream`).
public struct XMLAttribute: Hashable, Sendable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A piece of element content.
public enum XMLNode: Hashable, Sendable {
    case element(XMLElement)
    case text(String)
}
