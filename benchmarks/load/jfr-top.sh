#!/usr/bin/env bash
# Top stack-top frames of a JFR recording's jdk.ExecutionSample events.
#   jfr-top.sh recording.jfr [N [EVENT]]   (N frames, default 25; EVENT default jdk.ExecutionSample)
# Prints the N methods most often on top of a sampled stack (line numbers folded), then the same
# samples grouped by the top frame's package, each with its share of all samples. Any event with a
# stack trace works as EVENT, e.g. jdk.NativeMethodSample, jdk.JavaMonitorEnter, jdk.ThreadPark
# (for those the top frame is usually the JDK's park/wait; look at the wider stacks with
# `jfr print --events EVENT --stack-depth 20`).
set -euo pipefail

[[ $# -ge 1 && -f "$1" ]] || { echo "usage: $0 recording.jfr [N]" >&2; exit 2; }
FILE="$1"
N="${2:-25}"
EVENT="${3:-jdk.ExecutionSample}"
JFR_TOOL="${JFR_TOOL:-$(command -v jfr || true)}"
if [[ -z "$JFR_TOOL" && -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/jfr" ]]; then JFR_TOOL="$JAVA_HOME/bin/jfr"; fi
[[ -n "$JFR_TOOL" ]] || { echo "no jfr tool (part of a JDK) on PATH or in \$JAVA_HOME/bin" >&2; exit 2; }

TOPS="$(mktemp)"
trap 'rm -f "$TOPS"' EXIT

# The text format lists each event's stackTrace = [ ... ] with the top frame first, e.g.
#     java.util.HashMap.getNode(Object) line: 568
"$JFR_TOOL" print --events "$EVENT" --stack-depth 1 "$FILE" | awk '
  /stackTrace = \[/ { want = 1; next }
  want {
    line = $0
    sub(/^[ \t]+/, "", line)
    sub(/[ \t]+line:.*$/, "", line)
    if (line != "" && line != "]" && line != "...") print line
    want = 0
  }' > "$TOPS"

total=$(wc -l < "$TOPS")
if [[ "$total" -eq 0 ]]; then
  echo "no $EVENT events with a stack trace in $FILE"
  exit 0
fi

echo "$total $EVENT events in $FILE"
echo
echo "Top $N stack-top frames:"
sort "$TOPS" | uniq -c | sort -rn | head -n "$N" \
  | awk -v t="$total" '{ n = $1; sub(/^ *[0-9]+ /, ""); printf "%7d %5.1f%%  %s\n", n, 100 * n / t, $0 }'
echo
echo "By package of the stack-top frame (top 15):"
# Class is everything before the last "." ahead of the method's "(", package everything before the class.
sed -E 's/\(.*$//; s/\.[^.]+$//; s/\.[^.]+$//' "$TOPS" | sort | uniq -c | sort -rn | head -n 15 \
  | awk -v t="$total" '{ printf "%7d %5.1f%%  %s\n", $1, 100 * $1 / t, $2 }'
