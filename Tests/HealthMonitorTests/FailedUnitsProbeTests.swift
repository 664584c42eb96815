import DBus
import TestSupport
import Testing
@testable import HealthMonitor

/// The failed-units probe against a stand-in systemd on a private bus, and without any.
@Suite(.serialized, .enabled(if: PrivateBus.testsEnabled, Comment(rawValue: PrivateBus.missingMessage)))
struct FailedUnitsProbeTests {
    let units = [
        FakeSystemd.Unit(name: "nginx.service", activeState: "failed"),
        FakeSystemd.Unit(name: "cron.service", activeState: "active"),
        FakeSystemd.Unit(name: "backup.timer", activeState: "failed"),
    ]

    @Test func listsFailedUnitsAndIsUnavailableWithoutSystemd() async throws {
        let bus = try await PrivateBus.started()
        defer { bus.stop() }
        let probe = FailedUnitsProbe(bus: .address(bus.address))
        defer { probe.close() }
        #expect(await probe.read(within: .seconds(5)) == .unavailable("systemd is not on the bus"))

        let systemd = try FakeSystemd(address: bus.address, units: units)
        #expect(await probe.read(within: .seconds(5)) == .reading(.failedUnits(["backup.timer", "nginx.service"])))
        systemd.stop()

        // An older systemd without ListUnitsFiltered: every unit, filtered here.
        let old = try FakeSystemd(address: bus.address, units: units, supportsFiltering: false)
        defer { old.stop() }
        #expect(await probe.read(within: .seconds(5)) == .reading(.failedUnits(["backup.timer", "nginx.service"])))
    }

    @Test func noBusIsUnavailableAndALostBusIsSurvived() async throws {
        let nowhere = FailedUnitsProbe(bus: .address("unix:path=/nonexistent/adhocd-test-bus"))
        guard case .unavailable = await nowhere.read(within: .seconds(5)) else {
            Issue.record("expected unavailable")
            return
        }

        let bus = try await PrivateBus.started()
        let probe = FailedUnitsProbe(bus: .address(bus.address))
        defer { probe.close() }
        let systemd = try FakeSystemd(address: bus.address, units: units)
        #expect(await probe.read(within: .seconds(5)) == .reading(.failedUnits(["backup.timer", "nginx.service"])))
        systemd.stop()
        bus.stop()
        // The first call after the loss fails, the next finds no bus: never a crash or a hang.
        let afterLoss = await probe.read(within: .seconds(5))
        #expect(afterLoss == .failed("the system bus went away") || afterLoss == .unavailable("systemd is not on the bus"))
        guard case .unavailable = await probe.read(within: .seconds(5)) else {
            Issue.record("expected unavailable once the bus is gone")
            return
        }
    }
}
