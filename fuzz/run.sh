#!/usr/bin/env bash
# Run each fuzz target under libFuzzer for a bounded time, fold the inputs that found new
# coverage into the committed corpus, and print one line per target: executions, speed,
# coverage, corpus size and crashes. A crash leaves its input in fuzz/artifacts/<target>/;
# copy it to fuzz/regressions/<target>/ with the fix, and `cargo test` replays it forever.
#
#   fuzz/run.sh                   every target, 600 s each
#   fuzz/run.sh -t 60 stdio_session spec_loader
#
# Needs a nightly toolchain (`rustup toolchain install nightly`) and cargo-fuzz
# (`cargo install cargo-fuzz`). CI does not run this; it replays the corpus instead
# (tests/tests/fuzz_corpus.rs).
set -euo pipefail
cd "$(dirname "$0")"

seconds=600
while getopts "t:" option; do
  case "$option" in
    t) seconds="$OPTARG" ;;
    *) echo "usage: $0 [-t SECONDS] [target...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(ls fuzz_targets | sed 's/\.rs$//')
fi

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzzing needs a nightly toolchain: rustup toolchain install nightly" >&2
  exit 1
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzzing needs cargo-fuzz: cargo install cargo-fuzz" >&2
  exit 1
fi

[ -d corpus ] || python3 seed_corpus.py
echo "building the fuzz targets (release, with coverage instrumentation)"
cargo +nightly fuzz build -O >/dev/null

max_len() {
  case "$1" in
    spec_loader) echo 65536 ;;
    *) echo 8192 ;;
  esac
}

mkdir -p logs
summary=()
status=0
for target in "${targets[@]}"; do
  mkdir -p "work/$target" "artifacts/$target" "corpus/$target"
  dict=()
  [ -f "dicts/$target.dict" ] && dict=("-dict=dicts/$target.dict")
  log="logs/$target.log"
  echo "fuzzing $target for $seconds s (log: fuzz/$log)"
  crashed=no
  if ! cargo +nightly fuzz run -O "$target" "work/$target" "corpus/$target" -- \
      -max_total_time="$seconds" -print_final_stats=1 -max_len="$(max_len "$target")" \
      -timeout=30 -rss_limit_mb=4096 -artifact_prefix="artifacts/$target/" \
      "${dict[@]}" >"$log" 2>&1; then
    crashed=yes
    status=1
  fi
  # Keep only inputs that add coverage: merge the run's finds into the committed corpus.
  cargo +nightly fuzz run -O "$target" "corpus/$target" "work/$target" -- \
    -merge=1 -max_len="$(max_len "$target")" -timeout=30 >>"$log" 2>&1 || true
  rm -rf "work/$target"
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | head -1)
  speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | head -1)
  coverage=$(grep -o 'cov: *[0-9]* ft: *[0-9]*' "$log" | tail -1 | tr -s ' ')
  files=$(find "corpus/$target" -type f | wc -l)
  summary+=("$(printf '%-18s %12s execs  %8s/s  %-22s %6s inputs  crash: %s' \
    "$target" "${execs:-?}" "${speed:-?}" "${coverage:-?}" "$files" "$crashed")")
done

echo
printf '%s\n' "${summary[@]}"
if [ "$status" -ne 0 ]; then
  echo "crashes are in fuzz/artifacts/<target>/; reproduce one with" >&2
  echo "  cargo +nightly fuzz run -O <target> fuzz/artifacts/<target>/<file>" >&2
fi
exit "$status"
