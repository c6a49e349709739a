// Scripted input for the kiosk app (`kiosk --script FILE`, docs/kiosk-app.md): one command per
// line, '#' comments. The app runs a command when the previous one is done, in the UI thread,
// through the same paths as real input:
//   scan TEXT            a keyboard-wedge burst: TEXT then Enter at scanner speed
//   scan-file PATH       the same with the first line of PATH (a card's .txt)
//   type TEXT            keys typed by a person (slow)
//   typed MS TEXT        keys that were typed MS milliseconds apart, the last one just now, all
//                        found waiting at once (as by a UI that was busy while they were typed);
//                        the next command runs in the same turn (e.g. `press ok` at once)
//   key NAME             one key press by SDL key name: Return, Escape, Backspace, 0..9, F2 ...
//   press ID             a touch on the centre of the on-screen button ID (e.g. key_5, ok)
//   tap X Y              a touch at window pixel X,Y
//   wait STATE [SECONDS] until the screen is in STATE (idle, result, amount, confirm, admin,
//                        pin, set-pin, admin-select, not_provisioned) or shows a result with that
//                        code (result-VALID, result-REVOKED, result-accepted ...); fails the script
//                        after SECONDS (default 10)
//   wait-text SECONDS TEXT  until TEXT is on screen (an admin action's outcome); fails the
//                        script after SECONDS
//   sleep SECONDS        wall-clock pause (fractions allowed), for demos only
//   advance SECONDS      moves the fake clock (only with --fake-clock)
//   screenshot NAME      writes NAME.png into --screenshot-dir
//   expect TEXT          fails unless TEXT is on the current screen (any text element)
//   quit                 ends the app (exit 0)
// A failed wait/expect ends the app with exit status 3 and the line number on stderr.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace kiosk_settings {

enum class ScriptOp : uint8_t {
  kScan,
  kType,
  kTyped,
  kKey,
  kPress,
  kTap,
  kWait,
  kWaitText,
  kSleep,
  kAdvance,
  kScreenshot,
  kExpect,
  kQuit,
};

struct ScriptCommand {
  ScriptOp op = ScriptOp::kQuit;
  int line = 0;
  std::string text;    // scan (scan-file is resolved at parse time), type, typed, key, press, wait
                       // state, screenshot name, expect
  int x = 0, y = 0;    // tap
  int gap_ms = 0;      // typed
  double seconds = 0;  // wait timeout (default 10), sleep, advance
};

// Parses a script; `base_dir` resolves relative scan-file paths. Errors name the line.
base::Result<std::vector<ScriptCommand>> ParseScript(std::string_view text, std::string_view source,
                                                     const std::string& base_dir);
base::Result<std::vector<ScriptCommand>> LoadScript(const std::string& path);

}  // namespace kiosk_settings
