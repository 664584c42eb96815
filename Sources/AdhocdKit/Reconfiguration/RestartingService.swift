import ServiceLifecycle
import Synchronization

/// A part that runs for as long as it is configured and starts over when its settings change:
/// the D-Bus bridge, the health monitor.
///
/// Each run is a child task of this service's `run()`: new settings cancel it and wait for it
/// to end before the next run starts, so two never overlap, and graceful shutdown ends the
/// current one. Nothing outlives the service group.
final class RestartingService<Settings: Sendable & Equatable>: Service {
    private let body: @Sendable (Settings) async -> Void
    private let mailbox: SettingsMailbox<Settings>

    /// `body` runs the part with its settings until cancelled (or until it has nothing to do).
    init(initial: Settings, body: @escaping @Sendable (Settings) async -> Void) {
        self.body = body
        mailbox = SettingsMailbox(initial)
    }

    /// The settings the current (or next) run uses.
    var settings: Settings { mailbox.latest }

    /// Replaces the settings; false when they are the same (the run goes on untouched).
    @discardableResult
    func apply(_ settings: Settings) -> Bool {
        mailbox.put(settings)
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var settings = self.mailbox.take()
            while !Task.isCancelled {
                settings = await self.runUntilReplaced(settings)
            }
        }
    }

    private enum Ending: Sendable {
        case replaced(Settings)
        case finished
    }

    /// Runs one configuration until new settings arrive; returns them.
    private func runUntilReplaced(_ settings: Settings) async -> Settings {
        await withTaskGroup(of: Ending.self) { group in
            group.addTask {
                await self.body(settings)
                return .finished
            }
            group.addTask { .replaced(await self.mailbox.next()) }
            while let ending = await group.next() {
                if case .replaced(let new) = ending {
                    group.cancelAll()
                    return new
                }
                // The run ended by itself (nothing configured): wait for new settings only.
            }
            return settings
        }
    }
}

/// The latest settings and a waiter for the next change; older unread values are dropped.
private final class SettingsMailbox<Settings: Sendable & Equatable>: Sendable {
    private struct State {
        var latest: Settings
        var unread = false
        var waiter: CheckedContinuation<Settings, Never>?
    }

    private let state: Mutex<State>

    init(_ initial: Settings) {
        state = Mutex(State(latest: initial))
    }

    var latest: Settings { state.withLock { $0.latest } }

    func take() -> Settings {
        state.withLock { state in
            state.unread = false
            return state.latest
        }
    }

    func put(_ settings: Settings) -> Bool {
        let (changed, waiter) = state.withLock { state -> (Bool, CheckedContinuation<Settings, Never>?) in
            guard settings != state.latest else { return (false, nil) }
            state.latest = settings
            guard let waiter = state.waiter else {
                state.unread = true
                return (true, nil)
            }
            state.waiter = nil
            return (true, waiter)
        }
        waiter?.resume(returning: settings)
        return changed
    }

    /// The next settings put after the last take; on cancellation, the latest (unused then).
    func next() async -> Settings {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Settings? in
                    if state.unread || Task.isCancelled {
                        state.unread = false
                        return state.latest
                    }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let (waiter, latest) = state.withLock { state in
                defer { state.waiter = nil }
                return (state.waiter, state.latest)
            }
            waiter?.resume(returning: latest)
        }
    }
}
