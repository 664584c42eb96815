import Synchronization

/// The commands on offer, grouped by the provider that supplied them so each provider can
/// replace its own set at run time (a reload, a D-Bus service appearing) without touching others.
public final class CommandRegistry: Sendable {
    private struct State {
        var providers: [String: [any Command]] = [:]
        /// Providers in the order they first registered, for a stable command list.
        var providerOrder: [String] = []
        /// The merged list and its index, rebuilt on change so lookups stay cheap.
        var ordered: [any Command] = []
        var byNode: [String: any Command] = [:]

        mutating func rebuild() {
            ordered = []
            byNode = [:]
            for provider in providerOrder {
                // When two providers claim one node the earlier provider keeps it.
                for command in providers[provider] ?? [] where byNode[command.node] == nil {
                    byNode[command.node] = command
                    ordered.append(command)
                }
            }
        }
    }

    private let state = Mutex(State())

    public init() {}

    /// Sets the commands of one provider, replacing what it had before.
    public func setCommands(_ commands: [any Command], provider: String) {
        state.withLock { state in
            if state.providers[provider] == nil { state.providerOrder.append(provider) }
            state.providers[provider] = commands
            state.rebuild()
        }
    }

    public func removeProvider(_ provider: String) {
        state.withLock { state in
            state.providers[provider] = nil
            state.providerOrder.removeAll { $0 == provider }
            state.rebuild()
        }
    }

    /// The providers that currently have commands, in registration order.
    public var providers: [String] {
        state.withLock { $0.providerOrder }
    }

    /// Every command, in provider order then each provider's own order.
    public var commands: [any Command] {
        state.withLock { $0.ordered }
    }

    public func command(for node: String) -> (any Command)? {
        state.withLock { $0.byNode[node] }
    }
}
