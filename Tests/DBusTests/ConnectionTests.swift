import Foundation
import TestSupport
import Testing
@testable import DBus

/// The connection against a real private `dbus-daemon`.
@Suite(.serialized, .enabled(if: PrivateBus.testsEnabled, Comment(rawValue: PrivateBus.missingMessage)))
struct ConnectionTests {
    @Test func callsTheBusAndWatchesNames() async throws {
        let bus = try await PrivateBus.started()
        defer { bus.stop() }
        let connection = try await DBusConnection.connect(to: .address(bus.address))
        #expect(connection.uniqueName.hasPrefix(":"))
        let names = try await connection.listNames()
        #expect(names.contains("org.freedesktop.DBus"))
        #expect(names.contains(connection.uniqueName))
        #expect(try await connection.nameOwner(of: "org.example.Nobody") == nil)

        let changes = try await connection.nameOwnerChanges()
        let other = try await DBusConnection.connect(to: .address(bus.address))
        _ = try await other.call(destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus", interface: "org.freedesktop.DBus",
                                 member: "RequestName", arguments: [.string("org.adhocd.Probe"), .uint32(0)])
        var iterator = changes.makeAsyncIterator()
        var appeared = false
        while let change = await iterator.next() {
            if change.name == "org.adhocd.Probe", change.appeared { appeared = true; break }
        }
        #expect(appeared)
        other.close()
        var vanished = false
        while let change = await iterator.next() {
            if change.name == "org.adhocd.Probe", change.vanished { vanished = true; break }
        }
        #expect(vanished)

        do {
            _ = try await connection.call(destination: "org.adhocd.Nobody", path: "/", interface: nil, member: "Ping")
            Issue.record("expected ServiceUnknown")
        } catch {
            guard case .remote(let name, _) = error else { Issue.record("\(error)"); return }
            #expect(name == DBusError.serviceUnknown || name == DBusError.nameHasNoOwner)
        }
        connection.close()
        await connection.waitUntilDisconnected()
        await #expect(throws: DBusError.disconnected) { try await connection.listNames() }
    }

    @Test func busGoingAwayEndsTheConnectionNotTheProcess() async throws {
        let bus = try await PrivateBus.started()
        let connection = try await DBusConnection.connect(to: .address(bus.address))
        let changes = try await connection.nameOwnerChanges()
        bus.stop()
        await connection.waitUntilDisconnected()
        for await _ in changes {}
        await #expect(throws: DBusError.disconnected) { try await connection.listNames() }
        connection.close()
    }
}

