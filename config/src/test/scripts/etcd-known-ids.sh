#!/usr/bin/env bash
# Records the member and cluster IDs that a real etcd derives for a few bootstrap configurations.
# The printed values are pinned in MemberIdsTest; the unit test itself does not need etcd.
# Needs /usr/bin/etcd and /usr/bin/etcdctl (Debian etcd-server / etcd-client). Listens on
# 127.0.0.1 ports 23790-23839 only, kills only the etcd processes it started, removes its data dir.
set -euo pipefail
ETCD=${ETCD:-/usr/bin/etcd}
ETCDCTL=${ETCDCTL:-/usr/bin/etcdctl}
export ETCDCTL_API=3
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# start NAME TOKEN CLIENT_PORT PEER_URLS(comma) INITIAL_CLUSTER
start() {
  local name=$1 token=$2 cport=$3 purls=$4 ic=$5
  "$ETCD" --name "$name" --data-dir "$WORK/$name" --initial-cluster-token "$token" \
    --listen-client-urls "http://127.0.0.1:$cport" --advertise-client-urls "http://127.0.0.1:$cport" \
    --listen-peer-urls "$purls" --initial-advertise-peer-urls "$purls" \
    --initial-cluster "$ic" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}

# report CLIENT_PORT: waits (bounded, 15 s) until the endpoint answers, prints status and members
report() {
  local ep="http://127.0.0.1:$1"
  for _ in $(seq 1 75); do
    if "$ETCDCTL" --endpoints "$ep" endpoint status -w json 2>/dev/null; then
      echo; "$ETCDCTL" --endpoints "$ep" member list -w json; echo; return 0
    fi
    sleep 0.2
  done
  echo "endpoint $ep did not answer within 15 s" >&2; return 1
}

stop_all() {
  for p in "${PIDS[@]}"; do kill "$p"; done
  for p in "${PIDS[@]}"; do wait "$p" || true; done
  PIDS=()
}

"$ETCD" --version | sed -n 1p
echo "== 1: default name, default token, one peer URL"
start default etcd-cluster 23790 http://127.0.0.1:23800 default=http://127.0.0.1:23800
report 23790; stop_all

echo "== 2: name node-two, token etcetera-test-token, two peer URLs given unsorted"
start node-two etcetera-test-token 23791 http://127.0.0.1:23802,http://127.0.0.1:23801 \
  node-two=http://127.0.0.1:23802,node-two=http://127.0.0.1:23801
report 23791; stop_all

echo "== 3: three members alpha, beta, gamma, token three-node-token"
IC=alpha=http://127.0.0.1:23810,beta=http://127.0.0.1:23820,gamma=http://127.0.0.1:23830
start alpha three-node-token 23792 http://127.0.0.1:23810 "$IC"
start beta three-node-token 23793 http://127.0.0.1:23820 "$IC"
start gamma three-node-token 23794 http://127.0.0.1:23830 "$IC"
report 23792; stop_all
