// ck_config: TOML config files read key by key, errors naming file, line and key, and the writer
// whose output reads back.
#include "config/config_file.h"

#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <string>

#include "subprocess.h"

namespace {

using ck_config::ConfigFile;
using ck_config::TimeUnit;

ConfigFile Parse(std::string_view text) {
  base::Result<ConfigFile> f = ConfigFile::Parse(text, "t.conf");
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  if (!f.ok()) f = ConfigFile::Parse("", "t.conf");  // an empty file, so that the test goes on
  return std::move(*f);
}

std::string ParseError(std::string_view text) {
  base::Result<ConfigFile> f = ConfigFile::Parse(text, "t.conf");
  if (f.ok()) return "<parsed>";
  EXPECT_EQ(f.status().code(), base::StatusCode::kInvalidArgument);
  return f.status().message();
}

constexpr std::array<std::string_view, 2> kModes = {"shop", "event"};

TEST(ConfigFileTest, TypedGettersReadTheirKeys) {
  ConfigFile f = Parse(
      "# comment\n"
      "name = \"Coffee & Co\"\n"
      "count = 42\n"
      "on = false\n"
      "mode = \"event\"\n"
      "wait_ms = 1500\n"
      "interval = \"5min\"\n");
  std::string name, mode = "shop";
  int64_t count = 0, wait = 0, interval = 0;
  bool on = true;
  ASSERT_TRUE(f.GetString("name", &name).ok());
  ASSERT_TRUE(f.GetInt("count", 0, 100, &count).ok());
  ASSERT_TRUE(f.GetBool("on", &on).ok());
  ASSERT_TRUE(f.GetEnum("mode", kModes, &mode).ok());
  ASSERT_TRUE(f.GetDuration("wait_ms", TimeUnit::kMilliseconds, 0, 60000, &wait).ok());
  ASSERT_TRUE(f.GetDuration("interval", TimeUnit::kSeconds, 10, 86400, &interval).ok());
  EXPECT_TRUE(f.Finish().ok());
  EXPECT_EQ(name, "Coffee & Co");
  EXPECT_EQ(count, 42);
  EXPECT_FALSE(on);
  EXPECT_EQ(mode, "event");
  EXPECT_EQ(wait, 1500);
  EXPECT_EQ(interval, 300);
}

TEST(ConfigFileTest, AbsentKeysLeaveTheDefault) {
  ConfigFile f = Parse("");
  std::string s = "default";
  int64_t i = 7;
  bool b = true;
  ASSERT_TRUE(f.GetString("s", &s).ok());
  ASSERT_TRUE(f.GetInt("i", 0, 10, &i).ok());
  ASSERT_TRUE(f.GetBool("b", &b).ok());
  EXPECT_FALSE(f.Has("s"));
  EXPECT_EQ(s, "default");
  EXPECT_EQ(i, 7);
  EXPECT_TRUE(b);
  EXPECT_TRUE(f.Finish().ok());
}

TEST(ConfigFileTest, WrongTypesAndRangesNameFileLineAndKey) {
  ConfigFile f = Parse(
      "\n"
      "count = 140\n"
      "ratio = 5.5\n"
      "quoted = \"40\"\n"
      "on = \"yes\"\n"
      "mode = \"market\"\n"
      "name = 3\n"
      "list = [1, 2]\n");
  int64_t i = 0;
  bool b = false;
  std::string s;
  EXPECT_EQ(f.GetInt("count", 0, 100, &i).message(),
            "t.conf:2: key 'count': must be 0..100, got 140");
  EXPECT_EQ(f.GetInt("ratio", 0, 100, &i).message(),
            "t.conf:3: key 'ratio': must be a whole number 0..100, got '5.5'");
  EXPECT_EQ(f.GetInt("quoted", 0, 100, &i).message(),
            "t.conf:4: key 'quoted': must be a whole number 0..100, got text '40'");
  EXPECT_EQ(f.GetBool("on", &b).message(),
            "t.conf:5: key 'on': must be true or false, got text 'yes'");
  EXPECT_EQ(f.GetEnum("mode", kModes, &s).message(),
            "t.conf:6: key 'mode': must be shop | event, got 'market'");
  EXPECT_EQ(f.GetString("name", &s).message(),
            "t.conf:7: key 'name': must be text in double quotes, got '3'");
  EXPECT_EQ(f.GetString("list", &s).message(),
            "t.conf:8: key 'list': must be text in double quotes, got an array");
  EXPECT_EQ(i, 0);  // nothing stored on an error
  EXPECT_EQ(s, "");
}

TEST(ConfigFileTest, Durations) {
  ConfigFile f = Parse(
      "a = \"2h\"\n"
      "b = \"1500ms\"\n"
      "c = \"5s\"\n"
      "d = \"soon\"\n"
      "e = 9\n"
      "f = \"90s\"\n");
  int64_t v = 0;
  ASSERT_TRUE(f.GetDuration("a", TimeUnit::kMinutes, 0, 1000, &v).ok());
  EXPECT_EQ(v, 120);
  EXPECT_EQ(f.GetDuration("b", TimeUnit::kSeconds, 0, 100, &v).message(),
            "t.conf:2: key 'b': must be whole seconds, got '1500ms'");
  EXPECT_EQ(f.GetDuration("c", TimeUnit::kSeconds, 10, 100, &v).message(),
            "t.conf:3: key 'c': must be 10..100 seconds, got '5s'");
  EXPECT_EQ(f.GetDuration("d", TimeUnit::kSeconds, 10, 100, &v).message(),
            "t.conf:4: key 'd': must be a whole number 10..100 (seconds) or a duration such as "
            "\"90s\", got 'soon'");
  EXPECT_EQ(f.GetDuration("e", TimeUnit::kSeconds, 10, 100, &v).message(),
            "t.conf:5: key 'e': must be 10..100, got 9");
  ASSERT_TRUE(f.GetDuration("f", TimeUnit::kMilliseconds, 0, 100000, &v).ok());
  EXPECT_EQ(v, 90000);
}

TEST(ConfigFileTest, UnknownKeysTablesAndDottedKeysAreRefusedInFileOrder) {
  ConfigFile f = Parse("known = 1\nzeta = 2\nalpha = 3\n");
  int64_t v = 0;
  ASSERT_TRUE(f.GetInt("known", 0, 9, &v).ok());
  EXPECT_EQ(f.Finish().message(), "t.conf:2: unknown key 'zeta'");  // the first line, not A..Z

  ConfigFile table = Parse("[section]\nkey = 1\n");
  EXPECT_EQ(table.Finish().message(), "t.conf:1: unknown key 'section'");
  ConfigFile dotted = Parse("known.sub = 1\n");
  EXPECT_EQ(dotted.GetInt("known", 0, 9, &v).message(),
            "t.conf:1: key 'known': must be a whole number 0..9, got a table");
}

TEST(ConfigFileTest, ControlCharactersAndNulBytesAreRefused) {
  std::string s;
  ConfigFile escaped = Parse("a = \"x\\u0000y\"\nb = \"x\\ty\"\nc = \"x\\u007Fy\"\n");
  EXPECT_EQ(escaped.GetString("a", &s).message(),
            "t.conf:1: key 'a': control character in the value");
  EXPECT_EQ(escaped.GetString("b", &s).message(),
            "t.conf:2: key 'b': control character in the value");
  EXPECT_EQ(escaped.GetString("c", &s).message(),
            "t.conf:3: key 'c': control character in the value");
  EXPECT_EQ(s, "");
  EXPECT_EQ(ParseError("a = 1\nb = \"x" + std::string(1, '\0') + "y\"\n"), "t.conf:2: NUL byte");
  EXPECT_EQ(ParseError("a = 1\nb = \"caf\xE9\"\n"), "t.conf:2: not UTF-8");
  // A raw control character is not TOML: toml++ refuses it, at its line.
  EXPECT_EQ(ParseError("a = 1\nb = \"x\x01y\"\n").substr(0, 9), "t.conf:2:");
}

TEST(ConfigFileTest, SyntaxErrorsNameTheLine) {
  EXPECT_EQ(ParseError("\nkey 40\n").substr(0, 9), "t.conf:2:");
  EXPECT_EQ(ParseError("a = 1\na = 2\n").substr(0, 9), "t.conf:2:");  // repeated key
  const std::string bare = ParseError("mode = shop\n");
  EXPECT_EQ(bare.substr(0, 9), "t.conf:1:");
  EXPECT_NE(bare.find("double quotes"), std::string::npos) << bare;  // the likely mistake
  // A byte order mark and Windows line endings are fine.
  ConfigFile f = Parse("\xEF\xBB\xBF# c\r\nname = \"x\"\r\n");
  std::string s;
  ASSERT_TRUE(f.GetString("name", &s).ok());
  EXPECT_EQ(s, "x");
}

TEST(ConfigFileTest, AllTextReturnsEveryKeyInFileOrderWithItsLine) {
  ConfigFile f = Parse("# c\nzeta = \"Z\"\n\"a.b-c\" = \"two\\nlines\"\nalpha = \"\"\n");
  base::Result<std::vector<ConfigFile::TextEntry>> all = f.AllText(/*allow_line_breaks=*/true);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].key, "zeta");
  EXPECT_EQ((*all)[0].value, "Z");
  EXPECT_EQ((*all)[0].line, 2);
  EXPECT_EQ((*all)[1].key, "a.b-c");  // a quoted key is one key, not a table
  EXPECT_EQ((*all)[1].value, "two\nlines");
  EXPECT_EQ((*all)[1].line, 3);
  EXPECT_EQ((*all)[2].key, "alpha");
  EXPECT_EQ((*all)[2].value, "");
  EXPECT_EQ((*all)[2].line, 4);
  EXPECT_TRUE(f.Finish().ok());  // every key was read
}

TEST(ConfigFileTest, AllTextRefusesOtherValuesAndControlCharacters) {
  EXPECT_EQ(Parse("a = \"x\"\nb = 5\n").AllText(true).status().message(),
            "t.conf:2: key 'b': must be text in double quotes, got '5'");
  EXPECT_EQ(Parse("a = \"x\"\n[b]\nc = \"y\"\n").AllText(true).status().message(),
            "t.conf:2: key 'b': must be text in double quotes, got a table");
  EXPECT_EQ(Parse("a.b = \"x\"\n").AllText(true).status().message(),
            "t.conf:1: key 'a': must be text in double quotes, got a table");
  EXPECT_EQ(Parse("a = \"x\\ty\"\n").AllText(true).status().message(),
            "t.conf:1: key 'a': control character in the value");
  EXPECT_EQ(Parse("a = \"x\\ny\"\n").AllText(false).status().message(),
            "t.conf:1: key 'a': control character in the value");
  EXPECT_EQ(Parse("a = \"x\\u0000y\"\n").AllText(true).status().message(),
            "t.conf:1: key 'a': control character in the value");
}

TEST(ConfigFileTest, ErrorForAKeyTheFileDoesNotSetHasNoLine) {
  ConfigFile f = Parse("a = 1\n");
  EXPECT_EQ(f.Error("a", "why").message(), "t.conf:1: key 'a': why");
  EXPECT_EQ(f.Error("b", "why").message(), "t.conf: key 'b': why");
}

TEST(ConfigFileTest, WriterOutputReadsBack) {
  ck_config::ConfigWriter w;
  w.Comment("Two lines\nof comment");
  w.BlankLine();
  const std::string tricky = "quote \" backslash \\ hash # equals = ünïcode Қазақ";
  w.String("text", tricky);
  w.String("empty", "");
  w.Int("negative", -42);
  w.Bool("flag", true);
  EXPECT_EQ(w.text().substr(0, 29), "# Two lines\n# of comment\n\ntex");
  ConfigFile f = Parse(w.text());
  std::string text = "x", empty = "x";
  int64_t negative = 0;
  bool flag = false;
  ASSERT_TRUE(f.GetString("text", &text).ok());
  ASSERT_TRUE(f.GetString("empty", &empty).ok());
  ASSERT_TRUE(f.GetInt("negative", -100, 0, &negative).ok());
  ASSERT_TRUE(f.GetBool("flag", &flag).ok());
  EXPECT_TRUE(f.Finish().ok());
  EXPECT_EQ(text, tricky);
  EXPECT_EQ(empty, "");
  EXPECT_EQ(negative, -42);
  EXPECT_TRUE(flag);
  EXPECT_EQ(ck_config::QuoteString("Қ"), "\"Қ\"");  // UTF-8 kept readable, not \u escapes
}

TEST(ConfigFileTest, ReadConfigFileHasASizeLimit) {
  cktest::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string small = dir.File("small.conf");
  std::ofstream(small) << "a = 1\n";
  base::Result<std::string> text = ck_config::ReadConfigFile(small, 6);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, "a = 1\n");
  text = ck_config::ReadConfigFile(small, 5);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), base::StatusCode::kOutOfRange);
  EXPECT_EQ(text.status().message(), small + ": larger than the 5 bytes limit for this file");
  const std::string huge = dir.File("huge.conf");
  std::ofstream(huge) << std::string((1 << 20) + 1, '#');
  text = ck_config::ReadConfigFile(huge);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().message(), huge + ": larger than the 1 MiB limit for this file");
  text = ck_config::ReadConfigFile(dir.File("missing.conf"));
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), base::StatusCode::kNotFound);
}

}  // namespace
