import Foundation
import Logging
import Synchronization
import TestSupport
import Testing
import XMPPCore
@testable import XMPPClient

/// Every event a client emitted, and how far the test has read.
final class EventLog: Sendable {
    private let state = Mutex<(events: [ClientEvent], cursor: Int)>(([], 0))

    func append(_ event: ClientEvent) {
        state.withLock { $0.events.append(event) }
    }

    /// Whether any event so far, read or not, matches.
    func contains(_ match: (ClientEvent) -> Bool) -> Bool {
        state.withLock { $0.events.contains(where: match) }
    }

    /// The first unread event `match` accepts; everything up to it counts as read.
    func take<T>(_ match: (ClientEvent) -> T?) -> T? {
        state.withLock { state in
            for index in state.cursor..<state.events.count {
                if let value = match(state.events[index]) {
                    state.cursor = index + 1
                    return value
                }
            }
            return nil
        }
    }
}

/// A client under test, running its supervisor in a task and recording every event.
final class RunningClient: Sendable {
    let client: XMPPClient
    private let log = EventLog()
    private let task: Task<Void, Never>
    private let recorder: Task<Void, Never>

    init(_ client: XMPPClient) {
        self.client = client
        let events = client.events()
        recorder = Task { [log] in
            for await event in events { log.append(event) }
        }
        task = Task { await client.run() }
    }

    /// Waits for the first unread event `match` accepts.
    @discardableResult
    func wait<T: Sendable>(
        for description: String, timeout: Duration = .seconds(15), _ match: @escaping @Sendable (ClientEvent) -> T?
    ) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let value = log.take(match) { return value }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("timed out after \(timeout) waiting for \(description)")
    }

    /// Whether the client emitted a matching event at any time since it started.
    func hasEmitted(_ match: @escaping @Sendable (ClientEvent) -> Bool) -> Bool {
        log.contains(match)
    }

    @discardableResult
    func waitOnline(timeout: Duration = .seconds(15)) async throws -> SessionInfo {
        try await wait(for: "online", timeout: timeout) { if case .online(let info) = $0 { info } else { nil } }
    }

    func stop() async {
        await client.shutdown()
        task.cancel()
        await task.value
        recorder.cancel()
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func makeClient(
    _ sandbox: ProsodySandbox,
    account: String,
    password: String,
    resource: String = "adhocd",
    tls: TLSMode = .startTLS,
    trustTestCA: Bool = true,
    configure: (inout ClientConfiguration) -> Void = { _ in }
) -> XMPPClient {
    var configuration = ClientConfiguration(
        account: sandbox.jid(account),
        password: Secret(password),
        resource: resource,
        host: sandbox.host,
        port: tls == .directTLS ? sandbox.directTLSPort : sandbox.c2sPort,
        tls: tls,
        tlsSettings: TLSSettings(caFile: trustTestCA ? sandbox.caFile : nil),
        backoff: Backoff(initial: .milliseconds(500), maximum: .seconds(4)))
    configure(&configuration)
    var logger = Logger(label: "test.\(account).\(resource)")
    logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
    return XMPPClient(configuration: configuration, logger: logger)
}

/// Starts clients, runs `body`, and stops every client afterwards, also on failure.
func withClients<T>(_ clients: [XMPPClient], _ body: ([RunningClient]) async throws -> T) async throws -> T {
    let running = clients.map(RunningClient.init)
    do {
        let result = try await body(running)
        for client in running { await client.stop() }
        return result
    } catch {
        for client in running { await client.stop() }
        throw error
    }
}
