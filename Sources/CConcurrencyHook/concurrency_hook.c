#include "concurrency_hook.h"
#include <stddef.h>

// The runtime's declarations (swift/Runtime/Concurrency.h): both functions use the Swift
// calling convention.
typedef struct AdhocdJob AdhocdJob;
typedef __attribute__((swiftcall)) void (*EnqueueOriginal)(AdhocdJob *job);
typedef __attribute__((swiftcall)) void (*EnqueueHook)(AdhocdJob *job, EnqueueOriginal original);
extern EnqueueHook swift_task_enqueueGlobal_hook;

static void (*target)(void *job);

__attribute__((swiftcall)) static void enqueue_through_target(AdhocdJob *job, EnqueueOriginal original) {
    (void)original;
    target(job);
}

int adhocd_install_global_enqueue(void (*enqueue)(void *job)) {
    target = enqueue;
    EnqueueHook expected = NULL;
    return __atomic_compare_exchange_n(&swift_task_enqueueGlobal_hook, &expected, enqueue_through_target, 0,
                                       __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST) ? 1 : 0;
}
