#!/bin/sh
# The lab suite, run inside the VM by `build.ps1 -Task Test`: every kernel test in one boot.
#   suite.sh <ReadyToRun test executable> [xunit arguments...]
# First, in a process of its own, the tests of a kernel whose ip_vs module is not loaded yet (trait
# Kernel=IpvsNotLoaded; only in the whole suite, without arguments); then ip_vs is loaded and everything else runs.
# Results: $FUSISTEST_LAB_OUT/lab*.xml (xunit v2 XML), read by build.ps1 on the host.
set -u
exe=$1; shift
: "${FUSISTEST_LAB_OUT:?suite.sh runs inside the lab (build.ps1 -Task Test)}"
start=$(cut -d' ' -f1 /proc/uptime)
rc=0
if [ $# -eq 0 ]; then
  "$exe" -noColor -noLogo -longRunning 600 -trait Kernel=IpvsNotLoaded -result-xml "$FUSISTEST_LAB_OUT/lab-ipvs-not-loaded.xml" || rc=$?
fi
if ! modprobe ip_vs; then echo "lab suite: modprobe ip_vs failed"; exit 1; fi
echo "lab suite: $(head -1 /proc/net/ip_vs), kernel $(uname -r)"
# -longRunning names a test that hangs before the VM's lifetime bound stops it.
"$exe" -noColor -noLogo -longRunning 600 -trait- Kernel=IpvsNotLoaded -result-xml "$FUSISTEST_LAB_OUT/lab.xml" "$@"
main=$?
[ "$main" -ne 0 ] && rc=$main
echo "lab suite: test processes took $(awk -v s="$start" '{printf "%.1f", $1 - s}' /proc/uptime) s (guest clock), exit code $rc"
exit $rc
