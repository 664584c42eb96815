#!/bin/sh
# Disk usage of every real file system, as a table.
# Form: an executable script whose header block below holds the same keys as a TOML file.
# Node "disk-usage" (the file name without its extension). exec defaults to this script.
#
# adhocd:begin
# name = "Disk usage"
# description = "Size, used and free space of each mounted file system."
# allow = ["self", "group:admins"]
# timeout = "10s"
# output = "table"          # first line: column names; then one row per line, tab-separated
# adhocd:end
set -eu
printf 'Mount\tSize\tUsed\tFree\tUse%%\n'
# --output keeps the mount point first; a mount point with spaces keeps them (all fields but
# the last four belong to it).
/usr/bin/df -h --output=target,size,used,avail,pcent -x tmpfs -x devtmpfs -x squashfs -x efivarfs \
    | /usr/bin/tail -n +2 \
    | /usr/bin/awk '{ mount = $1; for (i = 2; i <= NF - 4; i++) mount = mount " " $i;
                      print mount "\t" $(NF-3) "\t" $(NF-2) "\t" $(NF-1) "\t" $NF }'
