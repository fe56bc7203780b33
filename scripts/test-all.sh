#!/usr/bin/env bash
# The whole volact test suite, as the README's second command and CI (.ci/run) run it.
# Installs what it needs (Debian packages, Python packages into target/py-venv), prints each
# stage's time, runs every stage even after a failure, and exits non-zero if any failed.
# Nothing is skipped: a missing tool is installed or the stage fails.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
unset RUST_BACKTRACE   # a set RUST_BACKTRACE makes valgrind report the backtrace cache

suite_start=$(date +%s)
passed=0
failed=0
failed_names=()
declare -a summary

stage() {
  local name=$1; shift
  local t0 t1 rc
  t0=$(date +%s)
  printf '\n===== stage: %s =====\n' "$name"
  "$@"
  rc=$?
  t1=$(date +%s)
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1)); summary+=("$(printf '%-28s ok      %4ds' "$name" $((t1 - t0)))")
  else
    failed=$((failed + 1)); failed_names+=("$name")
    summary+=("$(printf '%-28s FAILED  %4ds (exit %d)' "$name" $((t1 - t0)) "$rc")")
  fi
  printf '===== %s: exit %d after %ds =====\n' "$name" "$rc" $((t1 - t0))
}

install_system_packages() {
  local need=()
  command -v gcc >/dev/null || need+=(gcc)
  command -v g++ >/dev/null || need+=(g++)
  command -v valgrind >/dev/null || need+=(valgrind)
  command -v pkg-config >/dev/null || need+=(pkg-config)
  command -v mcs >/dev/null || need+=(mono-mcs)
  command -v mono >/dev/null || need+=(mono-runtime)
  command -v nunit-console >/dev/null || need+=(nunit-console libnunit-cil-dev)
  # DNS tests run a real bind9 on loopback (crates/volact-net/tests, tests/dns/named.sh) and
  # the discovery benchmark compares against dig.
  command -v named >/dev/null || need+=(bind9)
  command -v tsig-keygen >/dev/null || need+=(bind9-utils)
  command -v dig >/dev/null || need+=(dnsutils)
  if [ ${#need[@]} -eq 0 ]; then
    echo "all system packages present"
    return 0
  fi
  echo "installing: ${need[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "not root: install these with apt-get first: ${need[*]}" >&2
    return 1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
}

fuzz_targets_compile() {
  # The fuzz crate is its own workspace (so the main one never builds libFuzzer); check
  # that its targets still compile against the core. Running them is for developers
  # (fuzz/README.md); CI replays their saved corpus in `cargo test`.
  cargo check --quiet --manifest-path fuzz/Cargo.toml --bins
}

readme_commands() {
  # The README's first command and the Rust example, checked by what they print.
  local out
  out=$(cargo run -q -p volact-cli -- catalog list) || return 1
  grep -q '167 published KMS client setup keys: 142 pkey2009' <<<"$out" || { echo "catalog list: unexpected output"; return 1; }
  out=$(cargo run -q -p volact --example inspect_keys) || return 1
  echo "$out"
  grep -q 'XXXXX-XXXXX-XXXXX-XXXXX-2YT43  valid pkey2009, group 3290' <<<"$out" &&
    grep -q 'INVALID: checksum mismatch' <<<"$out" &&
    grep -q 'every check digit holds' <<<"$out" || return 1
  out=$(cargo run -q -p volact-io --example cil_proxy_activation) || return 1
  echo "$out"
  grep -q 'computer names in it: none' <<<"$out" &&
    [ "$(grep -c ': applied$' <<<"$out")" -eq 5 ] &&
    grep -q '5 already present' <<<"$out" || return 1
  out=$(cargo run -q -p volact-net --example kms_discovery) || return 1
  echo "$out"
  grep -q 'kms-e1.east.contoso.com: east.contoso.com, 10, 75 | west.contoso.com, 90, 75' <<<"$out" &&
    grep -Eq 'A client in east.contoso.com tries: kms-e[12][^,]*, kms-e[12][^,]*, kms-w' <<<"$out" || return 1
  out=$(cargo run -q -p volact --example kms_outage) || return 1
  echo "$out"
  grep -q 'kms-e1.east.contoso.com: [0-9]* requests in all, 0 during days 61-149' <<<"$out" &&
    grep -q '600 licensed at the end' <<<"$out" || return 1
  # The seed's isolated lab, MAK proxy activation end to end on simulated machines.
  out=$(cargo run -q -p volact-sim --example isolated_lab) || return 1
  echo "$out"
  grep -q 'skipped LAB-PC11 (mak-on-retail-edition)' <<<"$out" &&
    grep -q 'names, workgroup, group or key in it: 0' <<<"$out" &&
    grep -q 'Licensed: 10 of 11' <<<"$out" &&
    grep -q 'reapplied with exact IID match: 10 done, 1 skipped; Licensed: 10; activations left: 15' <<<"$out" &&
    grep -q 'exact IID match on: failed: exact IID match' <<<"$out" || return 1
  # The seed's global KMS network: deployed on simulated machines, checked by the fleet
  # simulator.
  out=$(cargo run -q -p volact-sim --example global_kms) || return 1
  echo "$out"
  grep -q 'activated online in this order: KMS-E1, KMS-E2, KMS-W1, KMS-W2' <<<"$out" &&
    grep -q 'DnsDomainPublishList read back: 4 of 4 as planned' <<<"$out" &&
    grep -q 'EAST-HOME1 skipped, no-gvlk' <<<"$out" &&
    grep -q '60 of 60 clients licensed, median first activation after [0-9]* h, WAN share 0.0 %' <<<"$out"
}

stage "system packages" install_system_packages
stage "cargo fmt" cargo fmt --all -- --check
stage "cargo build" cargo build --workspace --all-targets
stage "cargo clippy" cargo clippy --workspace --all-targets -- -D warnings
stage "cargo test" cargo test --workspace
stage "readme and examples" readme_commands
stage "fuzz targets compile" fuzz_targets_compile
stage "python bindings" bash bindings/python/test.sh
stage "c# bindings" bash bindings/csharp/test.sh

printf '\n===== summary (%ds in all) =====\n' $(( $(date +%s) - suite_start ))
printf '%s\n' "${summary[@]}"
[ "$failed" -eq 0 ] || printf 'failed stages: %s\n' "${failed_names[*]}"
printf 'stages: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
