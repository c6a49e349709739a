// The script driver without a window: a ScriptHost stands for the app (what is drawn, whether the
// screen settled), and what the driver queues is read back from SDL's event queue (SDL's events
// only: no video).
#include <SDL2/SDL.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "script_driver.h"

namespace {

using kiosk_sdl::ScriptDriver;

class FakeHost final : public kiosk_sdl::ScriptHost {
 public:
  FakeHost() {
    view.name = "idle";
    kiosk_ui::Element ok;
    ok.kind = kiosk_ui::Kind::kButton;
    ok.id = "ok";
    ok.text = "OK";
    ok.rect = {100, 200, 40, 20};
    view.elements.push_back(ok);
  }
  const kiosk_ui::View& drawn_view() const override { return view; }
  bool drawn() const override { return is_drawn; }
  const std::string& drawn_state() const override { return state; }
  bool InputSettling() const override { return settling; }
  bool InputIdle() override { return idle; }
  base::FakeClock* fake_clock() override { return has_clock ? &clock : nullptr; }
  void Screenshot(const std::string& name) override { shots.push_back(name); }
  int64_t NowNs() const override { return now_ns; }

  kiosk_ui::View view;
  bool is_drawn = true, settling = false, idle = true, has_clock = true;
  std::string state = "idle";
  base::FakeClock clock{1'800'000'000};
  std::vector<std::string> shots;
  int64_t now_ns = 0;
};

class ScriptDriverTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(SDL_Init(SDL_INIT_EVENTS), 0) << SDL_GetError(); }
  void TearDown() override { SDL_Quit(); }

  ScriptDriver Driver(const std::string& text) {
    base::Result<std::vector<kiosk_settings::ScriptCommand>> s =
        kiosk_settings::ParseScript(text, "test.script", ".");
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return ScriptDriver(s.ok() ? std::move(*s) : std::vector<kiosk_settings::ScriptCommand>{},
                        host_);
  }
  // Every event queued so far, oldest first.
  std::vector<SDL_Event> Events() {
    SDL_PumpEvents();
    std::vector<SDL_Event> out;
    SDL_Event ev;
    while (SDL_PollEvent(&ev) != 0) out.push_back(ev);
    return out;
  }

  FakeHost host_;
};

TEST_F(ScriptDriverTest, ScanQueuesTheTextThenEnterAndYieldsToTheLoop) {
  ScriptDriver d = Driver("scan AБ\nquit\n");
  EXPECT_EQ(d.Run(), -1);
  const std::vector<SDL_Event> ev = Events();
  ASSERT_EQ(ev.size(), 3u);  // "A", "Б" (two bytes, one event), Enter
  EXPECT_EQ(ev[0].type, SDL_TEXTINPUT);
  EXPECT_STREQ(ev[0].text.text, "A");
  EXPECT_STREQ(ev[1].text.text, "Б");
  EXPECT_EQ(ev[2].type, SDL_KEYDOWN);
  EXPECT_EQ(ev[2].key.keysym.sym, SDLK_RETURN);
  EXPECT_EQ(d.Run(), 0);  // quit
}

TEST_F(ScriptDriverTest, PressTouchesTheButtonsCentreOnceTheScreenSettled) {
  ScriptDriver d = Driver("press ok\n");
  host_.settling = true;
  EXPECT_EQ(d.Run(), -1);
  EXPECT_TRUE(Events().empty());
  EXPECT_EQ(d.TimeoutMs(), 10);
  host_.settling = false;
  EXPECT_EQ(d.TimeoutMs(), 0);
  EXPECT_EQ(d.Run(), -1);
  const std::vector<SDL_Event> ev = Events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, SDL_MOUSEBUTTONDOWN);
  EXPECT_EQ(ev[0].button.x, 120);
  EXPECT_EQ(ev[0].button.y, 210);
  EXPECT_TRUE(d.done());
  EXPECT_EQ(d.TimeoutMs(), -1);
}

TEST_F(ScriptDriverTest, MissingButtonFailsTheScript) {
  ScriptDriver d = Driver("press nope\n");
  EXPECT_EQ(d.Run(), kiosk_sdl::kExitScript);
  EXPECT_EQ(d.Run(), kiosk_sdl::kExitScript);  // it stays on the failed line
}

TEST_F(ScriptDriverTest, WaitHoldsUntilTheStateIsDrawnAndInputIsHandled) {
  ScriptDriver d = Driver("wait amount 2\nexpect OK\nquit\n");
  EXPECT_EQ(d.Run(), -1);  // idle is on screen
  host_.state = "amount";
  host_.idle = false;  // a scan still waiting
  EXPECT_EQ(d.Run(), -1);
  host_.idle = true;
  EXPECT_EQ(d.Run(), 0);  // wait, expect and quit in one turn
}

TEST_F(ScriptDriverTest, WaitTimesOut) {
  ScriptDriver d = Driver("wait amount 2\n");
  EXPECT_EQ(d.Run(), -1);
  host_.now_ns = 1'999'000'000;
  EXPECT_EQ(d.Run(), -1);
  host_.now_ns = 2'000'000'000;
  EXPECT_EQ(d.Run(), kiosk_sdl::kExitScript);
}

TEST_F(ScriptDriverTest, SleepAdvanceScreenshotAndExpect) {
  ScriptDriver d = Driver("sleep 1\nadvance 30\nscreenshot first\nexpect NOT THERE\n");
  EXPECT_EQ(d.Run(), -1);
  host_.now_ns = 1'000'000'000;
  EXPECT_EQ(d.Run(), kiosk_sdl::kExitScript);  // advance and screenshot ran, expect failed
  EXPECT_EQ(host_.clock.NowUnixSeconds(), 1'800'000'030);
  EXPECT_EQ(host_.shots, std::vector<std::string>{"first"});
}

TEST_F(ScriptDriverTest, AdvanceNeedsTheFakeClock) {
  host_.has_clock = false;
  ScriptDriver d = Driver("advance 1\n");
  EXPECT_EQ(d.Run(), kiosk_sdl::kExitScript);
}

TEST_F(ScriptDriverTest, TypeIsOneKeyPerTurnAtAPersonsPace) {
  ScriptDriver d = Driver("type 12\n");
  EXPECT_EQ(d.Run(), -1);
  EXPECT_EQ(Events().size(), 1u);
  EXPECT_EQ(d.Run(), -1);  // too soon for the next key
  EXPECT_TRUE(Events().empty());
  host_.now_ns = 150'000'000;
  EXPECT_EQ(d.Run(), -1);
  const std::vector<SDL_Event> ev = Events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_STREQ(ev[0].text.text, "2");
  EXPECT_FALSE(d.done());
  EXPECT_EQ(d.Run(), -1);  // the command ends on the next turn
  EXPECT_TRUE(d.done());
}

TEST_F(ScriptDriverTest, KeyByNameAndPrintableKeysTypeTheirCharacter) {
  ScriptDriver d = Driver("key Escape\nkey 5\nkey NoSuchKey\n");
  EXPECT_EQ(d.Run(), -1);
  std::vector<SDL_Event> ev = Events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].key.keysym.sym, SDLK_ESCAPE);
  EXPECT_EQ(d.Run(), -1);
  ev = Events();
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].key.keysym.sym, SDLK_5);
  EXPECT_STREQ(ev[1].text.text, "5");
  EXPECT_EQ(d.Run(), kiosk_sdl::kExitScript);
}

}  // namespace
