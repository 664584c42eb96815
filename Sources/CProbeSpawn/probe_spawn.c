#define _GNU_SOURCE
#include "adhocd_probe_spawn.h"

#include <fcntl.h>
#include <unistd.h>

int adhocd_probe_spawn_close_from(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

int adhocd_probe_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}
