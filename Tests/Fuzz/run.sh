#!/usr/bin/env bash
# Runs each libFuzzer target for a while from its checked-in seeds.
#   Tests/Fuzz/run.sh BINARY SECONDS [TARGET ...]
# With FUZZ_RUNS set, each target stops after that many executions instead (SECONDS then
# only bounds it), for the long runs recorded in docs/fuzzing.md.
# Inputs found are kept in .build-fuzz/corpus/TARGET (not in the checked-in seeds);
# crashes, leaks and slow inputs (over 100 ms of CPU, the harness traps) are written to
# .build-fuzz/artifacts/. Prints one summary line per target; fails if any target failed.
set -u
binary=${1:?binary}
seconds=${2:?seconds}
shift 2
targets=${*:-framer http json dns netlink config datagram wire stack tls at}
here=$(cd "$(dirname "$0")" && pwd)
work=$(dirname "$(dirname "$binary")")
mkdir -p "$work/artifacts"
declare -A max_len=([framer]=16384 [http]=16384 [json]=8192 [dns]=1024 [netlink]=8192 [config]=8192 [datagram]=128 [wire]=2048 [stack]=16384 [tls]=16384 [at]=8192)
status=0
for target in $targets; do
    corpus="$work/corpus/$target"
    mkdir -p "$corpus"
    log="$work/fuzz-$target.log"
    NETSOCK_FUZZ_TARGET=$target ASAN_OPTIONS=detect_leaks=1 "$binary" \
        -max_total_time="$seconds" ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} -max_len="${max_len[$target]:-4096}" -timeout=5 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$work/artifacts/$target-" "$corpus" "$here/Corpus/$target" >"$log" 2>&1
    result=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    peak=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    if [ "$result" = 0 ]; then
        echo "fuzz $target: ${runs:-0} executions in $(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | grep -o '[0-9]* second' | grep -o '[0-9]*' || echo "$seconds")s, peak RSS ${peak:-?} MB, no crash, leak or slow input"
    else
        echo "fuzz $target: FAILED after ${runs:-?} executions (exit $result); see $log and $work/artifacts/"
        grep -E "ERROR|Fatal error|==[0-9]+==" "$log" | head -5
        status=1
    fi
done
exit $status
