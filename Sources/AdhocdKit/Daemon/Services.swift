import ServiceLifecycle
import UnixSignals
import XMPPClient

/// The XMPP client as a lifecycle service: graceful shutdown signs off from the server.
struct ClientService: Service {
    let client: XMPPClient

    func run() async throws {
        await withGracefulShutdownHandler {
            await client.run()
        } onGracefulShutdown: { [client] in
            Task { await client.shutdown() }
        }
    }
}

/// Runs an action at a fixed interval until shutdown.
struct PeriodicService: Service {
    let interval: Duration
    let action: @Sendable () async -> Void

    func run() async throws {
        try? await cancelWhenGracefulShutdown { [interval, action] in
            while true {
                try await Task.sleep(for: interval)
                await action()
            }
        }
    }
}

/// Reacts to client events: after each login, warns about rule groups the roster lacks.
struct EventWatcher: Service {
    let daemon: Daemon

    func run() async throws {
        let events = daemon.client.events()
        await cancelWhenGracefulShutdown { [daemon] in
            for await event in events {
                if case .online = event { daemon.warnAboutUnknownGroups() }
            }
        }
    }
}

/// SIGHUP re-reads the configuration, as daemons conventionally do.
struct ReloadOnHangup: Service {
    let daemon: Daemon

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown { [daemon] in
            for await _ in signals {
                await daemon.reloadReportingErrors()
            }
        }
    }
}

/// A part of the daemon with a task of its own (the D-Bus bridge, the health monitor): started
/// with the daemon, stopped on shutdown. The part runs in its own task (a reload may replace
/// it); this service only holds its place in the lifecycle.
struct BackgroundTaskService: Service {
    let start: @Sendable () async -> Void
    let stop: @Sendable () -> Void

    func run() async throws {
        await start()
        try? await cancelWhenGracefulShutdown {
            while true { try await Task.sleep(for: .seconds(86_400)) }
        }
        stop()
    }
}
