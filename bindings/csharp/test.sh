#!/usr/bin/env bash
# Builds the C# binding (Volact.dll, every src/*.cs) with Mono's mcs at C# 7.2, runs its
# NUnit 2.6 glue tests (every tests/*.cs: keys, IDs, ePIDs, catalog, CIL documents, KMS
# discovery over DNS against a bind9 it starts on loopback, licensing, the user catalog, the header
# check, the MAK store, workflows over fake machines, Unattend.xml answer files) against
# libvolact, and builds and runs examples/csharp/InspectKeys.cs, KmsPlan.cs, ExplainCodes.cs,
# ClassifyKeys.cs, MakStore.cs, MakProxy.cs, KmsDeploy.cs and Unattend.cs.
# Run from the repository root (the top-level test runner does): bindings/csharp/test.sh
#
# Prints "N passed, N failed" (from NUnit's "Tests run:" line). Exit status: non-zero when a
# test fails, when no test ran, or when the example's output is wrong.
#
# Environment:
#   VOLACT_NATIVE_DIR  a directory holding a built libvolact.so; the script then uses it and
#                      does not run cargo. Default: run `cargo build -p volact-c` and use
#                      target/debug (under $CARGO_TARGET_DIR when that is set).
#   VOLACT_NO_APT=1    never install packages; fail if mcs/nunit-console are missing.
# Needs: mcs, mono, nunit-console, pkg-config with nunit.pc, python3 (to pick a free port) and
# bind9 (named, tsig-keygen, dig: apt-get install bind9 bind9-utils dnsutils); when one is missing and we are
# root (as in CI), they are installed with apt (Debian 12: ~25 s, 28 packages). A C compiler
# (cc, already needed by cargo) checks the struct layouts against volact.h.
# Build output goes to target/csharp/, never into the source tree.
set -euo pipefail

root=$(pwd)
if [[ ! -f "$root/bindings/csharp/src/NativeMethods.cs" ]]; then
    echo "bindings/csharp/test.sh: run me from the repository root" >&2
    exit 2
fi
src="$root/bindings/csharp"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
out="$target_dir/csharp"
mkdir -p "$out"

# --- toolchain --------------------------------------------------------------------------
have_tools() {
    command -v mcs >/dev/null 2>&1 && command -v mono >/dev/null 2>&1 &&
        command -v nunit-console >/dev/null 2>&1 &&
        command -v pkg-config >/dev/null 2>&1 && pkg-config --exists nunit
}
if ! have_tools; then
    if [[ "${VOLACT_NO_APT:-}" == 1 ]]; then
        echo "bindings/csharp/test.sh: mcs, mono, nunit-console or pkg-config (nunit) missing" >&2
        exit 2
    fi
    sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            echo "bindings/csharp/test.sh: Mono/NUnit missing and not root; install:" \
                "mono-mcs mono-runtime nunit-console libnunit-cil-dev pkgconf" >&2
            exit 2
        fi
    fi
    packages=(mono-mcs mono-runtime nunit-console libnunit-cil-dev)
    command -v pkg-config >/dev/null 2>&1 || packages+=(pkgconf)
    echo "installing ${packages[*]} with apt"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
    have_tools || { echo "bindings/csharp/test.sh: tools still missing after apt" >&2; exit 2; }
fi

# --- native library ---------------------------------------------------------------------
if [[ -n "${VOLACT_NATIVE_DIR:-}" ]]; then
    native=$(cd "$VOLACT_NATIVE_DIR" && pwd)
else
    if ! command -v cargo >/dev/null 2>&1; then
        export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
    fi
    cargo build -p volact-c --quiet
    native="$target_dir/debug"
fi
if [[ ! -f "$native/libvolact.so" ]]; then
    echo "bindings/csharp/test.sh: no libvolact.so in $native" >&2
    exit 2
fi
export LD_LIBRARY_PATH="$native${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# --- build ------------------------------------------------------------------------------
csc=(mcs -langversion:7.2 -warnaserror+ -nologo)
"${csc[@]}" -target:library -out:"$out/Volact.dll" "$src"/src/*.cs
"${csc[@]}" -target:library -pkg:nunit -r:"$out/Volact.dll" \
    -out:"$out/VolactTests.dll" "$src"/tests/*.cs
"${csc[@]}" -target:exe -r:"$out/Volact.dll" \
    -out:"$out/InspectKeys.exe" "$root/examples/csharp/InspectKeys.cs"
"${csc[@]}" -target:exe -r:"$out/Volact.dll" \
    -out:"$out/KmsPlan.exe" "$root/examples/csharp/KmsPlan.cs"
"${csc[@]}" -target:exe -r:"$out/Volact.dll" \
    -out:"$out/ExplainCodes.exe" "$root/examples/csharp/ExplainCodes.cs"
"${csc[@]}" -target:exe -r:"$out/Volact.dll" \
    -out:"$out/ClassifyKeys.exe" "$root/examples/csharp/ClassifyKeys.cs"
"${csc[@]}" -target:exe -r:"$out/Volact.dll" \
    -out:"$out/MakStore.exe" "$root/examples/csharp/MakStore.cs"
"${csc[@]}" -target:exe -r:"$out/Volact.dll" \
    -out:"$out/MakProxy.exe" "$root/examples/csharp/MakProxy.cs"
"${csc[@]}" -target:exe -r:"$out/Volact.dll" \
    -out:"$out/KmsDeploy.exe" "$root/examples/csharp/KmsDeploy.cs"
"${csc[@]}" -target:exe -r:"$out/Volact.dll" \
    -out:"$out/Unattend.exe" "$root/examples/csharp/Unattend.cs"

# Sizes and offsets of the header's structs, for the layout test.
export VOLACT_HEADER="$root/bindings/c/include/volact.h"
if command -v "${CC:-cc}" >/dev/null 2>&1; then
    "${CC:-cc}" -std=c11 -Wall -Wextra -Werror -I "$root/bindings/c/include" \
        -o "$out/layout" "$src/tests/layout.c"
    "$out/layout" >"$out/layout.txt"
    export VOLACT_LAYOUT="$out/layout.txt"
else
    echo "note: no C compiler; the struct layout test is skipped"
fi

# --- bind9 -------------------------------------------------------------------------------
# The KMS discovery tests (tests/SrvTests.cs) publish, discover and withdraw against a real
# bind9 on loopback, started here with the harness of volact-net's tests and stopped on exit.
# A missing named fails (named.sh prints the apt-get command): these tests never skip.
named_dir="$out/named"
free_port() {
    python3 - <<'PY'
import socket
for _ in range(50):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    port = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        t.close()
        u.close()
    print(port)
    break
PY
}
stop_named() { "$root/tests/dns/named.sh" stop "$named_dir" || true; }
trap stop_named EXIT
named_port=""
for _ in 1 2 3; do
    named_port=$(free_port)
    if "$root/tests/dns/named.sh" start "$named_dir" "$named_port" "$root/tests/dns/zones" >/dev/null; then
        break
    fi
    stop_named
    named_port=""
done
if [[ -z "$named_port" ]]; then
    echo "bindings/csharp/test.sh: bind9 (named) did not start; see above" >&2
    exit 1
fi
export VOLACT_NAMED="127.0.0.1:$named_port"
export VOLACT_TSIG_KEY="$named_dir/tsig.key"
# SrvTests read examples/kms/ from here (nunit-console runs in the assembly's directory).
export VOLACT_REPO="$root"

# --- tests ------------------------------------------------------------------------------
# The CIL tests write their files under here (each test its own directory, removed after).
export VOLACT_SCRATCH="$out/scratch"
rm -rf "$VOLACT_SCRATCH"
mkdir -p "$VOLACT_SCRATCH"
log="$out/nunit.log"
set +e
nunit-console -nologo -noresult "$out/VolactTests.dll" </dev/null >"$log" 2>&1
nunit_status=$?
set -e
cat "$log"

counts=$(awk -F'[:,] *' '/^Tests run:/{printf "%d passed, %d failed\n", $2-$4-$6, $4+$6}' "$log")
ran=$(awk -F'[:,] *' '/^Tests run:/{print $2}' "$log")

# --- example ----------------------------------------------------------------------------
example_ok=1
gvlk="NPPR9-FWDCX-D2C8J-H872K-2YT43"
if example=$(mono "$out/InspectKeys.exe" "$gvlk" </dev/null 2>&1); then
    echo "$example"
    if [[ "$example" != *"XXXXX-XXXXX-XXXXX-XXXXX-2YT43"* || "$example" == *"$gvlk"* ]]; then
        echo "example: the output lacks the masked key or shows the key itself" >&2
        example_ok=0
    else
        echo "example: ok"
    fi
else
    echo "$example"
    echo "example: InspectKeys failed on a published GVLK" >&2
    example_ok=0
fi

if plan=$(mono "$out/KmsPlan.exe" "$root/examples/kms/contoso-global.toml" </dev/null 2>&1); then
    echo "$plan"
    expected=$'kms-e1.east.contoso.com\n  DnsDomainPublishList: east.contoso.com, 10, 75\n  DnsDomainPublishList: west.contoso.com, 90, 75'
    if [[ "$plan" != *"$expected"* ||
          "$plan" != *"_vlmcs._tcp.east.contoso.com. 3600 IN SRV 10 75 1688 kms-e1.east.contoso.com."* ]]; then
        echo "example: KmsPlan's output lacks E1's publish list or its zone record" >&2
        example_ok=0
    else
        echo "example KmsPlan: ok"
    fi
else
    echo "$plan"
    echo "example: KmsPlan failed on examples/kms/contoso-global.toml" >&2
    example_ok=0
fi

# Two spellings explained, an unknown code reported: exit status 1.
set +e
explained=$(mono "$out/ExplainCodes.exe" 0xC004F074 -1073418184 0x12345678 </dev/null 2>&1)
explain_status=$?
set -e
echo "$explained"
if [[ "$explain_status" -ne 1 ||
      "$explained" != *"0xC004F074  The Software Protection Service"* ||
      "$explained" != *"0xC004F038  "*"sysprep /generalize"* ||
      "$explained" != *"0x12345678  unknown: 0x12345678 is not in volact's table"* ]]; then
    echo "example: ExplainCodes did not explain 0xC004F074 and 0xC004F038 and refuse 0x12345678 (status $explain_status)" >&2
    example_ok=0
else
    echo "example ExplainCodes: ok"
fi

# The twin key is a MAK through the test pkeyconfig file, the GVLK a GVLK; a file with a DTD
# is refused (exit status 1); no key is shown.
pkc="$root/crates/volact/tests/data/pkeyconfig"
set +e
classified=$(mono "$out/ClassifyKeys.exe" "$pkc/mak-retail-oem.xrm-ms" "$pkc/hostile/dtd.xrm-ms" -- \
    VKCF7-HV62C-944TY-YJ9NF-6Q83G "$gvlk" </dev/null 2>&1)
classify_status=$?
set -e
echo "$classified"
if [[ "$classify_status" -ne 1 ||
      "$classified" != *'imported {"file":"mak-retail-oem.xrm-ms","configurations":3'* ||
      "$classified" != *'dtd.xrm-ms: not imported (PkeyconfigDtd)'* ||
      "$classified" != *$'XXXXX-XXXXX-XXXXX-XXXXX-6Q83G\n  classification: {"source":"user_catalog","source_file":"mak-retail-oem.xrm-ms","channel":"Volume:MAK","channel_kind":"mak"'* ||
      "$classified" != *$'XXXXX-XXXXX-XXXXX-XXXXX-2YT43\n  classification: {"source":"gvlk"'* ||
      "$classified" == *VKCF7* || "$classified" == *"$gvlk"* ]]; then
    echo "example: ClassifyKeys did not classify the twin as MAK and the GVLK as GVLK, refuse the DTD file and mask the keys (status $classify_status)" >&2
    example_ok=0
else
    echo "example ClassifyKeys: ok"
fi

# The twin key is added to a fresh store as a MAK (through the test pkeyconfig file) with a
# count, the file is 0600; adding it again is refused (exit status 1); no key is shown.
mak_store="$out/scratch-example/maks.json"
rm -rf "$out/scratch-example"
twin="VKCF7-HV62C-944TY-YJ9NF-6Q83G"
set +e
mak_out=$(mono "$out/MakStore.exe" "$mak_store" "$pkc/mak-retail-oem.xrm-ms" "$twin" 120 </dev/null 2>&1)
mak_status=$?
mak_again=$(mono "$out/MakStore.exe" "$mak_store" "$pkc/mak-retail-oem.xrm-ms" "$twin" </dev/null 2>&1)
mak_again_status=$?
set -e
echo "$mak_out"
echo "$mak_again"
mak_mode=$(stat -c %a "$mak_store" 2>/dev/null || echo none)
mak_all="$mak_out$mak_again"
if [[ "$mak_status" -ne 0 || "$mak_again_status" -ne 1 || "$mak_mode" != 600 ||
      "$mak_out" != *'"key":"XXXXX-XXXXX-XXXXX-XXXXX-6Q83G","partial":"6Q83G","kind":"mak","source":"user_catalog"'* ||
      "$mak_out" != *'"remaining":120,'* ||
      "$mak_again" != *"refused (MakDuplicate)"* ||
      "$mak_all" == *VKCF7* || "$mak_all" == *HV62C* || "$mak_all" == *944TY* || "$mak_all" == *YJ9NF* ]]; then
    echo "example: MakStore did not add the twin as a MAK with its count in a 0600 file ($mak_mode), refuse the duplicate and mask the key (status $mak_status, $mak_again_status)" >&2
    example_ok=0
else
    echo "example MakStore: ok"
fi

# Proxy steps 5, 6, 9 and 12 on three fake machines: the retail one skipped, two CIDs acquired,
# saved and deposited; no key is shown.
proxy_cil="$out/scratch-example/lab.cil"
set +e
proxy_out=$(mono "$out/MakProxy.exe" "$proxy_cil" </dev/null 2>&1)
proxy_status=$?
set -e
echo "$proxy_out"
if [[ "$proxy_status" -ne 0 ||
      "$proxy_out" != *'%SLMGR% LAB-PC01 /ipk %VOLACT_KEY%'* ||
      "$proxy_out" != *'rem LAB-HOME: skipped (mak-on-retail-edition)'* ||
      "$proxy_out" != *$'step 6: Save the CIL\n  3 computers, 3 Installation IDs'* ||
      "$proxy_out" != *'the source was asked 3 times: 2 CIDs written, 1 not available'* ||
      "$proxy_out" != *$'LAB-PC01: LicenseStatus 1 (licensed)\n  LAB-PC02: LicenseStatus 1 (licensed)\n  LAB-HOME: LicenseStatus 5 (not activated)'* ||
      "$(grep -c '<PendingConfirmationId>' "$proxy_cil" 2>/dev/null)" != 2 ||
      "$proxy_out" == *VKCF7* || "$proxy_out" == *HV62C* || "$proxy_out" == *944TY* || "$proxy_out" == *YJ9NF* ]]; then
    echo "example: MakProxy did not skip the retail machine, acquire and save two CIDs, license two machines and mask the key (status $proxy_status)" >&2
    example_ok=0
else
    echo "example MakProxy: ok"
fi

# The global topology's four hosts: the run waits for the SRV record grants after kms-e1, then
# the saved run activates the others, each with its publish list; Table 6 on two clients: the
# Core one skipped (no-gvlk), the Enterprise one given the published GVLK, caching off and the
# URL; an invalid topology fails (exit status 1); the CSVLK is never shown.
mkdir -p "$out/scratch-example"
set +e
kms_out=$(mono "$out/KmsDeploy.exe" "$root/examples/kms/contoso-global.toml" </dev/null 2>&1)
kms_status=$?
printf '[[host]]\nname = "a b"\n' >"$out/scratch-example/bad-topology.toml"
kms_bad=$(mono "$out/KmsDeploy.exe" "$out/scratch-example/bad-topology.toml" </dev/null 2>&1)
kms_bad_status=$?
set -e
echo "$kms_out"
echo "$kms_bad"
kms_all="$kms_out$kms_bad"
if [[ "$kms_status" -ne 0 || "$kms_bad_status" -ne 1 ||
      "$kms_out" != *'CSVLK XXXXX-XXXXX-XXXXX-XXXXX-6Q83G (csvlk), group server2022'* ||
      "$kms_out" != *'  plan: kms-e1, kms-e2, kms-w1, kms-w2 (the topology'"'"'s order)'* ||
      "$kms_out" != *'  the run waits: grant KMS_E Read, Write and Delete on _vlmcs._tcp.east.contoso.com; grant KMS_W Read, Write and Delete on _vlmcs._tcp.west.contoso.com before the next hosts activate, then run again'* ||
      "$kms_out" != *$'    kms-e1: done (reg DnsDomainPublishList, /ipk XXXXX-XXXXX-XXXXX-XXXXX-6Q83G, /ato)\n    kms-e2: pending (nothing done yet)'* ||
      "$kms_out" != *$'  kms-e1: done, LicenseStatus 1 (licensed)\n'*$'    DnsDomainPublishList: east.contoso.com, 10, 75 | west.contoso.com, 90, 75\n'* ||
      "$kms_out" != *'    DnsDomainPublishList: west.contoso.com, 10, 25 | east.contoso.com, 90, 25'* ||
      "$kms_out" != *$'  PC-ENT01: done, LicenseStatus 1 (licensed)\n    calls: /ipk NPPR9-FWDCX-D2C8J-H872K-2YT43, /ckms, /ckms-domain, /ckhc, reg AlternateURL, /ato'* ||
      "$kms_out" != *$'    host caching:         off\n    AlternateURL:         http://contoso.com/help'* ||
      "$kms_out" != *$'  PC-HOME01: skipped (no-gvlk): '*$'\n    nothing was called'* ||
      "$kms_bad" != *'failed (WorkflowInput): topology: line 2'* ||
      "$kms_all" == *VKCF7* || "$kms_all" == *HV62C* || "$kms_all" == *944TY* || "$kms_all" == *YJ9NF* ]]; then
    echo "example: KmsDeploy did not wait for the grants, deploy the four hosts with their publish lists, configure the Enterprise client, skip the Core one, refuse the invalid topology and mask the CSVLK (status $kms_status, $kms_bad_status)" >&2
    example_ok=0
else
    echo "example KmsDeploy: ok"
fi

# The MAK into the GVLK answer file (both places), then scrubbed; a file with a DTD is refused
# (exit status 1); no key is shown.
fixture="$root/crates/volact/tests/data/unattend/gvlk-specialize-only.xml"
keyed="$out/scratch-example/keyed.xml"
scrubbed="$out/scratch-example/scrubbed.xml"
dtd_file="$out/scratch-example/dtd.xml"
mkdir -p "$out/scratch-example"
printf '<!DOCTYPE unattend [<!ENTITY a "b">]><unattend/>' >"$dtd_file"
set +e
unattend_out=$(mono "$out/Unattend.exe" "$fixture" "$twin" "$keyed" "$scrubbed" </dev/null 2>&1)
unattend_status=$?
unattend_dtd=$(mono "$out/Unattend.exe" "$dtd_file" "$twin" "$keyed.2" "$scrubbed.2" </dev/null 2>&1)
unattend_dtd_status=$?
set -e
echo "$unattend_out"
echo "$unattend_dtd"
unattend_all="$unattend_out$unattend_dtd"
if [[ "$unattend_status" -ne 0 || "$unattend_dtd_status" -ne 1 ||
      "$unattend_out" != *'step 2, set-key XXXXX-XXXXX-XXXXX-XXXXX-6Q83G'* ||
      "$unattend_out" != *'"masked": "XXXXX-XXXXX-XXXXX-XXXXX-6Q83G"'* ||
      "$unattend_out" != *'"state": "scrubbed"'* ||
      "$unattend_dtd" != *'refused (UnattendDtd): DTDs are not accepted'* ||
      "$(grep -c "<Key>$twin</Key>" "$keyed" 2>/dev/null)" != 1 ||
      "$(grep -c 'SENSITIVE\*DATA\*DELETED' "$scrubbed" 2>/dev/null)" != 2 ||
      "$(cat "$scrubbed" 2>/dev/null)" == *VKCF7* ||
      "$unattend_all" == *VKCF7* || "$unattend_all" == *HV62C* || "$unattend_all" == *944TY* || "$unattend_all" == *YJ9NF* ]]; then
    echo "example: Unattend did not set the MAK in both places, scrub it, refuse the DTD file and mask the key (status $unattend_status, $unattend_dtd_status)" >&2
    example_ok=0
else
    echo "example Unattend: ok"
fi

if [[ -z "$counts" ]]; then
    echo "0 passed, 0 failed"
    echo "bindings/csharp/test.sh: NUnit printed no 'Tests run:' line" >&2
    exit 1
fi
echo "$counts"
if [[ "$nunit_status" -ne 0 || "${ran:-0}" -eq 0 || "$example_ok" -ne 1 ]]; then
    exit 1
fi
