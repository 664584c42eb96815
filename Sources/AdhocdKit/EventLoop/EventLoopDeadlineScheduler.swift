import Commands
import NIOCore
import NIOPosix

/// Stage time limits as timers on the event loop, where the rest of adhocd runs.
struct EventLoopDeadlineScheduler: DeadlineScheduler {
    let eventLoop: any EventLoop

    init(eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.any()) {
        self.eventLoop = eventLoop
    }

    func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> any ScheduledDeadline {
        LoopTimer(scheduled: eventLoop.scheduleTask(in: TimeAmount(delay), action))
    }

    private struct LoopTimer: ScheduledDeadline {
        let scheduled: Scheduled<Void>
        func cancel() { scheduled.cancel() }
    }
}

/// The scheduler the daemon uses, for tools (the benchmark) that build a responder themselves.
public func stageScheduler() -> any DeadlineScheduler {
    EventLoopDeadlineScheduler()
}
