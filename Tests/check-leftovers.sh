#!/usr/bin/env bash
# After `swift test`: fails when anything a test started outlived the run, and removes it.
# Test processes carry NETSOCK_TEST_RUN=<run> in their environment (make test sets it, and
# every child inherits it); test namespaces and links are named nsd-test-*, nsdv*, nsdp*, nsdh*, nsdq*, nsdw*.
set -u
# With a second argument "processes", only processes are checked (what a test of this
# script can do while other tests' namespaces are in use).
run=${1:?usage: check-leftovers.sh RUN [processes]}
only=${2:-}
found=0
for environ in /proc/[0-9]*/environ; do
    pid=${environ#/proc/}
    pid=${pid%/environ}
    if { tr '\0' '\n' < "$environ"; } 2>/dev/null | grep -qx "NETSOCK_TEST_RUN=$run"; then
        echo "check-leftovers: still running after the tests: $pid $(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)"
        kill -9 "$pid" 2>/dev/null
        found=1
    fi
done
if [ "$only" != processes ] && command -v ip >/dev/null 2>&1; then
    for namespace in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^nsd-test-'); do
        echo "check-leftovers: network namespace left behind: $namespace"
        for pid in $(ip netns pids "$namespace" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
        ip netns del "$namespace" 2>/dev/null
        found=1
    done
    for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E '^nsd[vphqw][0-9a-f]+$'); do
        echo "check-leftovers: network device left behind: $link"
        ip link del "$link" 2>/dev/null
        found=1
    done
fi
if [ "$found" = 0 ]; then echo "check-leftovers: nothing left behind"; fi
exit "$found"
