// Script files for `kiosk --script`: every command, defaults, and errors that name the line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "kiosk_settings/script.h"
#include "subprocess.h"

namespace {

using kiosk_settings::ParseScript;
using kiosk_settings::ScriptCommand;
using kiosk_settings::ScriptOp;

std::vector<ScriptCommand> Parse(std::string_view text, const std::string& base_dir = "") {
  base::Result<std::vector<ScriptCommand>> s = ParseScript(text, "demo.script", base_dir);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : std::vector<ScriptCommand>{};
}

std::string ErrorOf(std::string_view text, const std::string& base_dir = "") {
  base::Result<std::vector<ScriptCommand>> s = ParseScript(text, "demo.script", base_dir);
  if (s.ok()) return "<parsed>";
  EXPECT_EQ(s.status().code(), base::StatusCode::kInvalidArgument);
  return s.status().message();
}

TEST(ScriptTest, EveryCommand) {
  const std::vector<ScriptCommand> s = Parse(
      "# a demo\n"
      "\n"
      "scan HC1:6BF+70790T9WJWG.FKY*4GO0\n"
      "type 1250\n"
      "key Return\n"
      "key Keypad Enter\n"
      "press key_5\n"
      "tap 400 240\n"
      "wait result\n"
      "wait idle 2.5\n"
      "sleep 0.25\n"
      "advance 86400\n"
      "screenshot 01-idle_ru\n"
      "expect Registry #12, updated 5 min ago\n"
      "quit\n");
  ASSERT_EQ(s.size(), 13u);
  auto expect = [&s](size_t i, ScriptOp op, int line, const std::string& text) {
    EXPECT_EQ(s[i].op, op) << i;
    EXPECT_EQ(s[i].line, line) << i;
    EXPECT_EQ(s[i].text, text) << i;
  };
  expect(0, ScriptOp::kScan, 3, "HC1:6BF+70790T9WJWG.FKY*4GO0");
  expect(1, ScriptOp::kType, 4, "1250");
  expect(2, ScriptOp::kKey, 5, "Return");
  expect(3, ScriptOp::kKey, 6, "Keypad Enter");
  expect(4, ScriptOp::kPress, 7, "key_5");
  expect(5, ScriptOp::kTap, 8, "");
  EXPECT_EQ(s[5].x, 400);
  EXPECT_EQ(s[5].y, 240);
  expect(6, ScriptOp::kWait, 9, "result");
  EXPECT_EQ(s[6].seconds, 10);  // the default timeout
  expect(7, ScriptOp::kWait, 10, "idle");
  EXPECT_EQ(s[7].seconds, 2.5);
  expect(8, ScriptOp::kSleep, 11, "");
  EXPECT_EQ(s[8].seconds, 0.25);
  expect(9, ScriptOp::kAdvance, 12, "");
  EXPECT_EQ(s[9].seconds, 86400);
  expect(10, ScriptOp::kScreenshot, 13, "01-idle_ru");
  expect(11, ScriptOp::kExpect, 14, "Registry #12, updated 5 min ago");  // '#' inside is text
  expect(12, ScriptOp::kQuit, 15, "");
}

TEST(ScriptTest, WaitStatesAndSpacing) {
  const std::vector<ScriptCommand> s = Parse(
      "wait idle\r\n\twait  amount\t 1\r\nwait confirm\nwait admin\nwait pin 0\n"
      "   expect   Добро пожаловать!  \n");
  ASSERT_EQ(s.size(), 6u);
  EXPECT_EQ(s[0].text, "idle");
  EXPECT_EQ(s[1].text, "amount");
  EXPECT_EQ(s[1].seconds, 1);
  EXPECT_EQ(s[2].text, "confirm");
  EXPECT_EQ(s[3].text, "admin");
  EXPECT_EQ(s[4].text, "pin");
  EXPECT_EQ(s[4].seconds, 0);
  EXPECT_EQ(s[5].text, "Добро пожаловать!");
  EXPECT_TRUE(Parse("").empty());
  EXPECT_TRUE(Parse("# only a comment\n\n").empty());
  const std::vector<ScriptCommand> more =
      Parse("wait result-REVOKED 3\nwait admin-select\nwait set-pin\n");
  ASSERT_EQ(more.size(), 3u);
  EXPECT_EQ(more[0].text, "result-REVOKED");
  EXPECT_EQ(more[1].text, "admin-select");
  EXPECT_EQ(more[2].text, "set-pin");
  const std::vector<ScriptCommand> wt = Parse("wait-text 2.5 Imported registry #3\n");
  ASSERT_EQ(wt.size(), 1u);
  EXPECT_EQ(wt[0].op, ScriptOp::kWaitText);
  EXPECT_EQ(wt[0].seconds, 2.5);
  EXPECT_EQ(wt[0].text, "Imported registry #3");
  EXPECT_EQ(ErrorOf("wait-text 5\n"), "demo.script:1: wait-text: expected SECONDS TEXT, got '5'");
  EXPECT_EQ(ErrorOf("wait-text soon Done\n"),
            "demo.script:1: wait-text: expected seconds, got 'soon'");
}

TEST(ScriptTest, TypedKeysWithTheirGap) {
  const std::vector<ScriptCommand> s = Parse("typed 150 1000\ntyped 0 12 34\n");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].op, ScriptOp::kTyped);
  EXPECT_EQ(s[0].gap_ms, 150);
  EXPECT_EQ(s[0].text, "1000");
  EXPECT_EQ(s[1].gap_ms, 0);
  EXPECT_EQ(s[1].text, "12 34");
  EXPECT_EQ(ErrorOf("typed 150\n"), "demo.script:1: typed: expected MS TEXT, got '150'");
  EXPECT_EQ(ErrorOf("typed\n"), "demo.script:1: typed: expected MS TEXT, got ''");
  EXPECT_EQ(ErrorOf("typed fast 1000\n"),
            "demo.script:1: typed: expected milliseconds between keys 0..10000, got 'fast'");
  EXPECT_EQ(ErrorOf("typed 20000 1\n"),
            "demo.script:1: typed: expected milliseconds between keys 0..10000, got '20000'");
}

TEST(ScriptTest, ErrorsNameTheLine) {
  EXPECT_EQ(ErrorOf("quit\n\nscna HC1:X\n"), "demo.script:3: unknown command 'scna'");
  EXPECT_EQ(ErrorOf("Scan HC1:X\n"), "demo.script:1: unknown command 'Scan'");
  EXPECT_EQ(ErrorOf("scan\n"), "demo.script:1: scan: missing text");
  EXPECT_EQ(ErrorOf("quit\ntype   \n"), "demo.script:2: type: missing text");
  EXPECT_EQ(ErrorOf("expect\n"), "demo.script:1: expect: missing text");
  EXPECT_EQ(ErrorOf("key\n"), "demo.script:1: key: missing key name");
  EXPECT_EQ(ErrorOf("press\n"), "demo.script:1: press: missing button id");
  EXPECT_EQ(ErrorOf("press key 5\n"), "demo.script:1: press: expected one button id, got 'key 5'");
  EXPECT_EQ(ErrorOf("scan-file\n"), "demo.script:1: scan-file: missing path");
  EXPECT_EQ(ErrorOf("screenshot\n"), "demo.script:1: screenshot: missing name");
  EXPECT_EQ(ErrorOf("screenshot ../etc/x\n"),
            "demo.script:1: screenshot: a name is letters, digits, '_', '-' and '.', got "
            "'../etc/x'");
  EXPECT_EQ(ErrorOf("screenshot .hidden\n"),
            "demo.script:1: screenshot: a name is letters, digits, '_', '-' and '.', got "
            "'.hidden'");
  EXPECT_EQ(ErrorOf("tap\n"), "demo.script:1: tap: expected X Y, got ''");
  EXPECT_EQ(ErrorOf("tap 10\n"), "demo.script:1: tap: expected X Y, got '10'");
  EXPECT_EQ(ErrorOf("tap 1 2 3\n"), "demo.script:1: tap: expected X Y, got '1 2 3'");
  EXPECT_EQ(ErrorOf("tap 10 y\n"),
            "demo.script:1: tap: expected a pixel coordinate 0..100000, got 'y'");
  EXPECT_EQ(ErrorOf("tap -1 5\n"),
            "demo.script:1: tap: expected a pixel coordinate 0..100000, got '-1'");
  EXPECT_EQ(ErrorOf("tap 1.5 5\n"),
            "demo.script:1: tap: expected a pixel coordinate 0..100000, got '1.5'");
  EXPECT_EQ(ErrorOf("wait\n"), "demo.script:1: wait: expected STATE [SECONDS], got ''");
  EXPECT_EQ(ErrorOf("wait idle 1 2\n"),
            "demo.script:1: wait: expected STATE [SECONDS], got 'idle 1 2'");
  EXPECT_EQ(
      ErrorOf("wait lobby\n"),
      "demo.script:1: wait: unknown state 'lobby' (idle, result, result-CODE, amount, confirm, "
      "admin, pin, set-pin, admin-select, admin-key, admin-language, void-confirm, recent, "
      "recent-admin)");
  EXPECT_EQ(ErrorOf("wait result-\n"),
            "demo.script:1: wait: unknown state 'result-' (idle, result, result-CODE, amount, "
            "confirm, admin, pin, set-pin, admin-select, admin-key, admin-language, void-confirm, "
            "recent, recent-admin)");
  EXPECT_EQ(ErrorOf("wait result-VALID; 1\n"),
            "demo.script:1: wait: unknown state 'result-VALID;' (idle, result, result-CODE, "
            "amount, confirm, admin, pin, set-pin, admin-select, admin-key, admin-language, "
            "void-confirm, recent, recent-admin)");
  EXPECT_EQ(ErrorOf("wait idle soon\n"), "demo.script:1: wait: expected seconds, got 'soon'");
  EXPECT_EQ(ErrorOf("wait idle 7200\n"), "demo.script:1: wait: seconds must be 0..3600, got 7200");
  EXPECT_EQ(ErrorOf("sleep\n"), "demo.script:1: sleep: expected seconds, got ''");
  EXPECT_EQ(ErrorOf("sleep abc\n"), "demo.script:1: sleep: expected seconds, got 'abc'");
  EXPECT_EQ(ErrorOf("sleep -1\n"), "demo.script:1: sleep: seconds must be 0..3600, got -1");
  EXPECT_EQ(ErrorOf("sleep 1e3\n"), "demo.script:1: sleep: expected seconds, got '1e3'");
  EXPECT_EQ(ErrorOf("sleep 2s\n"), "demo.script:1: sleep: expected seconds, got '2s'");
  EXPECT_EQ(ErrorOf("advance inf\n"), "demo.script:1: advance: expected seconds, got 'inf'");
  EXPECT_EQ(ErrorOf("advance nan\n"), "demo.script:1: advance: expected seconds, got 'nan'");
  EXPECT_EQ(ErrorOf("advance 1 2\n"), "demo.script:1: advance: expected seconds, got '1 2'");
  EXPECT_EQ(ErrorOf("quit now\n"), "demo.script:1: quit: takes no argument, got 'now'");
  EXPECT_EQ(ErrorOf("type a\x1b[2Jb\n"), "demo.script:1: control character in the line");
  EXPECT_EQ(ErrorOf("quit\nexpect caf\xE9\n"), "demo.script:2: not UTF-8");
}

class ScriptFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    std::filesystem::create_directories(dir_ + "/cards");
    std::ofstream(dir_ + "/cards/alice.txt") << "HC1:ALICE\r\nAlice Example, member 0042\n";
  }
  cktest::TempDir tmp_;
  const std::string dir_ = tmp_.path();
};

TEST_F(ScriptFileTest, ScanFileIsResolvedAgainstTheBaseDir) {
  std::vector<ScriptCommand> s = Parse("scan-file cards/alice.txt\n", dir_);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].op, ScriptOp::kScan);
  EXPECT_EQ(s[0].text, "HC1:ALICE");  // the first line only, without its CR

  s = Parse("scan-file " + dir_ + "/cards/alice.txt\n", "/nonexistent");  // absolute path
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].text, "HC1:ALICE");

  const std::string missing = ErrorOf("quit\nscan-file cards/bob.txt\n", dir_);
  EXPECT_TRUE(missing.starts_with("demo.script:2: scan-file: ")) << missing;
  EXPECT_NE(missing.find(dir_ + "/cards/bob.txt"), std::string::npos) << missing;

  std::ofstream(dir_ + "/cards/empty.txt") << "\nHC1:SECOND\n";
  EXPECT_EQ(ErrorOf("scan-file cards/empty.txt\n", dir_),
            "demo.script:1: scan-file: " + dir_ + "/cards/empty.txt: the first line is empty");
}

TEST_F(ScriptFileTest, LoadScriptResolvesAgainstItsOwnDirectory) {
  std::ofstream(dir_ + "/cards/demo.script") << "scan-file alice.txt\nwait result 5\nquit\n";
  base::Result<std::vector<ScriptCommand>> s =
      kiosk_settings::LoadScript(dir_ + "/cards/demo.script");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->size(), 3u);
  EXPECT_EQ((*s)[0].text, "HC1:ALICE");
  EXPECT_EQ((*s)[1].seconds, 5);

  std::ofstream(dir_ + "/bad.script") << "quit\nfly away\n";
  s = kiosk_settings::LoadScript(dir_ + "/bad.script");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), dir_ + "/bad.script:2: unknown command 'fly'");

  s = kiosk_settings::LoadScript(dir_ + "/none.script");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), base::StatusCode::kNotFound);
}

}  // namespace
