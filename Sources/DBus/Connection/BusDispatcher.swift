import CDBus
import Glibc
import Synchronization

/// Runs one libdbus connection on a thread of its own.
///
/// libdbus does its own reads and writes and wants a main loop that watches its file
/// descriptors and timers. This thread is that loop: it `poll()`s the connection's enabled
/// watches plus an eventfd that wakes it for submitted jobs, fires expired libdbus timeouts
/// (which is how call time limits are enforced), and dispatches what arrived. It sleeps
/// in `poll` when there is nothing to do: no busy polling, and it never blocks the daemon's
/// event loop. Every libdbus call for the connection happens on this thread, so the state
/// below needs no lock: jobs are the only way in.
final class BusDispatcher: @unchecked Sendable {
    typealias Job = @Sendable (BusDispatcher) -> Void

    private let wakeup: Int32
    private let jobs = Mutex<[Job]>([])

    // Confined to the dispatcher thread.
    var connection: OpaquePointer?
    private var watches: [OpaquePointer] = []
    private var timeouts: [Timer] = []
    private var running = true
    /// Called for every incoming message (signals, and the local Disconnected signal).
    var onMessage: ((OpaquePointer) -> Void)?

    private struct Timer {
        let timeout: OpaquePointer
        var deadline: ContinuousClock.Instant
    }

    init() throws(DBusError) {
        let fd = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        guard fd >= 0 else { throw .connectionFailed("eventfd: \(String(cString: strerror(errno)))") }
        wakeup = fd
    }

    /// Starts the thread; it keeps the dispatcher alive until `stop()` runs on it.
    func start() throws(DBusError) {
        let box = Unmanaged.passRetained(self)
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            let dispatcher = Unmanaged<BusDispatcher>.fromOpaque(argument).takeRetainedValue()
            dispatcher.loop()
            return nil
        }, box.toOpaque())
        guard result == 0 else {
            box.release()
            throw .connectionFailed("cannot start the D-Bus thread: \(String(cString: strerror(result)))")
        }
        pthread_detach(thread)
    }

    /// Runs `job` on the dispatcher thread.
    func submit(_ job: @escaping Job) {
        jobs.withLock { $0.append(job) }
        var one: UInt64 = 1
        _ = write(wakeup, &one, 8)
    }

    /// Ends the loop after the current iteration; called on the dispatcher thread.
    func stop() {
        running = false
    }

    // MARK: The loop

    private func loop() {
        while running {
            var descriptors = [pollfd(fd: wakeup, events: Int16(POLLIN), revents: 0)]
            var polled: [OpaquePointer] = []
            for watch in watches where dbus_watch_get_enabled(watch) != 0 {
                let flags = dbus_watch_get_flags(watch)
                var events: Int16 = 0
                if flags & DBUS_WATCH_READABLE.rawValue != 0 { events |= Int16(POLLIN) }
                if flags & DBUS_WATCH_WRITABLE.rawValue != 0 { events |= Int16(POLLOUT) }
                descriptors.append(pollfd(fd: dbus_watch_get_unix_fd(watch), events: events, revents: 0))
                polled.append(watch)
            }
            let result = poll(&descriptors, nfds_t(descriptors.count), pollTimeoutMilliseconds())
            if result < 0, errno != EINTR {
                // poll only fails on programming errors (EFAULT, EINVAL); don't spin on it.
                usleep(10_000)
            }
            if descriptors[0].revents != 0 { runJobs() }
            for (index, watch) in polled.enumerated() {
                let revents = descriptors[index + 1].revents
                // A job or an earlier watch may have removed this watch (and libdbus freed it).
                guard revents != 0, watches.contains(watch) else { continue }
                var flags: UInt32 = 0
                if revents & Int16(POLLIN) != 0 { flags |= DBUS_WATCH_READABLE.rawValue }
                if revents & Int16(POLLOUT) != 0 { flags |= DBUS_WATCH_WRITABLE.rawValue }
                if revents & Int16(POLLERR) != 0 { flags |= DBUS_WATCH_ERROR.rawValue }
                if revents & Int16(POLLHUP) != 0 { flags |= DBUS_WATCH_HANGUP.rawValue }
                _ = dbus_watch_handle(watch, flags)
            }
            fireExpiredTimeouts()
            dispatchIncoming()
        }
        runJobs()
        close(wakeup)
    }

    private func runJobs() {
        var counter: UInt64 = 0
        _ = read(wakeup, &counter, 8)
        let pending = jobs.withLock { jobs in
            defer { jobs.removeAll() }
            return jobs
        }
        for job in pending { job(self) }
    }

    func dispatchIncoming() {
        guard let connection else { return }
        while dbus_connection_dispatch(connection) == DBUS_DISPATCH_DATA_REMAINS {}
    }

    private func pollTimeoutMilliseconds() -> Int32 {
        guard let next = timeouts.map(\.deadline).min() else { return -1 }
        let remaining = ContinuousClock.now.duration(to: next)
        if remaining <= .zero { return 0 }
        let (seconds, attoseconds) = remaining.components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }

    private func fireExpiredTimeouts() {
        let now = ContinuousClock.now
        for timer in timeouts where timer.deadline <= now {
            // Handling may remove or re-add timers; re-check it is still registered.
            guard let index = timeouts.firstIndex(where: { $0.timeout == timer.timeout }) else { continue }
            timeouts[index].deadline = now + .milliseconds(Int(dbus_timeout_get_interval(timer.timeout)))
            _ = dbus_timeout_handle(timer.timeout)
        }
    }

    // MARK: libdbus main-loop callbacks

    /// Installs the watch and timeout functions; call on the dispatcher thread.
    func integrate(_ connection: OpaquePointer) -> Bool {
        self.connection = connection
        let context = Unmanaged.passUnretained(self).toOpaque()
        let watchesSet = dbus_connection_set_watch_functions(
            connection,
            { watch, data in
                guard let watch, let data else { return 0 }
                Unmanaged<BusDispatcher>.fromOpaque(data).takeUnretainedValue().watches.append(watch)
                return 1
            },
            { watch, data in
                guard let watch, let data else { return }
                Unmanaged<BusDispatcher>.fromOpaque(data).takeUnretainedValue().watches.removeAll { $0 == watch }
            },
            nil,  // Enablement is read on every loop iteration.
            context, nil)
        let timeoutsSet = dbus_connection_set_timeout_functions(
            connection,
            { timeout, data in
                guard let timeout, let data else { return 0 }
                Unmanaged<BusDispatcher>.fromOpaque(data).takeUnretainedValue().timeoutChanged(timeout)
                return 1
            },
            { timeout, data in
                guard let timeout, let data else { return }
                Unmanaged<BusDispatcher>.fromOpaque(data).takeUnretainedValue().timeouts.removeAll { $0.timeout == timeout }
            },
            { timeout, data in
                guard let timeout, let data else { return }
                Unmanaged<BusDispatcher>.fromOpaque(data).takeUnretainedValue().timeoutChanged(timeout)
            },
            context, nil)
        let filterAdded = dbus_connection_add_filter(
            connection,
            { _, message, data in
                guard let message, let data else { return DBUS_HANDLER_RESULT_NOT_YET_HANDLED }
                Unmanaged<BusDispatcher>.fromOpaque(data).takeUnretainedValue().onMessage?(message)
                return DBUS_HANDLER_RESULT_NOT_YET_HANDLED
            },
            context, nil)
        return watchesSet != 0 && timeoutsSet != 0 && filterAdded != 0
    }

    private func timeoutChanged(_ timeout: OpaquePointer) {
        timeouts.removeAll { $0.timeout == timeout }
        guard dbus_timeout_get_enabled(timeout) != 0 else { return }
        let interval = Duration.milliseconds(Int(dbus_timeout_get_interval(timeout)))
        timeouts.append(Timer(timeout: timeout, deadline: .now + interval))
    }
}
