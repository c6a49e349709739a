#!/usr/bin/env bash
# The demo: builds cardkiosk, makes demo keys, issues demo cards as QR PNGs from the embedded member
# list, verifies them from the PNGs (and a few that must fail) and prints the verdicts; then builds a
# signed registry bundle, applies it to a kiosk data directory, serves a purchase and two refused
# cards through `kiosk --headless`, and shows the journal. Last, the kiosk app itself: a camera
# recording of four cards (valid, expired, revoked, forged) played to `kiosk`, driven by
# demo/kiosk-demo.script, in a window when $DISPLAY is set and off screen otherwise, with a
# screenshot of every screen.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh release >/dev/null
out="${DEMO_OUT:-demo-out}"
rm -rf "$out"
mkdir -p "$out"
cardctl=build/release/tools/cardctl

echo "== keys"
echo "issuer key (ES256), kid $($cardctl keygen --alg es256 --out "$out/issuer")"
echo "second issuer key (Ed25519), kid $($cardctl keygen --alg ed25519 --out "$out/issuer-ed")"
$cardctl secret --out "$out/status.secret"

echo "== issuing cards from demo/members.csv"
$cardctl issue --key "$out/issuer.key.pem" --iss RU-EDU-69 --status-secret "$out/status.secret" \
  --members demo/members.csv --out "$out/cards" --names short
$cardctl issue --key "$out/issuer-ed.key.pem" --iss RU-EDU-77 --status-secret "$out/status.secret" \
  --members demo/members-ed.csv --out "$out/cards-ed" --names short --valid-days 30
ls "$out"/cards/*.png "$out"/cards-ed/*.png

# One line per card: label, verdict, name when present, and the reason when not VALID.
field() { sed -nE "s/.*\"$1\":\"([^\"]*)\".*/\1/p"; }
show() {
  local label="$1" json="$2"
  printf '%-40s %-14s %-10s %s\n' "$label" "$(field verdict <<<"$json")" "$(field name <<<"$json")" \
    "$(field detail <<<"$json")"
}
verify() {
  local label="$1"; shift
  show "$label" "$($cardctl verify --pubkey "$out/issuer.pub.pem" --pubkey "$out/issuer-ed.pub.pem" "$@" || true)"
}

echo "== verifying from the QR images"
for png in "$out"/cards/*.png "$out"/cards-ed/*.png; do
  verify "$(basename "$(dirname "$png")")/$(basename "$png")" --image "$png"
done

echo "== cards that must not pass"
first_png=$(ls "$out"/cards/*.png | head -n 1)
text=$(cat "${first_png%.png}.txt")
verify "same card, 2 years from now" --at "$(date -u -d '+2 years' +%Y-%m-%dT%H:%M:%SZ)" --text "$text"
verify "same card, clock set 1 day back" --at "$(date -u -d '-1 day' +%Y-%m-%dT%H:%M:%SZ)" --text "$text"
tampered="${text:0:60}$( [ "${text:60:1}" = A ] && echo B || echo A )${text:61}"
verify "one character changed" --text "$tampered"
verify "truncated" --text "${text:0:100}"
verify "not a card" --text "https://example.org/"
$cardctl keygen --alg es256 --out "$out/forger" >/dev/null
$cardctl issue --key "$out/forger.key.pem" --iss RU-EDU-69 --status-secret "$out/status.secret" \
  --members demo/members.csv --out "$out/forged" 2>/dev/null
verify "signed by an unknown key" --image "$(ls "$out"/forged/*.png | head -n 1)"
echo "(full JSON: $cardctl verify --pubkey $out/issuer.pub.pem --image $first_png)"
echo "== a registry bundle, applied as a kiosk would, and a purchase at a partner shop"
kiosk=build/release/kiosk/kiosk
$cardctl keygen --alg ed25519 --out "$out/bundle" >/dev/null
$cardctl bundle build --members demo/registry-members.csv --issuer-pubkey "$out/issuer.pub.pem" \
  --issuer-pubkey "$out/issuer-ed.pub.pem" --status-secret "$out/status.secret" --seq 1 \
  --valid-days 30 --mode allow --sign "$out/bundle.key.pem" --out "$out/registry.ckbundle" \
  --partners demo/partners.csv --offers demo/offers.csv 2>/dev/null
$cardctl bundle apply --data-dir "$out/kiosk" --trust "$out/bundle.pub.pem" "$out/registry.ckbundle"
card_of() { cat "$out/cards/$1.txt"; }
{
  printf '{"cmd":"scan","text":"%s"}\n{"cmd":"amount","minor":125000}\n{"cmd":"confirm"}\n' "$(card_of EDU-690001)"
  printf '{"cmd":"scan","text":"%s"}\n' "$(card_of EDU-690002)"
  printf '{"cmd":"scan","text":"%s"}\n' "$(card_of EDU-690004)"
} | $kiosk --headless --data-dir "$out/kiosk" --mode shop --partner P0001 |
  while IFS= read -r line; do
    state=$(field state <<<"$line")
    case "$state" in
      amount) printf '%-40s %s\n' "scanned $(field name <<<"$line")" "enter the amount" ;;
      confirm)
        printf '%-40s discount %s of %s kopecks\n' "amount 1250.00" \
          "$(sed -nE 's/.*"discount_minor":([0-9]+).*/\1/p' <<<"$line")" \
          "$(sed -nE 's/.*"purchase_minor":([0-9]+).*/\1/p' <<<"$line")" ;;
      result) printf '%-40s %-14s %s\n' "result" "$(field decision <<<"$line")" \
        "$(field entry_uuid <<<"$line")$(field message <<<"$line" | sed 's/^/ /')" ;;
    esac
  done
echo "== the journal (cardctl journal list)"
num() { sed -nE "s/.*\"$1\":([0-9]+).*/\1/p"; }
$cardctl journal list --data-dir "$out/kiosk" | while IFS= read -r line; do
  printf 'seq %-3s %-9s %-10s discount %-6s %s\n' "$(num seq <<<"$line")" "$(field kind <<<"$line")" \
    "$(field decision <<<"$line")" "$(num discount_minor <<<"$line")" "$(field time_utc <<<"$line")"
done
$cardctl journal verify --data-dir "$out/kiosk" | tail -n 1

echo "== the kiosk app: a camera recording of four cards"
# Cards from the demo's own keys: a member's valid card, one issued two years ago for 30 days, a
# member revoked in demo/registry-members.csv, and one signed by the forger's key.
$cardctl issue --key "$out/issuer.key.pem" --iss RU-EDU-69 --status-secret "$out/status.secret" \
  --members demo/members.csv --out "$out/cards-expired" --names short --valid-days 30 \
  --iat "$(date -u -d '-2 years' +%Y-%m-%dT%H:%M:%SZ)" 2>/dev/null
# One line per camera frame (demo/kiosk-demo.conf plays 4 a second): the card's text, or empty for
# a blank frame. Each card is in view for a second; the blanks leave time for the purchase to be
# typed and for each result to show and close.
frames() { local n=$1 text=${2:-}; for ((i = 0; i < n; i++)); do printf '%s\n' "$text"; done; }
{
  frames 4
  frames 4 "$(cat "$out/cards/EDU-690001.txt")"
  frames 44
  frames 4 "$(cat "$out/cards-expired/EDU-690003.txt")"
  frames 16
  frames 4 "$(cat "$out/cards/EDU-690004.txt")"
  frames 16
  frames 4 "$(cat "$out/forged/EDU-690003.txt")"
  frames 12
} >"$out/camera-frames.txt"
build/release/bench/gen_frames --texts "$out/camera-frames.txt" --out "$out/frames"
# Windowed at the config's 800x480 (off screen too, where fullscreen would take the offscreen
# driver's 1024x768 desktop).
app_flags=(--config demo/kiosk-demo.conf --data-dir "$out/kiosk" --mode shop --partner P0001
  --camera "$out/frames" --script demo/kiosk-demo.script --screenshot-dir "$out/screens"
  --quit-after 90 --windowed)
if [ -n "${DISPLAY:-}" ]; then
  echo "(in a window on $DISPLAY)"
else
  export SDL_VIDEODRIVER=offscreen
  echo "(no \$DISPLAY: off screen, screenshots only)"
fi
if ! SDL_AUDIODRIVER="${SDL_AUDIODRIVER:-dummy}" $kiosk "${app_flags[@]}" >"$out/kiosk-app.jsonl" \
  2>"$out/kiosk-app.log"; then
  echo "kiosk app failed:" >&2
  cat "$out/kiosk-app.log" >&2
  exit 1
fi
prev=""
while IFS= read -r line; do
  screen=$(field screen <<<"$line")
  # Each digit typed redraws the amount screen: show a screen once while it stays.
  [ -n "$screen" ] && [ "$screen" != "$prev" ] || continue
  prev=$screen
  extra="$(field decision <<<"$line")"
  seq=$(num entry_seq <<<"$line")
  [ -z "$seq" ] || extra+=" journal seq $seq"
  ms=$(sed -nE 's/.*"frame_to_screen_ms":([0-9]+)(\.[0-9]+)?.*/\1/p' <<<"$line")
  [ -z "$ms" ] || extra+=" (camera frame to screen ${ms} ms)"
  printf '%-40s %s\n' "screen $screen" "$extra"
done <"$out/kiosk-app.jsonl"
stats=$(grep '"stats"' "$out/kiosk-app.jsonl")
dec() { sed -nE "s/.*\"$1\":([0-9]+(\.[0-9]{1,2})?).*/\1/p" <<<"$stats"; }
echo "frames drawn $(dec frames_drawn), draw time p95 $(dec draw_ms_p95) ms (max $(dec draw_ms_max))," \
  "cards from the camera $(dec scans_from_camera)"
echo "screenshots in $out/screens:"
ls "$out/screens"
echo "demo output in $out/"
