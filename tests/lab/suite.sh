#!/bin/sh
# The lab suite, run inside the VM by `build.ps1 -Task Test`: every kernel test in one boot, one process.
#   suite.sh <ReadyToRun test executable> [xunit arguments...]
# Results: $FUSIS_LAB_OUT/lab.xml (xunit v2 XML), read by build.ps1 on the host.
set -u
exe=$1; shift
: "${FUSIS_LAB_OUT:?suite.sh runs inside the lab (build.ps1 -Task Test)}"
if ! modprobe ip_vs; then echo "lab suite: modprobe ip_vs failed"; exit 1; fi
echo "lab suite: $(head -1 /proc/net/ip_vs), kernel $(uname -r)"
start=$(cut -d' ' -f1 /proc/uptime)
# -longRunning names a test that hangs before the VM's lifetime bound stops it.
"$exe" -noColor -noLogo -longRunning 600 -result-xml "$FUSIS_LAB_OUT/lab.xml" "$@"
rc=$?
echo "lab suite: test process took $(awk -v s="$start" '{printf "%.1f", $1 - s}' /proc/uptime) s (guest clock), exit code $rc"
exit $rc
