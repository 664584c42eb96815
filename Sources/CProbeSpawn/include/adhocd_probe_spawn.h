#ifndef ADHOCD_PROBE_SPAWN_H
#define ADHOCD_PROBE_SPAWN_H
#include <spawn.h>

/// GNU extensions Swift's Glibc module does not show (they need _GNU_SOURCE), for starting
/// probe commands cleanly.

/// posix_spawn_file_actions_addclosefrom_np: the child closes every descriptor from `from` on,
/// so it inherits none of the daemon's that lack close-on-exec. glibc 2.34 or later.
int adhocd_probe_spawn_close_from(posix_spawn_file_actions_t *actions, int from);

/// pipe2(fds, O_CLOEXEC): both ends close-on-exec from the start, so a child spawned by
/// another thread at the same moment cannot inherit them.
int adhocd_probe_pipe_cloexec(int fds[2]);

#endif
