import CConcurrencyHook
import NIOCore
import NIOPosix
import Synchronization

/// Where adhocd's code runs: one NIO event loop thread serves both the sockets and Swift
/// concurrency, so an incoming stanza is parsed, handled and answered without a thread hop.
/// Measured (bench/): hops between NIO's loop and the concurrency pool cost more CPU than the
/// command itself. Blocking work (DNS lookups) goes to NIO's thread pool.
public enum EventLoopRuntime {
    /// Call first thing in `main`, once. True when Swift concurrency runs on the loop.
    ///
    /// Not NIO's own take-over (`unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor`):
    /// it runs each job isolated to the loop's serial executor, so every nonisolated async
    /// function entered switched executors, and each switch went round the loop as a new job
    /// (33 jobs per ad-hoc request, measured with callgrind). Run on the generic executor, as
    /// the default global executor does, those calls continue in place. And NIO finds the
    /// runtime's hook with dlsym, which cannot see it in a statically linked runtime
    /// (--static-swift-stdlib, as the .deb is built): referenced from C, the linker resolves it.
    @discardableResult
    public static func install(threads: Int = 1) -> Bool {
        NIOSingletons.groupLoopCountSuggestion = threads
        NIOSingletons.blockingPoolThreadCountSuggestion = 1
        let installed = adhocd_install_global_enqueue { job in
            guard let job else { return }
            let pending = PendingJob(job: job)
            MultiThreadedEventLoopGroup.singleton.any().execute { adhocd_run_job_on_generic_executor(pending.job) }
        } == 1
        installedHook.store(installed, ordering: .relaxed)
        return installed
    }

    /// Whether `install` put Swift concurrency on the loop: the daemon says so when it starts.
    public static var isInstalled: Bool { installedHook.load(ordering: .relaxed) }

    private static let installedHook = Atomic(false)

    /// A job in flight to the loop; the runtime hands each to exactly one enqueue.
    private struct PendingJob: @unchecked Sendable {
        let job: UnsafeMutableRawPointer
    }
}
