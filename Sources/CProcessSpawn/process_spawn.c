#define _GNU_SOURCE
#include "adhocd_process_spawn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

/// Everything the child does between vfork and exec. Only async-signal-safe calls: the child
/// shares the parent's memory and runs while other threads of the daemon hold locks.
static int prepare_child(const struct adhocd_spawn_request *request, int *exec_fd) {
    if (setpgid(0, 0) != 0) return errno;

    // The dispositions first, while every signal is still blocked (the parent blocked them),
    // so no handler of the daemon's can run in the child. SIGKILL and SIGSTOP cannot change.
    struct sigaction fallback = {0};
    fallback.sa_handler = SIG_DFL;
    // The kernel's own layout: handler, flags, restorer, mask.
    struct { void (*handler)(int); unsigned long flags; void (*restorer)(void); unsigned long mask; } raw = {SIG_DFL, 0, NULL, 0};
    for (int signal = 1; signal < NSIG; signal++) {
        if (signal == SIGKILL || signal == SIGSTOP) continue;
        // The C library refuses its internal signals (32, 33), which a parent may still ignore.
        if (sigaction(signal, &fallback, NULL) != 0) (void)syscall(SYS_rt_sigaction, signal, &raw, NULL, sizeof raw.mask);
    }

    // Sources move above 3 first, so placing 0-3 cannot overwrite one still needed.
    int out = request->stdout_fd, err = request->stderr_fd, passed = request->passed_fd, program = request->exec_fd;
    int *sources[] = {&out, &err, &passed, &program};
    for (unsigned index = 0; index < sizeof sources / sizeof *sources; index++) {
        int *source = sources[index];
        if (*source < 0 || *source > 3) continue;
        int original = *source;
        int moved = fcntl(original, F_DUPFD_CLOEXEC, 4);
        if (moved < 0) return errno;
        for (unsigned other = index; other < sizeof sources / sizeof *sources; other++) {
            if (*sources[other] == original) *sources[other] = moved;
        }
    }
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0) return errno;
    if (null <= 3) {
        int moved = fcntl(null, F_DUPFD_CLOEXEC, 4);
        if (moved < 0) return errno;
        null = moved;
    }
    if (dup2(null, 0) < 0) return errno;
    if (dup2(out >= 0 ? out : null, 1) < 0) return errno;
    if (dup2(err >= 0 ? err : null, 2) < 0) return errno;
    if (passed >= 0 && dup2(passed, 3) < 0) return errno;

    // Everything else closes; a separate program descriptor stays until exec closes it.
    int first = passed >= 0 ? 4 : 3;
    int keep = (program >= 0 && program != passed) ? program : -1;
    long closed;
    if (keep < 0) {
        closed = syscall(SYS_close_range, first, ~0U, 0);
    } else {
        closed = keep > first ? syscall(SYS_close_range, first, keep - 1, 0) : 0;
        if (closed == 0) closed = syscall(SYS_close_range, keep + 1, ~0U, 0);
    }
    if (closed != 0) {
        // No close_range (before Linux 5.9, or a seccomp filter): every descriptor up to the limit.
        long limit = sysconf(_SC_OPEN_MAX);
        if (limit < 0 || limit > 1 << 20) limit = 1 << 20;
        for (int fd = first; fd < limit; fd++) {
            if (fd != keep) (void)close(fd);
        }
    }

    if (request->workdir != NULL && chdir(request->workdir) != 0) return errno;

    sigset_t none;
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) != 0) return errno;
    *exec_fd = program == passed && program >= 0 ? 3 : program;
    return 0;
}

int adhocd_spawn(const struct adhocd_spawn_request *request, pid_t *pid) {
    // Written by the child (vfork shares memory): why it could not exec.
    volatile int child_error = 0;
    sigset_t all, previous;
    sigfillset(&all);
    // Blocked across vfork, so no signal handler of the daemon's runs in the child.
    int result = pthread_sigmask(SIG_SETMASK, &all, &previous);
    if (result != 0) return result;

    pid_t child = vfork();
    if (child == 0) {
        int exec_fd = -1;
        int error = prepare_child(request, &exec_fd);
        if (error == 0) {
            if (exec_fd >= 0) {
                syscall(SYS_execveat, exec_fd, "", request->argv, request->envp, AT_EMPTY_PATH);
            } else {
                execve(request->path, request->argv, request->envp);
            }
            error = errno;
        }
        child_error = error != 0 ? error : ECHILD;
        _exit(127);
    }
    int spawn_error = child < 0 ? errno : 0;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (child < 0) return spawn_error;
    if (child_error != 0) {
        // It never ran the program: reap it here, nobody else knows of it.
        int status;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
        return child_error;
    }
    *pid = child;
    return 0;
}

int adhocd_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int adhocd_o_path(void) {
    return O_PATH;
}

int adhocd_pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}
