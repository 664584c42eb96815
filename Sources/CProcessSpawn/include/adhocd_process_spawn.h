#ifndef ADHOCD_PROCESS_SPAWN_H
#define ADHOCD_PROCESS_SPAWN_H
#include <sys/types.h>

/// What to start. Either `path` (used as given: no PATH search) or `exec_fd`, an open file that
/// is run as it is (execveat with AT_EMPTY_PATH), so nothing can swap the program between the
/// moment it was checked and the moment it runs.
struct adhocd_spawn_request {
    /// The program's path, when `exec_fd` is -1.
    const char *path;
    /// An open program (close-on-exec is fine for a binary), or -1.
    int exec_fd;
    /// A descriptor the program gets as descriptor 3, without close-on-exec, or -1. A `#!`
    /// script run from `exec_fd` needs this to be `exec_fd` itself: the kernel hands its
    /// interpreter the path /dev/fd/3, which must still be open after exec. A program that is
    /// itself handed a program (setpriv) reaches it as /dev/fd/3 too.
    int passed_fd;
    /// NULL-terminated.
    char *const *argv;
    /// NULL-terminated; the whole environment.
    char *const *envp;
    /// The working directory, or NULL for adhocd's own.
    const char *workdir;
    /// Standard output and error; -1 for /dev/null. Standard input is always /dev/null.
    int stdout_fd;
    int stderr_fd;
};

/// Starts the program, never through a shell: in a new process group led by the child (so a
/// whole tree can be signalled), every signal disposition reset to the default and an empty
/// signal mask (the daemon ignores SIGPIPE and traps SIGTERM; a child must not inherit that),
/// every descriptor of the daemon's closed except those named in `request`.
/// Returns 0 and sets `*pid`, or an errno value (the child's, when it could not exec).
int adhocd_spawn(const struct adhocd_spawn_request *request, pid_t *pid);

/// pipe2 with O_CLOEXEC: the daemon's ends never leak into other children.
int adhocd_pipe_cloexec(int fds[2]);

/// O_PATH, which Swift's Glibc module does not show: a descriptor that names a file without
/// opening it for reading (for walking a path without following symlinks).
int adhocd_o_path(void);

/// A descriptor that becomes readable when `pid` exits (Linux 5.3+), or -1 with errno.
int adhocd_pidfd_open(pid_t pid);

#endif
