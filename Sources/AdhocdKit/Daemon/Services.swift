import AdHoc
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

/// Reacts to client events: after each login, warns about rule groups the roster lacks and
/// publishes the tune again; how each ad-hoc answer was delivered goes to the commands.d audit;
/// after the first login, gives back the pages start-up alone needed.
struct EventWatcher: Service {
    let daemon: Daemon

    func run() async throws {
        let runtime = daemon.commandFiles.runtime
        let events = daemon.client.events { event in
            switch event {
            case .online: true
            case .answerDelivered(let report):
                report.answer.namespace == CommandNamespace.commands
                    && runtime.awaitsDelivery(to: report.answer.requester, requestID: report.answer.requestID)
            default: false
            }
        }
        await cancelWhenGracefulShutdown { [daemon] in
            var started = false
            for await event in events {
                switch event {
                case .online:
                    daemon.warnAboutUnknownGroups()
                    await daemon.dbusEvents.cameOnline()
                    if !started {
                        started = true
                        StartupPages.release()
                    }
                case .answerDelivered(let report) where report.answer.namespace == CommandNamespace.commands:
                    daemon.commandFiles.runtime.answerDelivered(
                        to: report.answer.requester, requestID: report.answer.requestID,
                        delivery: report.outcome.description, acknowledged: report.acknowledged)
                default:
                    break
                }
            }
        }
    }
}

/// SIGHUP re-reads the configuration, as daemons conventionally do. The reload queue logs
/// the outcome; a burst of signals shares reloads rather than queueing one each.
struct ReloadOnHangup: Service {
    let reloads: ReloadQueue

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown { [reloads] in
            for await _ in signals {
                reloads.requestInBackground()
            }
        }
    }
}
