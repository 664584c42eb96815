#ifndef ADHOCD_CONCURRENCY_HOOK_H
#define ADHOCD_CONCURRENCY_HOOK_H

/// Points the Swift runtime's global executor at `enqueue` (which receives each job), unless
/// another hook is installed already. Returns 1 when installed, 0 otherwise.
///
/// SwiftNIO installs the same hook after finding it with dlsym, which fails when the runtime
/// is linked statically (its symbols are hidden then); referenced from C by name, the static
/// linker resolves it all the same.
int adhocd_install_global_enqueue(void (*enqueue)(void *job));

/// Runs a job handed to `enqueue` as the global executor does: on the generic executor. Run
/// this way, a nonisolated async function entered from it continues on the same thread
/// instead of switching executors (which enqueues the rest of the task as a new job).
void adhocd_run_job_on_generic_executor(void *job);

#endif
