import CConcurrencyHook
import NIOCore
import NIOPosix

/// Where adhocd's code runs: one NIO event loop thread serves both the sockets and Swift
/// concurrency, so an incoming stanza is parsed, handled and answered without a thread hop.
/// Measured (bench/): hops between NIO's loop and the concurrency pool cost more CPU than the
/// command itself. Blocking work (DNS lookups) goes to NIO's thread pool.
public enum EventLoopRuntime {
    /// Call first thing in `main`, once. True when Swift concurrency runs on the loop.
    @discardableResult
    public static func install(threads: Int = 1) -> Bool {
        NIOSingletons.groupLoopCountSuggestion = threads
        NIOSingletons.blockingPoolThreadCountSuggestion = 1
        if NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() { return true }
        // NIO finds the runtime's hook with dlsym, which cannot see it in a statically linked
        // runtime (--static-swift-stdlib, as the .deb is built): every task then ran on
        // Dispatch's threads, which bench/run measured at about twice the CPU per request.
        return adhocd_install_global_enqueue { job in
            guard let job else { return }
            MultiThreadedEventLoopGroup.singleton.any().executor.enqueue(ExecutorJob(unsafeBitCast(job, to: UnownedJob.self)))
        } == 1
    }
}
