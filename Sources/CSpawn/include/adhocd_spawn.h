#ifndef ADHOCD_SPAWN_H
#define ADHOCD_SPAWN_H
#include <sys/types.h>

/// Starts `path` with `argv` and `envp` (both NULL-terminated) through posix_spawn, never a
/// shell: in a process group of its own (so a timeout can signal everything it started), with
/// every signal disposition reset to the default and an empty signal mask (the daemon ignores
/// SIGPIPE and traps SIGTERM; a child must not inherit that), standard input from /dev/null,
/// standard output and error onto the given descriptors, every other descriptor closed, and
/// `workdir` (or NULL) as its working directory. Returns 0 and sets `*pid`, or an errno value.
int adhocd_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                 const char *workdir, int stdout_fd, int stderr_fd);

/// pipe2 with O_CLOEXEC: the daemon's ends never leak into other children.
int adhocd_pipe_cloexec(int fds[2]);

/// A descriptor that becomes readable when `pid` exits (Linux 5.3+), or -1 with errno.
int adhocd_pidfd_open(pid_t pid);

/// The exit code in a waitpid status, or -1 when the process did not exit normally.
int adhocd_exit_code(int status);

/// The signal that ended the process in a waitpid status, or 0.
int adhocd_terminating_signal(int status);

#endif
