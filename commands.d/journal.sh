#!/bin/sh
# The last lines of a systemd unit's journal.
# Form: an executable script with a header block. Node "journal".
#
# With no exec key, adhocd runs this script with the parameters as its arguments, in the order
# they are declared: $1 is the unit, $2 the number of lines. Each is exactly one argument, even
# with spaces or quotes in it; the same values are in $ADHOCD_PARAM_UNIT and $ADHOCD_PARAM_LINES.
#
# adhocd:begin
# name = "Journal of a unit"
# description = "The last lines the systemd journal holds for one unit."
# allow = ["group:admins"]
# timeout = "15s"
#
# [[param]]
# var = "unit"
# label = "Unit"
# required = true
# default = "ssh.service"
# regex = "[A-Za-z0-9@._:-]+"   # unit names only: checked before the script runs
#
# [[param]]
# var = "lines"
# label = "Lines"
# datatype = "xs:integer"
# min = 1
# max = 500
# default = 30
# adhocd:end
set -eu
unit=$1
lines=$2
exec /usr/bin/journalctl --no-pager --output=short-iso --lines="$lines" --unit="$unit"
