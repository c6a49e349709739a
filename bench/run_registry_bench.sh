#!/usr/bin/env bash
# Registry at scale: generates 3.5 M members (+ 500 partners, 2,000 offers, 200 events with
# rosters), then measures bundle build time, bundle size, apply time and peak RSS, and lookups.
#   bench/run_registry_bench.sh [MEMBERS] [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
members="${1:-3500000}"
work="${2:-$(mktemp -d)}"
bin=build/release
[ -x "$bin/tools/cardctl" ] || bash scripts/setup.sh release >/dev/null
mkdir -p "$work"
"$bin/bench/gen_registry_inputs" "$work" "$members"
cardctl="$bin/tools/cardctl"
"$cardctl" keygen --alg es256 --out "$work/issuer" --force >/dev/null
"$cardctl" keygen --alg ed25519 --out "$work/bundle" --force >/dev/null
"$cardctl" secret --out "$work/status.secret" --force
rm -rf "$work/data" "$work/b.ckbundle"
measure() {  # label command...: prints wall seconds and peak RSS
  local label="$1"; shift
  /usr/bin/time -f "$label: %e s wall, %M KiB max RSS" "$@" 2> >(grep -v '^cardctl: .*rows$' >&2)
}
measure "bundle build ($members members)" "$cardctl" bundle build --members "$work/members.csv" \
  --issuer-pubkey "$work/issuer.pub.pem" --status-secret "$work/status.secret" --seq 1 --valid-days 30 \
  --mode allow --sign "$work/bundle.key.pem" --out "$work/b.ckbundle" --partners "$work/partners.csv" \
  --offers "$work/offers.csv" --events "$work/events.csv" --roster "$work/roster.csv"
echo "bundle size: $(stat -c %s "$work/b.ckbundle") bytes"
measure "bundle apply" "$cardctl" bundle apply --data-dir "$work/data" --trust "$work/bundle.pub.pem" "$work/b.ckbundle"
echo "registry.db size: $(stat -c %s "$work/data/registry.db") bytes"
"$bin/bench/registry_bench" --registry "$work/data/registry.db" --secret "$work/status.secret" \
  --members "$members" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
echo "work dir: $work"
