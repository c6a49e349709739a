#!/usr/bin/env bash
# Delta bundles at scale: the registry of MEMBERS members (bench/gen_registry_inputs: 500
# partners, 2,000 offers, 200 events with rosters) as full bundle seq 1, applied; then for each
# change count K (K member statuses changed, plus 10 changed offers) the delta from seq 1: its
# build time, size, and its apply time and peak RSS onto the applied seq 1 (the first delta after
# a full apply: its base state digest is the one the builder recorded in the registry). For 1,000 changes also the next delta (seq 2 -> 3, another
# 1,000 changes) onto the registry the first delta made (state digest recorded: the usual case).
#   bench/run_delta_bench.sh [MEMBERS] [WORK_DIR] [K...]     (default K: 100 1000 10000 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
members="${1:-3500000}"
work="${2:-$(mktemp -d)}"
shift $(( $# < 2 ? $# : 2 ))
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(100 1000 10000 100000)
bin=build/release
[ -x "$bin/tools/cardctl" ] || bash scripts/setup.sh release >/dev/null
cardctl="$bin/tools/cardctl"
mkdir -p "$work"
"$bin/bench/gen_registry_inputs" "$work" "$members"
"$cardctl" keygen --alg es256 --out "$work/issuer" --force >/dev/null
"$cardctl" keygen --alg ed25519 --out "$work/bundle" --force >/dev/null
"$cardctl" secret --out "$work/status.secret" --force
measure() {  # label command...: prints wall seconds and peak RSS
  local label="$1"; shift
  /usr/bin/time -f "$label: %e s wall, %M KiB max RSS" "$@" 2> >(grep -v '^cardctl: .*rows$' >&2)
}
common=(--issuer-pubkey "$work/issuer.pub.pem" --status-secret "$work/status.secret" --valid-days 30
  --mode allow --sign "$work/bundle.key.pem" --partners "$work/partners.csv"
  --events "$work/events.csv" --roster "$work/roster.csv")
build() {  # label seq members.csv offers.csv out [more flags...]
  local label="$1" seq="$2" m="$3" o="$4" out="$5"; shift 5
  measure "$label" "$cardctl" bundle build "${common[@]}" --seq "$seq" --members "$m" --offers "$o" \
    --out "$out" "$@"
}
change() {  # K OFFSET IN OUT: K statuses flipped, evenly spread, starting at row OFFSET
  awk -F, -v OFS=, -v k="$1" -v off="$2" -v n="$members" 'NR == 1 { print; next }
    { i = NR - 2; step = int(n / k); if (step < 1) step = 1
      if (c < k && i % step == off % step) { $2 = ($2 == "active") ? "suspended" : "active"; c++ }
      print }' "$3" > "$4"
}
offers10() {  # IN OUT: the first 10 offers retitled
  awk -F, -v OFS=, 'NR > 1 && NR <= 11 { $NF = $NF " (changed)" } { print }' "$1" > "$2"
}
rm -rf "$work"/data* "$work"/*.ckbundle
build "full bundle build seq 1 ($members members)" 1 "$work/members.csv" "$work/offers.csv" \
  "$work/b1.ckbundle"
echo "full bundle size: $(stat -c %s "$work/b1.ckbundle") bytes"
measure "full bundle apply" "$cardctl" bundle apply --data-dir "$work/data1" \
  --trust "$work/bundle.pub.pem" "$work/b1.ckbundle" >/dev/null
echo "registry.db size: $(stat -c %s "$work/data1/registry.db") bytes"
offers10 "$work/offers.csv" "$work/offers-2.csv"
for k in "${counts[@]}"; do
  change "$k" 0 "$work/members.csv" "$work/members-$k.csv"
  full=()
  [ "$k" = 1000 ] && full=(--full "$work/f2-$k.ckbundle")
  build "delta build seq 1 -> 2 ($k statuses + 10 offers)" 2 "$work/members-$k.csv" \
    "$work/offers-2.csv" "$work/d-$k.ckbundle" --delta-from "$work/b1.ckbundle" "${full[@]}"
  echo "delta size ($k changes): $(stat -c %s "$work/d-$k.ckbundle") bytes"
  rm -rf "$work/data-$k" && cp -a "$work/data1" "$work/data-$k"
  measure "delta apply ($k changes, first after the full apply)" "$cardctl" bundle apply \
    --data-dir "$work/data-$k" --trust "$work/bundle.pub.pem" "$work/d-$k.ckbundle" >/dev/null
done
if [ -f "$work/f2-1000.ckbundle" ]; then
  change 1000 7 "$work/members-1000.csv" "$work/members-1000b.csv"
  build "delta build seq 2 -> 3 (1000 statuses)" 3 "$work/members-1000b.csv" \
    "$work/offers-2.csv" "$work/d3.ckbundle" --delta-from "$work/f2-1000.ckbundle"
  echo "delta size (seq 2 -> 3): $(stat -c %s "$work/d3.ckbundle") bytes"
  measure "delta apply (1000 changes, onto the registry a delta made)" "$cardctl" bundle apply \
    --data-dir "$work/data-1000" --trust "$work/bundle.pub.pem" "$work/d3.ckbundle" >/dev/null
fi
echo "work dir: $work"
