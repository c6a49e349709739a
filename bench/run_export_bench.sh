#!/usr/bin/env bash
# The registry export at scale (docs/input-files.md):
#  1. bundle build from a Windows-1251 ';' export with Russian headers (and its roster), against
#     the same build from the plain UTF-8 members.csv, with the same partners, offers and events;
#  2. cardctl issue of ISSUE_MEMBERS members with the print PDF (A4).
#   bench/run_export_bench.sh [MEMBERS] [ISSUE_MEMBERS] [WORK_DIR]
# On a shared machine compare user CPU seconds; bench/export_read_bench times the members file
# read alone against registry::ReadMembersCsv.
set -euo pipefail
cd "$(dirname "$0")/.."
members="${1:-3500000}"
issue_members="${2:-100000}"
work="${3:-$(mktemp -d)}"
bin=build/release
[ -x "$bin/tools/cardctl" ] || bash scripts/setup.sh release >/dev/null
mkdir -p "$work"
"$bin/bench/gen_registry_inputs" "$work" "$members"
"$bin/bench/gen_members_export" "$work" "$members"
cardctl="$bin/tools/cardctl"
"$cardctl" keygen --alg es256 --out "$work/issuer" --force >/dev/null
"$cardctl" keygen --alg ed25519 --out "$work/bundle" --force >/dev/null
"$cardctl" secret --out "$work/status.secret" --force
measure() {  # label command...: prints wall seconds and peak RSS
  local label="$1"; shift
  /usr/bin/time -f "$label: %e s wall, %U s user CPU, %M KiB max RSS" "$@" 2> >(grep -v '^cardctl: ' >&2)
}
build() {  # label members roster
  rm -f "$work/b.ckbundle"
  measure "$1" "$cardctl" bundle build --members "$2" --issuer-pubkey "$work/issuer.pub.pem" \
    --status-secret "$work/status.secret" --seq 1 --valid-days 30 --mode allow \
    --sign "$work/bundle.key.pem" --out "$work/b.ckbundle" --partners "$work/partners.csv" \
    --offers "$work/offers.csv" --events "$work/events.csv" --roster "$3"
}
build "bundle build, UTF-8 members.csv ($members members)" "$work/members.csv" "$work/roster.csv"
build "bundle build, Windows-1251 export ($members members)" "$work/members_1c.csv" \
  "$work/roster_1c.csv"
"$bin/bench/gen_members_export" "$work/issue" "$issue_members" 2>/dev/null ||
  { mkdir -p "$work/issue" && "$bin/bench/gen_members_export" "$work/issue" "$issue_members"; }
rm -rf "$work/issue/cards" "$work/issue/cards.pdf"
measure "issue $issue_members cards with the A4 PDF" "$cardctl" issue --key "$work/issuer.key.pem" \
  --iss RU-EDU-69 --status-secret "$work/status.secret" --members "$work/issue/members_1c.csv" \
  --out "$work/issue/cards" --names short --print "$work/issue/cards.pdf"
echo "PDF: $(stat -c %s "$work/issue/cards.pdf") bytes"
echo "work dir: $work"
