import NIOCore
import NIOPosix

/// Where adhocd's code runs: one NIO event loop thread serves both the sockets and Swift
/// concurrency, so an incoming stanza is parsed, handled and answered without a thread hop.
/// Measured (bench/): hops between NIO's loop and the concurrency pool cost more CPU than the
/// command itself. Blocking work (DNS lookups) goes to NIO's thread pool.
public enum EventLoopRuntime {
    /// Call first thing in `main`, once.
    public static func install(threads: Int = 1) {
        NIOSingletons.groupLoopCountSuggestion = threads
        NIOSingletons.blockingPoolThreadCountSuggestion = 1
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
