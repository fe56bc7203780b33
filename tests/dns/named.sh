#!/bin/sh
# Start or stop a throwaway bind9 `named` on 127.0.0.1 for volact-net's integration tests.
#
#   tests/dns/named.sh start DIR PORT ZONEDIR   # prints named's pid once it answers
#   tests/dns/named.sh stop DIR
#
# Every ZONEDIR/<zone>.zone is served as a primary zone <zone> that accepts RFC 2136 updates
# signed with the TSIG key `volact-test` (HMAC-SHA256), written to DIR/tsig.key; a zone file
# with the line `; volact: updates by address` also takes unsigned updates from 127.0.0.1.
# Zones are copied afresh and journals removed on every start: named writes updates back into its copy
# of the zone on stop, so reusing DIR would otherwise start from the last test's records.
# Recipe and pitfalls: research/toolchain.md §3. Nothing listens beyond 127.0.0.1, recursion
# and DNSSEC validation are off, so named never sends a query out.
set -eu

die() { echo "named.sh: $*" >&2; exit 1; }

start() {
    D=$1; PORT=$2; ZONEDIR=$3
    for tool in named named-checkconf tsig-keygen dig; do
        command -v "$tool" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin"
        command -v "$tool" >/dev/null 2>&1 ||
            die "'$tool' not found: install bind9 (Debian/Ubuntu: apt-get install bind9 bind9-utils dnsutils)"
    done
    [ -d "$ZONEDIR" ] || die "zone directory $ZONEDIR does not exist"
    mkdir -p "$D/run" "$D/zones"
    D=$(cd "$D" && pwd); ZONEDIR=$(cd "$ZONEDIR" && pwd)
    rm -f "$D/zones/"* "$D/run/named.pid"
    [ -f "$D/tsig.key" ] || tsig-keygen -a hmac-sha256 volact-test > "$D/tsig.key"
    {
        echo "include \"$D/tsig.key\";"
        cat <<CONF
options {
  directory "$D/run"; pid-file "$D/run/named.pid";
  session-keyfile "$D/run/session.key"; managed-keys-directory "$D/run";
  listen-on port $PORT { 127.0.0.1; }; listen-on-v6 { none; };
  recursion no; dnssec-validation no; notify no;
  allow-query { 127.0.0.1; }; allow-transfer { none; };
};
logging { channel f { file "$D/run/named.log"; severity info; print-time yes; }; category default { f; }; };
CONF
        for f in "$ZONEDIR"/*.zone; do
            [ -f "$f" ] || continue
            z=$(basename "$f" .zone)
            cp "$f" "$D/zones/$z.zone"
            # A zone whose file says `; volact: updates by address` also takes unsigned updates
            # from 127.0.0.1 (BIND's allow-update by address), to test unsigned publishing.
            if grep -q '^; volact: updates by address' "$f"; then
                policy="key \"volact-test\"; 127.0.0.1;"
            else
                policy="key \"volact-test\";"
            fi
            echo "zone \"$z\" { type primary; file \"$D/zones/$z.zone\"; allow-update { $policy }; };"
        done
    } > "$D/named.conf"
    named-checkconf "$D/named.conf" || die "named-checkconf rejected $D/named.conf"
    # named drops to user bind when it exists (Debian); it must then own DIR to write journals.
    if id bind >/dev/null 2>&1; then chown -R bind:bind "$D"; U="-u bind"; else U=""; fi
    # shellcheck disable=SC2086
    named -c "$D/named.conf" $U || die "named failed to start; see $D/run/named.log"
    i=0
    first=$(basename "$(ls "$ZONEDIR"/*.zone | head -n 1)" .zone)
    until dig +short +time=1 +tries=1 @127.0.0.1 -p "$PORT" SOA "$first" 2>/dev/null | grep -q .; do
        i=$((i + 1))
        [ "$i" -lt 200 ] || die "named did not answer on 127.0.0.1:$PORT within 10 s; see $D/run/named.log"
        sleep 0.05
    done
    cat "$D/run/named.pid"
}

stop() {
    D=$1
    [ -f "$D/run/named.pid" ] || exit 0
    pid=$(cat "$D/run/named.pid")
    kill -TERM "$pid" 2>/dev/null || exit 0
    # named takes about 1.5 s to exit; give it 10 s, then kill it outright.
    i=0
    while kill -0 "$pid" 2>/dev/null; do
        i=$((i + 1))
        if [ "$i" -ge 200 ]; then kill -KILL "$pid" 2>/dev/null || true; break; fi
        sleep 0.05
    done
    rm -f "$D/run/named.pid"
}

case "${1:-}" in
    start) [ $# -eq 4 ] || die "usage: named.sh start DIR PORT ZONEDIR"; start "$2" "$3" "$4" ;;
    stop) [ $# -eq 2 ] || die "usage: named.sh stop DIR"; stop "$2" ;;
    *) die "usage: named.sh start DIR PORT ZONEDIR | named.sh stop DIR" ;;
esac
