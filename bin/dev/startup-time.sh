#!/usr/bin/env bash
# Measures a member's start-up: wall time from launch to the ready line, and the CPU seconds the
# process has used by then (utime+stime of all its threads, /proc/<pid>/stat). On a shared,
# loaded machine the CPU figure is the one to compare; wall time is printed beside the load.
#
#   bin/dev/startup-time.sh [-n RUNS] [--fresh] [--timeout SECONDS] [VARIANT...]
#
#   VARIANT   NAME=LAUNCHER[:JAVA_OPTS]   (default: current=<this checkout>/bin/etcetera)
#             LAUNCHER is a bin/etcetera (e.g. of a copy of another build); JAVA_OPTS, if given,
#             becomes ETCETERA_JAVA_OPTS for that variant. Variants alternate run by run.
#   -n RUNS   measured starts per variant (default 5)
#   --fresh   every start gets a new, empty data dir (default: restarts: one unmeasured start
#             per variant creates the data dir, then every measured start reuses it)
#
# Each start binds free loopback ports (client, peer, Payara HTTP, data grid) and a temp data
# dir; after the ready line (or the timeout, or an early exit) the process is stopped by PID with
# SIGTERM, then SIGKILL after 20 s, and its temp dir removed. One line per start, then per
# variant: median [min,max] of wall and CPU seconds.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUNS=5
FRESH=0
TIMEOUT=120
VARIANTS=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n) RUNS=$2; shift 2 ;;
    --fresh) FRESH=1; shift ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *=*) VARIANTS+=("$1"); shift ;;
    *) echo "startup-time: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ ${#VARIANTS[@]} -gt 0 ] || VARIANTS=("current=$ROOT/bin/etcetera")

TICK=$(getconf CLK_TCK)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/etcetera-startup.XXXXXX")
PID=""
cleanup() {
  stop_member
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Four distinct free loopback ports (bound and released by the kernel's ephemeral allocator).
free_ports() {
  python3 - <<'EOF'
import socket
socks = []
for _ in range(4):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()
EOF
}

cpu_seconds() { # utime+stime of process $1 in seconds; fields counted after the ")" closing comm
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo "NA"; return; }
  stat=${stat##*) }
  # shellcheck disable=SC2086
  set -- $stat
  awk -v u="${12}" -v s="${13}" -v t="$TICK" 'BEGIN { printf "%.2f", (u + s) / t }'
}

stop_member() {
  [ -n "$PID" ] || return 0
  if kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null
    local i
    for i in $(seq 1 200); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$PID" 2>/dev/null; then
      echo "startup-time: pid $PID ignored SIGTERM for 20 s; SIGKILL" >&2
      kill -KILL "$PID" 2>/dev/null
    fi
  fi
  wait "$PID" 2>/dev/null
  PID=""
}

# start_once NAME LAUNCHER JAVA_OPTS DATA_DIR LOG -> sets RESULT to "wall cpu" or "FAIL reason"
start_once() {
  local name=$1 launcher=$2 opts=$3 data=$4 log=$5
  local ports client peer http hz
  read -r client peer http hz <<< "$(free_ports)"
  local curl="http://127.0.0.1:$client" purl="http://127.0.0.1:$peer"
  local t0 t1
  t0=$(date +%s%N)
  ETCETERA_JAVA_OPTS="$opts" "$launcher" --name "$name" --data-dir "$data" \
    --listen-client-urls "$curl" --advertise-client-urls "$curl" \
    --listen-peer-urls "$purl" --initial-advertise-peer-urls "$purl" --initial-cluster "$name=$purl" \
    --payara-http-port "$http" --payara-hazelcast-port "$hz" > "$log" 2>&1 &
  PID=$!
  local deadline=$((t0 + TIMEOUT * 1000000000)) result=""
  while :; do
    if grep -q "ready to serve client requests" "$log" 2>/dev/null; then
      local cpu
      cpu=$(cpu_seconds "$PID")
      t1=$(date +%s%N)
      result=$(awk -v a="$t0" -v b="$t1" -v c="$cpu" 'BEGIN { printf "%.2f %s", (b - a) / 1e9, c }')
      break
    fi
    if ! kill -0 "$PID" 2>/dev/null; then result="FAIL exited before the ready line (see $log)"; break; fi
    if [ "$(date +%s%N)" -gt "$deadline" ]; then result="FAIL no ready line within ${TIMEOUT}s"; break; fi
    sleep 0.05
  done
  stop_member
  RESULT=$result
}

stats() { # median [min,max] of the numbers on stdin
  sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "n/a"; exit }
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.2f [%.2f,%.2f] n=%d", m, v[1], v[NR], NR }'
}

declare -A DATA
for v in "${VARIANTS[@]}"; do
  name=${v%%=*}
  [ -d "$WORK/$name" ] && { echo "startup-time: variant name $name given twice" >&2; exit 2; }
  mkdir -p "$WORK/$name"
  : > "$WORK/$name.results"
done

echo "# $(date -u +%FT%TZ) $(nproc) cpus; runs=$RUNS; mode=$([ $FRESH = 1 ] && echo fresh || echo restart)"
for v in "${VARIANTS[@]}"; do echo "# variant $v"; done

if [ "$FRESH" = 0 ]; then
  for v in "${VARIANTS[@]}"; do
    name=${v%%=*}; rest=${v#*=}; launcher=${rest%%:*}; opts=""; [ "$rest" != "$launcher" ] && opts=${rest#*:}
    DATA[$name]="$WORK/$name/data"
    start_once "$name" "$launcher" "$opts" "${DATA[$name]}" "$WORK/$name/warmup.log"; r=$RESULT
    echo "$name warm-up (creates the data dir): $r"
    case "$r" in FAIL*) tail -20 "$WORK/$name/warmup.log" >&2; exit 1 ;; esac
  done
fi

for i in $(seq 1 "$RUNS"); do
  for v in "${VARIANTS[@]}"; do
    name=${v%%=*}; rest=${v#*=}; launcher=${rest%%:*}; opts=""; [ "$rest" != "$launcher" ] && opts=${rest#*:}
    data=${DATA[$name]:-}
    if [ "$FRESH" = 1 ]; then data="$WORK/$name/data-$i"; fi
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    start_once "$name" "$launcher" "$opts" "$data" "$WORK/$name/run-$i.log"; r=$RESULT
    [ "$FRESH" = 1 ] && rm -rf "$data"
    echo "$name run $i: wall_s cpu_s = $r  (loadavg before: $load)"
    case "$r" in FAIL*) tail -20 "$WORK/$name/run-$i.log" >&2 ;; *) echo "$r" >> "$WORK/$name.results" ;; esac
  done
done

echo "# summary: variant  wall_s median [min,max]  cpu_s median [min,max]; loadavg now $(cut -d' ' -f1-3 /proc/loadavg)"
for v in "${VARIANTS[@]}"; do
  name=${v%%=*}
  printf '%-16s wall %s   cpu %s\n' "$name" \
    "$(cut -d' ' -f1 "$WORK/$name.results" | stats)" "$(cut -d' ' -f2 "$WORK/$name.results" | stats)"
done
