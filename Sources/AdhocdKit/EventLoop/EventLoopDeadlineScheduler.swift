import Commands
import NIOCore
import NIOPosix

/// Stage time limits as timers on the event loop, where the rest of adhocd runs.
struct EventLoopDeadlineScheduler: DeadlineScheduler {
    let eventLoop: any EventLoop

    init(eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.any()) {
        self.eventLoop = eventLoop
    }

    /// A scheduled callback, not a scheduled task: no promise and future are made for a result
    /// nobody reads (one per command stage).
    func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> any ScheduledDeadline {
        do {
            return LoopTimer(callback: try eventLoop.scheduleCallback(in: TimeAmount(delay), handler: Action(run: action)))
        } catch {
            // Only a loop that is shutting down refuses; the process is ending with it.
            return LoopTimer(callback: nil)
        }
    }

    private struct Action: NIOScheduledCallbackHandler, Sendable {
        let run: @Sendable () -> Void
        func handleScheduledCallback(eventLoop: some EventLoop) { run() }
    }

    private struct LoopTimer: ScheduledDeadline {
        let callback: NIOScheduledCallback?
        func cancel() { callback?.cancel() }
    }
}

/// The scheduler the daemon uses, for tools (the benchmark) that build a responder themselves.
public func stageScheduler() -> any DeadlineScheduler {
    EventLoopDeadlineScheduler()
}
