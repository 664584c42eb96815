/// Runs programs without a shell and without blocking the event loop: commands.d runs, the
/// health monitor's probe command, anything later.
///
/// Each run gets a thread of its own (`OffLoopThread`) that spawns the program, reads its
/// output with caps, enforces the time limit and tears its process group down
/// (`ProcessSupervisor`). Cancelling the calling task stops the run like a timeout does.
public struct ProcessRunner: Sendable {
    public init() {}

    public func run(_ spec: ProcessSpec) async throws(SpawnError) -> ProcessResult {
        let stop = StopSignal()
        let outcome = await withTaskCancellationHandler {
            await OffLoopThread.run { ProcessSupervisor.run(spec, stop: stop) }
        } onCancel: {
            stop.fire()
        }
        guard let outcome else {
            throw SpawnError(program: spec.programName, reason: "no thread to watch it (the system refused one)")
        }
        return try outcome.get()
    }
}
