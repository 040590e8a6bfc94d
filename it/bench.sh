#!/usr/bin/env bash
# Benchmark: real etcd vs an Etcetera member on loopback (etcd vs a second etcd while bin/etcetera is missing).
# Usage: it/bench.sh [Compare args, e.g. --reps 3 --duration 8s --warmup 4s --clients 16 --conns 4 --subject etcd]
# Prints per-repetition figures and a table of medians, spread and member/etcd ratios; no pass/fail.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
exec mvn -B -q -Pbench -pl it -am verify -DskipTests "-Dbench.args=$*"
