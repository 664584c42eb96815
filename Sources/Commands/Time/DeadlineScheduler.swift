/// Runs an action after a delay unless cancelled first. The daemon passes one backed by its
/// event loop: a timer there costs far less than a sleeping task (measured in bench/).
public protocol DeadlineScheduler: Sendable {
    func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> any ScheduledDeadline
}

public protocol ScheduledDeadline: Sendable {
    func cancel()
}

/// The portable default: a task that sleeps.
public struct TaskDeadlineScheduler: DeadlineScheduler {
    public init() {}

    public func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> any ScheduledDeadline {
        SleepingTask(task: Task {
            guard (try? await Task.sleep(for: delay)) != nil else { return }
            action()
        })
    }

    private struct SleepingTask: ScheduledDeadline {
        let task: Task<Void, Never>
        func cancel() { task.cancel() }
    }
}
