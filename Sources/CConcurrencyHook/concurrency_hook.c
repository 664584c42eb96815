#include "concurrency_hook.h"
#include <stddef.h>

// The runtime's declarations (swift/Runtime/Concurrency.h): both functions use the Swift
// calling convention.
typedef struct AdhocdJob AdhocdJob;
typedef __attribute__((swiftcall)) void (*EnqueueOriginal)(AdhocdJob *job);
typedef __attribute__((swiftcall)) void (*EnqueueHook)(AdhocdJob *job, EnqueueOriginal original);
extern EnqueueHook swift_task_enqueueGlobal_hook;

// The generic executor is the null reference (SerialExecutorRef::generic()): two words.
typedef struct {
    void *identity;
    unsigned long implementation;
} AdhocdSerialExecutorRef;
extern __attribute__((swiftcall)) void swift_job_run(AdhocdJob *job, AdhocdSerialExecutorRef executor);

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

void adhocd_run_job_on_generic_executor(void *job) {
    AdhocdSerialExecutorRef generic = {NULL, 0};
    swift_job_run((AdhocdJob *)job, generic);
}
