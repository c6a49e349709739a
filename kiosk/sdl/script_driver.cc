#include "script_driver.h"

#include <SDL2/SDL.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace kiosk_sdl {
namespace {

using kiosk_settings::ScriptCommand;
using kiosk_settings::ScriptOp;

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kTypingGapNs = 150 * kMs;  // a person's typing

// Whole UTF-8 characters (1-4 bytes), never a character cut in two.
std::vector<std::string> CharactersOf(const std::string& text) {
  std::vector<std::string> out;
  for (size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const size_t len = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    out.push_back(text.substr(i, std::min(len, text.size() - i)));
    i += out.back().size();
  }
  return out;
}

void PushCharacter(const std::string& c, Uint32 timestamp) {
  SDL_Event ev{};
  ev.type = SDL_TEXTINPUT;
  ev.text.timestamp = timestamp;
  std::memcpy(ev.text.text, c.data(), c.size());
  SDL_PushEvent(&ev);
}

void PushText(const std::string& text) {
  // One event per character, as a scanner types them; SDL stamps each with the time it is
  // queued, so the assembler sees machine-speed gaps.
  for (const std::string& c : CharactersOf(text))
    PushCharacter(c, static_cast<Uint32>(SDL_GetTicks64()));
}

// Characters typed `gap_ms` apart, the last one now: each stamped with the time it was typed.
void PushTyped(const std::string& text, int gap_ms) {
  const std::vector<std::string> chars = CharactersOf(text);
  const auto now = static_cast<int64_t>(SDL_GetTicks64());
  const auto n = static_cast<int64_t>(chars.size());
  for (int64_t i = 0; i < n; ++i) {
    PushCharacter(chars[static_cast<size_t>(i)],
                  static_cast<Uint32>(std::max<int64_t>(0, now - (n - 1 - i) * gap_ms)));
  }
}

void PushKey(SDL_Keycode key) {
  SDL_Event ev{};
  ev.type = SDL_KEYDOWN;
  ev.key.timestamp = static_cast<Uint32>(SDL_GetTicks64());
  ev.key.state = SDL_PRESSED;
  ev.key.keysym.sym = key;
  SDL_PushEvent(&ev);
}

void PushTouch(int x, int y) {
  SDL_Event ev{};
  ev.type = SDL_MOUSEBUTTONDOWN;
  ev.button.timestamp = static_cast<Uint32>(SDL_GetTicks64());
  ev.button.button = SDL_BUTTON_LEFT;
  ev.button.state = SDL_PRESSED;
  ev.button.x = x;
  ev.button.y = y;
  SDL_PushEvent(&ev);
}

bool IsWait(ScriptOp op) {
  return op == ScriptOp::kWait || op == ScriptOp::kWaitText || op == ScriptOp::kSleep;
}

}  // namespace

int ScriptDriver::Fail(const std::string& why) {
  const ScriptCommand& c = script_[pos_];
  std::fprintf(stderr, "kiosk: script line %d: %s (screen %s)\n", c.line, why.c_str(),
               host_.drawn_view().name.c_str());
  return kExitScript;
}

int ScriptDriver::Run() {
  int exit_code = -1;
  while (exit_code < 0 && pos_ < script_.size()) {
    const ScriptCommand& c = script_[pos_];
    if (IsWait(c.op)) {
      if (!Waited(c, &exit_code)) return exit_code;
      started_ = false;
      ++pos_;
      continue;
    }
    if (!Step(c, &exit_code)) return exit_code;
    ++pos_;
    // Input was queued: let the loop handle it before the next command looks at the screen (keys
    // found typed already go with what the next command does, in the same turn).
    if (c.op != ScriptOp::kAdvance && c.op != ScriptOp::kExpect && c.op != ScriptOp::kScreenshot &&
        c.op != ScriptOp::kTyped)
      return exit_code;
  }
  return exit_code;
}

bool ScriptDriver::Waited(const ScriptCommand& c, int* exit_code) {
  const int64_t now = host_.NowNs();
  if (!started_) {
    started_ = true;
    deadline_ns_ = now + static_cast<int64_t>(c.seconds * 1e9);
  }
  const kiosk_ui::View& view = host_.drawn_view();
  if (c.op == ScriptOp::kWaitText) {
    if (host_.drawn() && view.Shows(c.text)) return true;
    if (now >= deadline_ns_)
      *exit_code =
          Fail("timed out waiting for \"" + c.text + "\" on screen; it shows:\n" + view.AllText());
    return false;
  }
  if (c.op == ScriptOp::kWait) {
    // The state must be on screen (drawn), not only decided.
    if (host_.drawn() && (host_.drawn_state() == c.text || view.name == c.text) &&
        host_.InputIdle())
      return true;
    if (now >= deadline_ns_) *exit_code = Fail("timed out waiting for " + c.text);
    return false;
  }
  return now >= deadline_ns_;  // sleep
}

bool ScriptDriver::Step(const ScriptCommand& c, int* exit_code) {
  // Nothing is looked at or touched while the app is still answering (as a person waits).
  if (host_.Working() && c.op != ScriptOp::kAdvance && c.op != ScriptOp::kQuit) return false;
  // Scripted touches and keys wait until the screen has settled, as a person's would.
  const bool input = c.op == ScriptOp::kPress || c.op == ScriptOp::kTap || c.op == ScriptOp::kKey ||
                     c.op == ScriptOp::kType || c.op == ScriptOp::kTyped;
  if (input && host_.InputSettling()) return false;
  const kiosk_ui::View& view = host_.drawn_view();
  switch (c.op) {
    case ScriptOp::kScan:
      PushText(c.text);
      PushKey(SDLK_RETURN);
      return true;
    case ScriptOp::kType:
      // A person types: one key per turn, a person's gap apart, each stamped by SDL with the
      // time it was queued, so the assembler sees typing, not a scan.
      if (type_pos_ < c.text.size()) {
        const int64_t now = host_.NowNs();
        if (now < next_key_ns_) return false;
        PushText(c.text.substr(type_pos_++, 1));
        next_key_ns_ = now + kTypingGapNs;
        return false;
      }
      type_pos_ = 0;
      return true;
    case ScriptOp::kTyped:
      PushTyped(c.text, c.gap_ms);
      return true;
    case ScriptOp::kKey: {
      const SDL_Keycode k = SDL_GetKeyFromName(c.text.c_str());
      if (k == SDLK_UNKNOWN) {
        *exit_code = Fail("unknown key " + c.text);
        return false;
      }
      PushKey(k);
      if (c.text.size() == 1) PushText(c.text);  // a printable key types its character too
      return true;
    }
    case ScriptOp::kPress: {
      const kiosk_ui::Element* b = view.Button(c.text);
      if (b == nullptr) {
        *exit_code = Fail("no button " + c.text + " on screen");
        return false;
      }
      PushTouch(b->rect.x + b->rect.w / 2, b->rect.y + b->rect.h / 2);
      return true;
    }
    case ScriptOp::kTap:
      PushTouch(c.x, c.y);
      return true;
    case ScriptOp::kAdvance:
      if (host_.fake_clock() == nullptr) {
        *exit_code = Fail("advance needs --fake-clock");
        return false;
      }
      host_.fake_clock()->AdvanceNanos(static_cast<int64_t>(c.seconds * 1e9));
      return true;
    case ScriptOp::kScreenshot:
      host_.Screenshot(c.text);
      return true;
    case ScriptOp::kExpect:
      if (!view.Shows(c.text)) {
        *exit_code = Fail("expected \"" + c.text + "\" on screen; it shows:\n" + view.AllText());
        return false;
      }
      return true;
    case ScriptOp::kQuit:
      *exit_code = 0;
      return false;
    case ScriptOp::kWait:
    case ScriptOp::kWaitText:
    case ScriptOp::kSleep:
      break;
  }
  return true;
}

int ScriptDriver::TimeoutMs() const {
  if (pos_ >= script_.size()) return -1;
  const ScriptOp op = script_[pos_].op;
  return IsWait(op) || op == ScriptOp::kType || host_.InputSettling() || host_.Working() ? 10 : 0;
}

}  // namespace kiosk_sdl
