#define _GNU_SOURCE
#include "adhocd_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int adhocd_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                 const char *workdir, int stdout_fd, int stderr_fd) {
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_t actions;
    int result = posix_spawnattr_init(&attributes);
    if (result != 0) return result;
    result = posix_spawn_file_actions_init(&actions);
    if (result != 0) {
        posix_spawnattr_destroy(&attributes);
        return result;
    }

    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    short flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
    if ((result = posix_spawnattr_setflags(&attributes, flags)) != 0) goto done;
    if ((result = posix_spawnattr_setpgroup(&attributes, 0)) != 0) goto done;
    if ((result = posix_spawnattr_setsigdefault(&attributes, &all)) != 0) goto done;
    if ((result = posix_spawnattr_setsigmask(&attributes, &none)) != 0) goto done;

    if ((result = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)) != 0) goto done;
    if ((result = posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1)) != 0) goto done;
    if ((result = posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2)) != 0) goto done;
    if ((result = posix_spawn_file_actions_addclosefrom_np(&actions, 3)) != 0) goto done;
    if (workdir != NULL && (result = posix_spawn_file_actions_addchdir_np(&actions, workdir)) != 0) goto done;

    result = posix_spawn(pid, path, &actions, &attributes, argv, envp);

done:
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    return result;
}

int adhocd_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int adhocd_pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int adhocd_exit_code(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int adhocd_terminating_signal(int status) {
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}
