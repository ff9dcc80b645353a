#!/usr/bin/env bash
# Mutation testing of the worker's decision, report, lock and retry code with cargo-mutants:
# every mutant (a changed operator, a function body replaced by a default, a match arm deleted)
# must make a test fail. Slow (tens of minutes on 2 cores), so not part of CI.
#
#   scripts/mutants.sh              # the four modules; results in mutants.out/
#   FILES="src/worker/decision.rs" TESTS="--lib" scripts/mutants.sh   # one module, unit tests only
#
# The tests run are the library's unit tests and the worker's scenario tests (both runtime
# flavours). Surviving mutants are listed in mutants.out/missed.txt; each one must be killed by
# a new test or explained in docs/worker-mutations.md. The README shows the latest counts.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$ROOT"
FILES=${FILES:-src/worker/decision.rs src/worker/report.rs src/worker/lock.rs src/worker/retry.rs}
if ! command -v cargo-mutants >/dev/null 2>&1; then
  echo "installing cargo-mutants" >&2
  cargo install cargo-mutants --locked
fi
args=()
for f in $FILES; do args+=(--file "$f"); done
# Only the library's unit tests and the worker's scenario tests are built and run for each
# mutant (--cargo-arg applies to the build as well as the run; without it every test binary
# of the crate is linked again for every mutant). The tree is copied with its target
# directory, so the first build is incremental too. A mutant that hangs is cut off.
TESTS=${TESTS:---lib --test worker_answers}
cargo_args=()
for t in $TESTS; do cargo_args+=(--cargo-arg "$t"); done
cargo mutants "${args[@]}" "${cargo_args[@]}" --copy-target true --timeout 240 --jobs 1 \
  || true  # cargo-mutants exits non-zero when a mutant survives; the summary says which
echo
echo "caught:   $(wc -l < mutants.out/caught.txt 2>/dev/null || echo 0)"
echo "missed:   $(wc -l < mutants.out/missed.txt 2>/dev/null || echo 0)"
echo "timeout:  $(wc -l < mutants.out/timeout.txt 2>/dev/null || echo 0)"
echo "unviable: $(wc -l < mutants.out/unviable.txt 2>/dev/null || echo 0)"
if [ -s mutants.out/missed.txt ]; then
  echo; echo "missed mutants:"; cat mutants.out/missed.txt
fi
