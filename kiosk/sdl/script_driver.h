// Scripted input for demos and end-to-end tests (--script, kiosk_settings/script.h): each command
// runs when the screen allows it, as a person's would: touches and keys wait until what is on
// screen has settled; scans and typing are queued as SDL events, one per character, so that the
// keyboard-wedge assembler tells a scanner's burst from a person's typing; wait, wait-text and
// sleep hold the script across turns of the app's loop.
//
// The driver refers to its ScriptHost (the app), which must outlive it. UI thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/clock.h"
#include "kiosk_settings/script.h"
#include "kiosk_ui/view.h"

namespace kiosk_sdl {

inline constexpr int kExitScript = 3;  // a script step failed

// What the driver looks at and acts on in the app.
class ScriptHost {
 public:
  virtual ~ScriptHost() = default;
  virtual const kiosk_ui::View& drawn_view() const = 0;  // what was drawn last
  virtual bool drawn() const = 0;                        // anything was drawn yet
  virtual const std::string& drawn_state() const = 0;    // the state name when it was drawn
  // The next touch or Enter would not act on what is on screen yet (see App::InputSettling).
  virtual bool InputSettling() const = 0;
  // The input queue holds nothing: no input waiting, no typed keys being classified.
  virtual bool InputIdle() = 0;
  virtual base::FakeClock* fake_clock() = 0;  // null without --fake-clock
  // Draws now and writes the picture to NAME.png in the screenshot directory.
  virtual void Screenshot(const std::string& name) = 0;
  virtual int64_t NowNs() const = 0;  // monotonic
  // The app is still answering the last input (an admin PIN being checked): what is on screen is
  // not its answer yet.
  virtual bool Working() const { return false; }
};

class ScriptDriver {
 public:
  ScriptDriver(std::vector<kiosk_settings::ScriptCommand> script, ScriptHost& host)
      : script_(std::move(script)), host_(host) {}

  // Runs commands while they complete at once. Returns -1 to go on, 0 after `quit`, kExitScript
  // after a failed step (printed with its line and the screen's name).
  int Run();
  bool done() const { return pos_ >= script_.size(); }
  // How long the app's loop may wait for events before the script's next turn (ms), or -1 when
  // the script has no more commands.
  int TimeoutMs() const;

 private:
  // wait, wait-text, sleep: true when the command is done (the script goes on).
  bool Waited(const kiosk_settings::ScriptCommand& c, int* exit_code);
  // Any other command: false when it holds the script for this turn.
  bool Step(const kiosk_settings::ScriptCommand& c, int* exit_code);
  int Fail(const std::string& why);

  std::vector<kiosk_settings::ScriptCommand> script_;
  ScriptHost& host_;
  size_t pos_ = 0;
  bool started_ = false;  // the current wait or sleep has its deadline
  int64_t deadline_ns_ = 0;
  size_t type_pos_ = 0;  // the characters of `type` already queued
  int64_t next_key_ns_ = 0;
};

}  // namespace kiosk_sdl
