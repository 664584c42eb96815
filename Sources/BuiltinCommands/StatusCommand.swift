import Commands
import HostMetrics
import XMPPCore

/// `status`: uptime, load, memory and disks, as one result form.
public struct StatusCommand: Command {
    public let node = "status"
    public let name = "Host status"
    public let policy: AccessPolicy
    public let host: HostReader
    public let stageTimeout: Duration = .seconds(10)

    public init(policy: AccessPolicy, host: HostReader = HostReader()) {
        self.policy = policy
        self.host = host
    }

    public func start(_ context: CommandContext) async throws -> CommandStep {
        .complete(.form(Self.form(for: try host.snapshot())))
    }

    /// The result form: summary fields, then a table of disks.
    public static func form(for snapshot: HostSnapshot) -> DataForm {
        let memory = snapshot.memory
        let memoryPercent = memory.totalBytes == 0 ? 0 : Int(memory.usedBytes * 100 / memory.totalBytes)
        return DataForm(
            .result,
            title: "Status of \(snapshot.hostname)",
            fields: [
                FormField("FORM_TYPE", type: .hidden, values: ["urn:adhocd:status"]),
                FormField("hostname", type: .textSingle, label: "Host", values: [snapshot.hostname]),
                FormField("uptime", type: .textSingle, label: "Up for", values: [Format.duration(seconds: snapshot.uptimeSeconds)]),
                FormField("load", type: .textSingle, label: "Load (1, 5, 15 min)", values: [
                    [snapshot.load.one, snapshot.load.five, snapshot.load.fifteen].map { Format.decimal($0, places: 2) }.joined(separator: " "),
                ]),
                FormField("memory", type: .textSingle, label: "Memory", values: [
                    "\(Format.bytes(memory.usedBytes)) of \(Format.bytes(memory.totalBytes)) used (\(memoryPercent)%)",
                ]),
            ],
            reported: [
                FormField("mount", type: .textSingle, label: "Mount"),
                FormField("size", type: .textSingle, label: "Size"),
                FormField("used", type: .textSingle, label: "Used"),
                FormField("free", type: .textSingle, label: "Free"),
                FormField("use", type: .textSingle, label: "Use%"),
            ],
            items: snapshot.disks.map { disk in
                [
                    FormField("mount", type: nil, values: [disk.mountPoint]),
                    FormField("size", type: nil, values: [Format.bytes(disk.totalBytes)]),
                    FormField("used", type: nil, values: [Format.bytes(disk.usedBytes)]),
                    FormField("free", type: nil, values: [Format.bytes(disk.availableBytes)]),
                    FormField("use", type: nil, values: ["\(disk.usedPercent)%"]),
                ]
            })
    }
}
