import ServiceLifecycle
import Synchronization
import Testing
@testable import AdhocdKit

/// Reloads are applied one at a time; a part restarted by a reload never overlaps its old run.
@Suite struct ReconfigurationTests {
    /// Counts reloads and notices any two that run at once.
    final class Recorder: Sendable {
        private let state = Mutex((running: 0, overlapped: false, reloads: 0, events: [String]()))

        func reload() async -> ReloadQueue.Outcome {
            let number = state.withLock { state in
                state.running += 1
                if state.running > 1 { state.overlapped = true }
                state.reloads += 1
                return state.reloads
            }
            await Task.yield()
            try? await Task.sleep(for: .milliseconds(1))
            state.withLock { $0.running -= 1 }
            return .success("reload \(number)")
        }

        func record(_ event: String) { state.withLock { $0.events.append(event) } }
        var overlapped: Bool { state.withLock { $0.overlapped } }
        var reloads: Int { state.withLock { $0.reloads } }
        var events: [String] { state.withLock { $0.events } }
    }

    @Test func concurrentRequestsAreAnsweredOneReloadAtATime() async throws {
        let queue = ReloadQueue()
        let recorder = Recorder()
        let server = Task { await queue.serve { await recorder.reload() } }
        defer { server.cancel() }

        let answers = await withTaskGroup(of: String?.self) { group in
            for index in 0..<100 {
                if index.isMultiple(of: 2) { queue.requestInBackground() }
                group.addTask { try? await queue.request().get() }
            }
            var answers: [String?] = []
            for await answer in group { answers.append(answer) }
            return answers
        }
        #expect(answers.count == 100)
        #expect(answers.allSatisfy { $0?.hasPrefix("reload ") == true })
        #expect(!recorder.overlapped)
        // Requests made while a reload runs share the next one.
        #expect(recorder.reloads <= 100)
    }

    @Test func aRequestIsAnsweredByAReloadThatBeganAfterIt() async throws {
        let queue = ReloadQueue()
        let counter = Mutex(0)
        // The first reload holds until released, so the second request surely arrives while it runs.
        let (started, startedSignal) = AsyncStream<Int>.makeStream()
        let (release, releaseSignal) = AsyncStream<Void>.makeStream()
        let server = Task {
            await queue.serve {
                let number = counter.withLock { value in
                    value += 1
                    return value
                }
                startedSignal.yield(number)
                if number == 1 {
                    for await _ in release { break }
                }
                return .success("\(number)")
            }
        }
        defer { server.cancel() }
        let first = Task { try await queue.request().get() }
        var starts = started.makeAsyncIterator()
        #expect(await starts.next() == 1)
        let second = Task { try await queue.request().get() }
        releaseSignal.yield()
        #expect(try await first.value == "1")
        #expect(try await second.value == "2")
    }

    @Test func requestsAfterShutdownAreRefused() async {
        let queue = ReloadQueue()
        let server = Task { await queue.serve { .success("done") } }
        server.cancel()
        await server.value
        #expect(await queue.request() == .failure(.shuttingDown))
    }

    @Test func newSettingsEndTheOldRunBeforeTheNextStarts() async throws {
        let recorder = Recorder()
        let service = RestartingService(initial: 1) { settings in
            recorder.record("start \(settings)")
            try? await Task.sleep(for: .seconds(3600))
            recorder.record("end \(settings)")
        }
        let running = Task { try await service.run() }
        try await waitUntil { recorder.events == ["start 1"] }
        #expect(!service.apply(1), "the same settings leave the run alone")
        #expect(service.apply(2))
        try await waitUntil { recorder.events.count == 3 }
        #expect(recorder.events == ["start 1", "end 1", "start 2"])
        // Several changes in a row: the latest wins, runs never overlap.
        for value in 3...20 { service.apply(value) }
        try await waitUntil { recorder.events.last == "start 20" }
        let events = recorder.events
        for (index, event) in events.enumerated() where event.hasPrefix("start") && index > 0 {
            #expect(events[index - 1].hasPrefix("end"), "a run started before the previous one ended: \(events)")
        }
        running.cancel()
        try await waitUntil { recorder.events.last == "end 20" }
    }

    @Test func aRunWithNothingToDoWaitsForNewSettings() async throws {
        let recorder = Recorder()
        let service = RestartingService(initial: 0) { settings in
            recorder.record("run \(settings)")
            guard settings > 0 else { return }
            try? await Task.sleep(for: .seconds(3600))
        }
        let running = Task { try await service.run() }
        defer { running.cancel() }
        try await waitUntil { recorder.events == ["run 0"] }
        service.apply(5)
        try await waitUntil { recorder.events == ["run 0", "run 5"] }
    }

    @Test func theSummaryNamesWhatChangedAndWhatNeedsARestart() {
        let summary = ReloadSummary(file: "a.toml", changes: [
            .applied("command rules"), .unchanged, .needsRestart("session limits"), .applied("presence"),
            .report("commands.d: 2 commands, unchanged"),
        ])
        #expect(summary.text == "Reloaded a.toml: updated command rules and presence; restart adhocd to apply changed session limits; commands.d: 2 commands, unchanged")
        #expect(ReloadSummary(file: "a.toml", changes: [.unchanged]).text == "Reloaded a.toml: nothing changed")
    }

    private func waitUntil(_ condition: @Sendable () -> Bool, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("condition not met within \(timeout)")
                return
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
