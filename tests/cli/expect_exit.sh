#!/usr/bin/env bash
# expect_exit.sh CODE REGEX COMMAND... - runs COMMAND; passes only when it exits with CODE and its output
# (stdout and stderr) matches the extended REGEX (bash's =~, so a REGEX with newlines spans lines).
# ctest's PASS_REGULAR_EXPRESSION alone ignores the exit code.
code=$1; regex=$2; shift 2
out=$("$@" 2>&1); rc=$?
printf '%s\n' "$out"
[ "$rc" -eq "$code" ] || { echo "FAIL: exit code $rc, expected $code"; exit 1; }
[[ $out =~ $regex ]] || { echo "FAIL: output does not match: $regex"; exit 1; }
echo "OK: exit code $rc, output matches"
