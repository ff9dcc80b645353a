#!/usr/bin/env bash
# Regenerates benches/RESULTS.md and the README's copy of it: generator stage times, compile times, client overhead beside the
# peer clients, and worker throughput / latency / memory. Every figure is run RUNS times (default 3);
# the table shows medians, and ratios are taken against baselines measured in the same run.
#
#   scripts/bench.sh                 # everything (30-60 minutes on a busy 2-core machine)
#   ONLY="generator worker" scripts/bench.sh   # a subset: generator compile client instructions pairs worker
#
# Environment: RUNS, DURATION_S (client/worker seconds per run, default 10), COMPILE_RUNS (default
# RUNS), PAIR_ROUNDS / PAIR_DURATION_S (the interleaved comparison: rounds, default 15, and seconds
# per client per round, default 2), CAMUNDA_OPENAPI_DIR (the upstream documents, default ../shared/camunda-openapi),
# PEERS_KIT (the peer-client kit, default ../shared/bench/peers), BENCH_WORK (scratch directory with
# the raw JSON lines and the separate target directory for compile timings, default
# $TMPDIR/camunda7-bench), PEERS_WORK (the peer kit's work directory, default /tmp/peers-bench).
# Needs: cargo, python3, GNU time (/usr/bin/time); the client figures also need what the peer kit
# installs (nginx, node, python venvs).
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$ROOT"
RUNS=${RUNS:-3}
COMPILE_RUNS=${COMPILE_RUNS:-$RUNS}
export DURATION_S=${DURATION_S:-10}
ONLY=${ONLY:-generator compile client instructions pairs worker}
SPECS=${CAMUNDA_OPENAPI_DIR:-$ROOT/../shared/camunda-openapi}
FULL_SPEC=$SPECS/camunda-7.24.0-SNAPSHOT.json
PEERS_KIT=${PEERS_KIT:-$ROOT/../shared/bench/peers}
W=${BENCH_WORK:-${TMPDIR:-/tmp}/camunda7-bench}
PW=${PEERS_WORK:-/tmp/peers-bench}
mkdir -p "$W"
want() { [[ " $ONLY " == *" $1 "* ]]; }
# The generator and compile figures are taken on a clean export of the committed tree (HEAD, or
# BENCH_REV), in their own target directories, so half-finished edits in the work tree and other
# builds in target/ do not interfere.
export_src() {
  if [ ! -d "$W/src" ]; then
    mkdir -p "$W/src"
    git -C "$ROOT" archive "${BENCH_REV:-HEAD}" | tar -x -C "$W/src"
    [ -f "$W/src/Cargo.lock" ] || cp "$ROOT/Cargo.lock" "$W/src/" 2>/dev/null || true
  fi
}
log() { echo "[bench $(date -u +%H:%M:%S)] $*" >&2; }
# The kit's nginx stand-in, for the parts that run outside the kit (`stand_in_start [pin command]`).
stand_in_start() { "$@" nginx -c "$PW/nginx.conf" -p "$PW/" >"$W/nginx.out" 2>&1 & NPID=$!; sleep 1; }
stand_in_stop() { kill -QUIT "$NPID" 2>/dev/null || true; wait "$NPID" 2>/dev/null || true; }
# Which commit and when a part was measured, for the report (parts can be re-run alone).
stamp() { echo "$(git -C "$ROOT" rev-parse --short "${BENCH_REV:-HEAD}") $(date -u +'%Y-%m-%d %H:%M UTC')" > "$W/$1.measured"; }

# ---- 1. generator: per-stage times, release (bench profile) and debug (as build scripts run it)
rm -rf "$W/src"
if want generator; then
  export_src
  rm -f "$W/generator.jsonl"
  stamp generator
  for profile in bench dev; do
    log "generator: building the benchmark ($profile)"
    (cd "$W/src" && CARGO_TARGET_DIR="$W/target-gen" cargo bench -q -p camunda7-codegen --bench generate --profile "$profile" --no-run)
    for i in $(seq "$RUNS"); do
      log "generator ($profile) run $i/$RUNS"
      (cd "$W/src" && CARGO_TARGET_DIR="$W/target-gen" timeout 600 cargo bench -q -p camunda7-codegen --bench generate --profile "$profile" -- \
          "$W/src/spec/external-task.yaml" "$FULL_SPEC" 2>/dev/null) \
        | sed "s/^{/{\"run\":$i,/" >> "$W/generator.jsonl"
    done
  done
fi

# ---- 2. compile time of the client crate, dependencies prebuilt, in a separate target directory
if want compile; then
  export_src
  rm -f "$W/compile.jsonl"
  stamp compile
  export CARGO_TARGET_DIR="$W/target-compile"
  # A dependency is never built incrementally, so neither is the measured crate.
  export CARGO_INCREMENTAL=0
  mkdir -p "$W/specs"
  cp "$W/src/spec/external-task.yaml" "$W/specs/external-task.yaml"
  pushd "$W/src" >/dev/null
  cp "$FULL_SPEC" "$W/specs/full-7.24.json"
  for profile in dev release; do
    flag=(); [ "$profile" = release ] && flag=(--release)
    log "compile: warming up dependencies ($profile)"
    CAMUNDA_OPENAPI_SPEC="$W/specs/external-task.yaml" cargo build -q -p camunda7-client --lib "${flag[@]}" 2>&1 | tail -5 || true
    for spec in external-task.yaml full-7.24.json; do
      # First build with this document (also re-checks that it compiles at all).
      if ! CAMUNDA_OPENAPI_SPEC="$W/specs/$spec" cargo build -q -p camunda7-client --lib "${flag[@]}" \
          >"$W/compile-$profile-$spec.log" 2>&1; then
        err=$(grep -E '^error' "$W/compile-$profile-$spec.log" | sort | uniq -c | sort -rn | head -3 | tr '\n' ';' | sed 's/"/\\"/g')
        n=$(grep -cE '^error' "$W/compile-$profile-$spec.log" || true)
        echo "{\"profile\":\"$profile\",\"spec\":\"$spec\",\"error\":\"$n error lines: $err\"}" >> "$W/compile.jsonl"
        log "compile: $spec ($profile) does not compile; see $W/compile-$profile-$spec.log"
        continue
      fi
      for i in $(seq "$COMPILE_RUNS"); do
        log "compile: $spec ($profile) run $i/$COMPILE_RUNS"
        touch "$W/specs/$spec"
        CAMUNDA_OPENAPI_SPEC="$W/specs/$spec" /usr/bin/time -f "%e %U %S" -o "$W/time.out" \
          cargo build -q -p camunda7-client --lib "${flag[@]}" >/dev/null 2>&1
        read -r wall user sys < <(tail -1 "$W/time.out")
        echo "{\"run\":$i,\"profile\":\"$profile\",\"spec\":\"$spec\",\"wall_s\":$wall,\"cpu_s\":$(python3 -c "print($user+$sys)")}" >> "$W/compile.jsonl"
      done
    done
  done
  popd >/dev/null
  # The same documents generated in a crate of one's own (camunda7_codegen::Builder in its
  # build.rs): only the generated code is rebuilt when the document changes, not the runtime.
  U="$W/own-crate"
  mkdir -p "$U/src"
  cat > "$U/Cargo.toml" <<TOML
[package]
name = "bench-own-crate"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
camunda7-client = { path = "$W/src", default-features = false, features = ["rustls-tls"] }
serde = { version = "1", features = ["derive"] }

[build-dependencies]
camunda7-codegen = { path = "$W/src/codegen", default-features = false }
TOML
  cat > "$U/build.rs" <<'RS'
fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-env-changed=BENCH_SPEC");
    println!("cargo:rerun-if-env-changed=BENCH_TAGS");
    let mut builder = camunda7_codegen::Builder::new(std::env::var("BENCH_SPEC")?)
        .allow_warnings([camunda7_codegen::WarningKind::Simplified]);
    if let Some(tags) = std::env::var("BENCH_TAGS").ok().filter(|t| !t.is_empty()) {
        builder = builder.tags(tags.split(',').filter(|t| !t.is_empty()).map(str::to_owned));
    }
    builder.compile()?;
    Ok(())
}
RS
  printf 'pub mod camunda {\n    camunda7_client::include_api!();\n}\n' > "$U/src/lib.rs"
  cp "$W/src/Cargo.lock" "$U/Cargo.lock" 2>/dev/null || true
  # The same target directory: the dependencies are built already (camunda7-client once more,
  # with its default document, in the untimed first build).
  export CARGO_TARGET_DIR="$W/target-compile"
  FIVE_TAGS="Process Instance,Process Definition,Deployment,Message,Task"
  for profile in dev release; do
    flag=(); [ "$profile" = release ] && flag=(--release)
    for what in full-7.24 five-tags-7.24; do
      [ "$what" = five-tags-7.24 ] && [ "$profile" = release ] && continue
      tags=""; [ "$what" = five-tags-7.24 ] && tags=$FIVE_TAGS
      log "compile: own crate, $what ($profile), first build"
      if ! BENCH_SPEC="$W/specs/full-7.24.json" BENCH_TAGS="$tags" \
          cargo build -q --manifest-path "$U/Cargo.toml" "${flag[@]}" >"$W/compile-own-$profile-$what.log" 2>&1; then
        echo "{\"profile\":\"$profile\",\"spec\":\"own crate: $what\",\"error\":\"does not compile\"}" >> "$W/compile.jsonl"
        continue
      fi
      for i in $(seq "$COMPILE_RUNS"); do
        log "compile: own crate, $what ($profile) run $i/$COMPILE_RUNS"
        touch "$W/specs/full-7.24.json"
        BENCH_SPEC="$W/specs/full-7.24.json" BENCH_TAGS="$tags" \
          /usr/bin/time -f "%e %U %S" -o "$W/time.out" \
          cargo build -q --manifest-path "$U/Cargo.toml" "${flag[@]}" >/dev/null 2>&1
        read -r wall user sys < <(tail -1 "$W/time.out")
        echo "{\"run\":$i,\"profile\":\"$profile\",\"spec\":\"own crate: $what\",\"wall_s\":$wall,\"cpu_s\":$(python3 -c "print($user+$sys)")}" >> "$W/compile.jsonl"
      done
    done
  done
  unset CARGO_TARGET_DIR CARGO_INCREMENTAL
fi

# ---- 3 + 4. our client loop and worker beside the peers (nginx stand-in), then the embedded engine
if want client || want instructions || want pairs || want worker; then
  log "building the benchmark programs (release)"
  cargo build -q --release -p camunda7-bench --bins
  EX=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release
fi
if want client; then
  log "client loop beside the peers: RUNS=$RUNS x DURATION_S=$DURATION_S per client"
  EXTRA_CLIENTS="ours=$EX/bench_loop;ours-worker-c1=env BENCH_MODE=standin CONCURRENCY=1 $EX/bench_worker;ours-worker-c16=env BENCH_MODE=standin CONCURRENCY=16 $EX/bench_worker" \
    RUNS=$RUNS bash "$PEERS_KIT/bench.sh" | tee "$W/peers.txt" >&2
  cp "$PW/results.jsonl" "$W/peers.jsonl"
  BENCH_REV=HEAD stamp peers
fi
# ---- 3b. noise-free cross-check: instructions per iteration under valgrind (callgrind), ours vs the
# hand-written loop, from two loop lengths so start-up cancels out
if want instructions && command -v valgrind >/dev/null; then
  rm -f "$W/instructions.jsonl"
  BENCH_REV=HEAD stamp instructions
  stand_in_start
  # name|environment|program (the environment goes to the program, not through `env`, so that
  # valgrind runs the program itself)
  for client in "raw-reqwest||$PW/raw-reqwest/target/release/raw-reqwest-bench" "ours||$EX/bench_loop" \
                "ours-worker-c1|BENCH_MODE=standin CONCURRENCY=1|$EX/bench_worker"; do
    IFS='|' read -r name vars bin <<< "$client"
    for d in 2 6; do
      log "instructions: $name, ${d} s under callgrind"
      # shellcheck disable=SC2086
      env $vars DURATION_S=$d valgrind --tool=callgrind --callgrind-out-file="$W/cg.$name.$d" "$bin" \
        >"$W/cg.$name.$d.out" 2>"$W/cg.$name.$d.err" || true
    done
    python3 - "$W" "$name" >> "$W/instructions.jsonl" <<'PY'
import json, re, sys
w, name = sys.argv[1], sys.argv[2]
def get(d):
    line = json.loads([l for l in open(f"{w}/cg.{name}.{d}.out") if l.startswith("{")][-1])
    it = line["iterations"]
    # Requests sent: a fetch and a report per iteration; the worker also counts its polls, which
    # include fetches that returned a task still being reported (skipped as duplicates).
    requests = it + line["polls"] if "polls" in line else 2 * it
    ir = int(re.search(r"Collected : (\d+)", open(f"{w}/cg.{name}.{d}.err").read()).group(1))
    return it, requests, line.get("duplicates_skipped", 0), ir
(i1, q1, d1, r1), (i2, q2, d2, r2) = get(2), get(6)
print(json.dumps({"name": name, "instructions_per_it": (r2 - r1) / max(i2 - i1, 1),
                  "instructions_per_pair": (r2 - r1) / max((q2 - q1) / 2, 1),
                  "duplicate_fetches": (d2 - d1) / max(q2 - q1 - (i2 - i1), 1),
                  "iterations": i2 - i1}))
PY
  done
  stand_in_stop
fi

# ---- 3c. interleaved: the hand-written loop, our client and the worker back to back, in a rotating
# order, many short runs. The peer kit measures the loop a minute or more before our entries, and on
# a shared machine the speed drifts in between; here each round's ratios come from runs taken
# within seconds of each other. Two layouts: client and nginx pinned to one core (as the kit runs
# them), and both free on the machine's cores. Our client and worker also run with their request
# timeout off (NO_TIMEOUT=1), as the hand-written loop has none.
if want pairs; then
  [ -x "$PW/raw-reqwest/target/release/raw-reqwest-bench" ] || { log "pairs: the peer kit has not been set up ($PW); run ONLY=client first"; exit 1; }
  rm -f "$W/pairs.jsonl"
  BENCH_REV=HEAD stamp pairs
  # name|environment|program
  clients=("raw-reqwest||$PW/raw-reqwest/target/release/raw-reqwest-bench"
           "ours||$EX/bench_loop" "ours-no-timeout|NO_TIMEOUT=1|$EX/bench_loop"
           "ours-worker-c1||$EX/bench_worker" "ours-worker-c1-no-timeout|NO_TIMEOUT=1|$EX/bench_worker")
  n=${#clients[@]}
  rounds=${PAIR_ROUNDS:-15}
  for layout in one-core two-cores; do
    PIN=""; [ "$layout" = one-core ] && PIN="taskset -c ${PIN_CPU:-0}"
    # shellcheck disable=SC2086
    stand_in_start $PIN
    log "interleaved ($layout): $rounds rounds x ${PAIR_DURATION_S:-2} s per client"
    for i in $(seq "$rounds"); do
      for j in $(seq 0 $((n - 1))); do
        IFS='|' read -r name vars bin <<< "${clients[$(( (i + j) % n ))]}"
        # shellcheck disable=SC2086
        line=$(env $vars BENCH_MODE=standin CONCURRENCY=1 DURATION_S=${PAIR_DURATION_S:-2} $PIN "$bin" | grep '^{' | tail -1) || true
        [ -n "$line" ] && echo "{\"layout\":\"$layout\",\"round\":$i,\"name\":\"$name\",${line#\{}" >> "$W/pairs.jsonl"
      done
    done
    stand_in_stop
  done
fi

if want worker; then
  rm -f "$W/worker.jsonl"
  BENCH_REV=HEAD stamp worker
  for i in $(seq "$RUNS"); do
    for c in 1 16; do
      log "worker on the embedded engine, concurrency $c, run $i/$RUNS"
      BENCH_MODE=engine CONCURRENCY=$c "$EX/bench_worker" | sed "s/^{/{\"run\":$i,/" >> "$W/worker.jsonl"
    done
    log "worker RSS with 1000 tasks in flight, run $i/$RUNS"
    BENCH_MODE=rss TASKS=1000 "$EX/bench_worker" | sed "s/^{/{\"run\":$i,/" >> "$W/worker.jsonl"
  done
fi

# Parts not run this time keep their figures from the last report.
cp "$ROOT/benches/RESULTS.md" "$W/previous-RESULTS.md" 2>/dev/null || true
python3 "$ROOT/benches/report.py" --readme "$ROOT/README.md" --previous "$W/previous-RESULTS.md" "$W" > "$ROOT/benches/RESULTS.md"
log "wrote benches/RESULTS.md and the README's benchmark section"
