import Commands

/// A command a `[[dbus]]` block will offer once its service is on the bus, as far as the
/// configuration alone tells: for `adhocd commands`, which lists commands without a bus.
public struct PlannedDBusCommand: Sendable, Equatable {
    /// The command node; nil for plain blocks, whose nodes come from introspecting the live
    /// service (`adhocd dbus introspect` previews them).
    public var node: String?
    public var name: String
    /// Which block (from 0) offers it.
    public var blockIndex: Int
    public var policy: AccessPolicy
}

extension DBusBridge {
    /// The commands `blocks` will offer: every node of the presets, one entry per plain block.
    public static func plannedCommands(for blocks: [DBusBlock]) -> [PlannedDBusCommand] {
        let ordinals = remoteOrdinals(blocks)
        return blocks.enumerated().flatMap { index, block -> [PlannedDBusCommand] in
            switch block.preset {
            case .mpris:
                return [PlannedDBusCommand(
                    node: MediaRemoteCommand.node(ordinal: ordinals[index] ?? index), name: block.label, blockIndex: index,
                    policy: block.policy)]
            case .systemd:
                return block.units.flatMap { unit in
                    SystemdUnitCommand.Operation.allCases.map { operation in
                        PlannedDBusCommand(
                            node: SystemdUnitCommand.node(unit: unit, operation: operation),
                            name: SystemdUnitCommand.name(unit: unit, operation: operation, label: block.label),
                            blockIndex: index, policy: block.policy)
                    }
                }
            case .none:
                return [PlannedDBusCommand(node: nil, name: block.label, blockIndex: index, policy: block.policy)]
            }
        }
    }
}
