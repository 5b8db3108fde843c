#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs one libFuzzer harness for SECONDS on a scratch copy of its seed corpus
# (the seeds in git are never modified) and prints one TAP line:
#   ok 1 - NAME: EXECS execs in SECONDS s, 0 crashes, CORPUS inputs
# A crash, leak, timeout (30 s) or out-of-memory input is kept in ARTIFACTS/ and
# fails the test (reproduce: HARNESS-libfuzzer ARTIFACTS/FILE).
# Usage: run-libfuzzer.sh HARNESS CORPUS SECONDS ARTIFACTS
set -u
bin=$1 corpus=$2 secs=$3 artifacts=$4
name=$(basename "$bin" -libfuzzer)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts"
cp -r "$corpus/." "$work/corpus/" 2>/dev/null || { mkdir -p "$work/corpus"; cp -r "$corpus/." "$work/corpus/"; }
# crash-, leak-, timeout-, oom- inputs; not slow-unit- (a report of an input
# slower than 10 s of wall time: on a loaded machine, not a failure)
count() { find "$artifacts" -maxdepth 1 -name "$name-*" ! -name "$name-slow-unit-*" | wc -l; }
before=$(count)
rc=0
"$bin" -max_total_time="$secs" -max_len=65536 -timeout=30 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$artifacts/$name-" "$work/corpus" \
	>"$work/log" 2>&1 || rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
crashes=$(($(count) - before))
inputs=$(find "$work/corpus" -type f | wc -l)
echo "1..1"
if [ "$rc" = 0 ] && [ "$crashes" = 0 ] && [ -n "$execs" ]; then
	echo "ok 1 - $name: $execs execs in $secs s, 0 crashes, $inputs inputs"
else
	echo "not ok 1 - $name: ${execs:-?} execs in $secs s, $crashes crashes (exit $rc; inputs in $artifacts)"
	grep -E '^==[0-9]+==|^SUMMARY|runtime error|Test unit written' "$work/log" | head -20 | sed 's/^/# /'
	exit 1
fi
