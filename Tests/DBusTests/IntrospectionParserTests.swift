import Foundation
import Testing
@testable import DBus

@Suite struct IntrospectionParserTests {
    static func sample(_ name: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Samples/\(name)")
        return try String(contentsOf: url, encoding: .utf8)
    }

    @Test func readsMPVsMPRISInterfaces() throws {
        let node = try IntrospectionParser.parse(try Self.sample("mpv-mpris.xml"))
        #expect(node.warnings.isEmpty)
        let player = try #require(node.interface(named: "org.mpris.MediaPlayer2.Player"))
        #expect(player.methods.map(\.name).contains("PlayPause"))
        let seek = try #require(player.methods.first { $0.name == "Seek" })
        #expect(seek.inputs == [IntrospectedArgument(name: "Offset", type: .int64)])
        let setPosition = try #require(player.methods.first { $0.name == "SetPosition" })
        #expect(setPosition.inputs.map(\.type) == [.objectPath, .int64])
        let volume = try #require(player.properties.first { $0.name == "Volume" })
        #expect(volume.type == .double && volume.access == .readwrite)
        let metadata = try #require(player.properties.first { $0.name == "Metadata" })
        #expect(metadata.type == .dictionary(key: .string, value: .variant) && metadata.access == .read)
        let properties = try #require(node.interface(named: "org.freedesktop.DBus.Properties"))
        #expect(properties.signals.first?.name == "PropertiesChanged")
        let get = try #require(properties.methods.first { $0.name == "Get" })
        #expect(get.outputs == [IntrospectedArgument(name: "value", type: .variant)])
    }

    @Test func readsChildrenDirectionsAndAnnotations() throws {
        let node = try IntrospectionParser.parse("""
        <!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
         "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">
        <node name="/org/example">
          <interface name="org.example.Thing">
            <method name="Add"><arg name="a" type="i"/><arg name="b" type="i" direction="in"/><arg type="i" direction="out"/>
              <annotation name="org.freedesktop.DBus.Deprecated" value="true"/></method>
            <method name="Fire"><annotation name="org.freedesktop.DBus.Method.NoReply" value="true"/></method>
            <method name="Bad"><arg type="a{vs}"/></method>
            <method name="1Bad"/>
            <property name="Secret" type="s" access="write"/>
            <property name="Broken" type="s"/>
            <signal name="Changed"><arg type="s" name="what"/></signal>
          </interface>
          <interface name="not-valid"/>
          <node name="child"/><node name="also_child"/><node name="bad/child"/>
        </node>
        """)
        let thing = try #require(node.interface(named: "org.example.Thing"))
        #expect(thing.methods.map(\.name) == ["Add", "Fire"])
        #expect(thing.methods[0].inputs.count == 2 && thing.methods[0].outputs.count == 1 && thing.methods[0].isDeprecated)
        #expect(thing.methods[1].expectsNoReply)
        #expect(thing.properties == [IntrospectedProperty(name: "Secret", type: .string, access: .write)])
        #expect(thing.signals == [IntrospectedSignal(name: "Changed", arguments: [IntrospectedArgument(name: "what", type: .string)])])
        #expect(node.children == ["child", "also_child"])
        #expect(node.interfaces.count == 1)
        #expect(node.warnings.count == 5, "\(node.warnings)")
    }

    @Test(arguments: [
        "", "<node>", "<notnode/>", "<node><interface name='a.b'></node>",
        "<!DOCTYPE node [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;'>]><node><interface name='&b;'/></node>",
        "<!DOCTYPE node SYSTEM 'file:///etc/passwd'><node>&xxe;</node>",
    ])
    func refusesMalformedOrHostileDocuments(_ xml: String) {
        #expect(throws: IntrospectionError.self) { try IntrospectionParser.parse(xml) }
    }

    @Test func refusesHugeDocuments() {
        let huge = "<node>" + String(repeating: "<node name='a'/>", count: 300_000) + "</node>"
        #expect(throws: IntrospectionError.tooLarge(huge.utf8.count)) { try IntrospectionParser.parse(huge) }
    }
}
