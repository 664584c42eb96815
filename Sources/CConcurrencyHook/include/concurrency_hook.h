#ifndef ADHOCD_CONCURRENCY_HOOK_H
#define ADHOCD_CONCURRENCY_HOOK_H

/// Points the Swift runtime's global executor at `enqueue` (which receives each job), unless
/// another hook is installed already. Returns 1 when installed, 0 otherwise.
///
/// SwiftNIO installs the same hook after finding it with dlsym, which fails when the runtime
/// is linked statically (its symbols are hidden then); referenced from C by name, the static
/// linker resolves it all the same.
int adhocd_install_global_enqueue(void (*enqueue)(void *job));

#endif
