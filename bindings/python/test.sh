#!/usr/bin/env bash
# Builds the `volact` wheel into a venv and runs the Python binding tests.
# Run from the repository root (the top-level test runner does): bindings/python/test.sh
# Extra arguments go to pytest. Exit status: pytest's.
#
# Needs Python >= 3.9 with venv + pip, cargo, and PyPI (pip fetches maturin and pytest).
# Cold (empty target/): about 4 min on 2 cores, mostly the dev-profile uniffi-bindgen;
# warm: seconds (research/python-packaging.md §4).
set -euo pipefail

root=$(pwd)
if [[ ! -f "$root/bindings/python/pyproject.toml" ]]; then
    echo "bindings/python/test.sh: run me from the repository root" >&2
    exit 2
fi

# maturin's backend needs cargo on PATH; without it, it would try to download a Rust
# toolchain, which the CI network refuses (python-packaging.md §3). Fail fast instead.
if ! command -v cargo >/dev/null 2>&1; then
    export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi
command -v cargo >/dev/null 2>&1 || { echo "bindings/python/test.sh: cargo not found" >&2; exit 2; }
export MATURIN_NO_INSTALL_RUST=1
export CI=true PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# An editable install (`pip install -e`, `maturin develop`) leaves the generated module in
# the source tree, and a normal install then fails with "overwrote an existing tracked
# file" (python-packaging.md §3). It is build output only.
native="$root/bindings/python/python/volact/_native"
if [[ -e "$native" ]]; then
    echo "removing editable-install output $native"
    rm -rf "$native"
fi

venv="$root/target/py-venv"
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
fi
py="$venv/bin/python"

# pytest only when missing: no upgrades on every run.
if ! "$py" -c 'import pytest' >/dev/null 2>&1; then
    "$py" -m pip install --quiet pytest </dev/null
fi
# Always rebuild and reinstall the wheel, or a warm venv would keep testing an old build
# (pip does not reinstall an unchanged version number). --no-deps: volact has none.
echo "building and installing the volact wheel (release; a cold target/ takes minutes)"
"$py" -m pip install --quiet --force-reinstall --no-deps "$root/bindings/python" </dev/null

set +e
"$py" -m pytest -q "$root/bindings/python/tests" "$@" </dev/null
status=$?
set -e
exit "$status"
