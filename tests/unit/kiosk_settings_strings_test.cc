// Translations: the shipped files are complete and consistent; parsing, fallback and formatting.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "base/file.h"
#include "kiosk_settings/strings.h"
#include "subprocess.h"

namespace {

using kiosk_settings::FormatMoney;
using kiosk_settings::Strings;

const std::string kI18nDir = std::string(CK_ASSETS_DIR) + "/i18n";

// The shipped file itself, without the English fallback Load() adds.
Strings ParseShipped(std::string_view lang) {
  const std::string path = kI18nDir + "/" + std::string(lang) + ".toml";
  base::Result<std::string> text = base::ReadFile(path, 1 << 20);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  base::Result<Strings> s = Strings::Parse(text.ok() ? *text : "", path);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : Strings();
}

std::set<std::string> Keys(const Strings& s) {
  std::set<std::string> keys;
  for (const auto& [key, value] : s.all()) keys.insert(key);
  return keys;
}

std::set<std::string> Placeholders(std::string_view value) {
  std::set<std::string> names;
  for (size_t open = value.find('{'); open != std::string_view::npos;
       open = value.find('{', open + 1)) {
    const size_t close = value.find('}', open);
    if (close == std::string_view::npos) break;
    names.insert(std::string(value.substr(open + 1, close - open - 1)));
  }
  return names;
}

std::string ParseError(std::string_view text) {
  base::Result<Strings> s = Strings::Parse(text, "ru.toml");
  return s.ok() ? "<parsed>" : s.status().message();
}

TEST(StringsTest, EveryShippedLanguageLoadsComplete) {
  for (std::string_view lang : kiosk_settings::kLanguages) {
    base::Result<Strings> s = Strings::Load(kI18nDir, lang);
    ASSERT_TRUE(s.ok()) << lang << ": " << s.status().ToString();
    EXPECT_EQ(s->language(), lang);
    EXPECT_TRUE(s->Missing().empty()) << lang << " lacks " << s->Missing().front();
    EXPECT_TRUE(s->Has("language.name")) << lang;
  }
}

TEST(StringsTest, TranslationsHaveTheSameKeysAndPlaceholdersAsEnglish) {
  const Strings en = ParseShipped("en");
  ASSERT_GT(en.all().size(), 100u);
  for (std::string_view lang : {"ru", "kk"}) {
    const Strings tr = ParseShipped(lang);
    EXPECT_EQ(Keys(tr), Keys(en)) << lang;
    for (const auto& [key, value] : en.all()) {
      ASSERT_TRUE(tr.Has(key)) << lang << " " << key;
      EXPECT_EQ(Placeholders(tr.Get(key)), Placeholders(value)) << lang << " " << key;
    }
  }
}

TEST(StringsTest, NoEmptyOrUntranslatedValues) {
  const Strings en = ParseShipped("en");
  // Values that read the same in every language.
  const std::set<std::string> same = {"result.member", "money", "button.ok"};
  for (std::string_view lang : kiosk_settings::kLanguages) {
    const Strings tr = ParseShipped(lang);
    for (const auto& [key, value] : tr.all()) {
      EXPECT_FALSE(value.empty()) << lang << " " << key;
      if (lang != "en" && !same.contains(key)) {
        EXPECT_NE(value, en.Get(key)) << lang << " " << key << " is not translated";
      }
    }
  }
}

TEST(StringsTest, KazakhUsesKazakhLetters) {
  const Strings kk = ParseShipped("kk");
  int with_kazakh_letters = 0;
  for (const auto& [key, value] : kk.all()) {
    for (std::string_view letter :
         {"ә", "ғ", "қ", "ң", "ө", "ұ", "ү", "һ", "і", "Ә", "Қ", "Ө", "Ұ"}) {
      if (value.find(letter) != std::string::npos) {
        ++with_kazakh_letters;
        break;
      }
    }
  }
  EXPECT_GT(with_kazakh_letters, 60);
  EXPECT_EQ(kk.Get("language.name"), "Қазақша");
  EXPECT_EQ(ParseShipped("ru").Get("language.name"), "Русский");
}

// The number format is the language's; the currency sign is the deployment's (config `currency`),
// so Kazakh text can show roubles and Russian text tenge.
TEST(StringsTest, MoneyShowsTheConfiguredCurrency) {
  for (std::string_view lang : kiosk_settings::kLanguages) {
    base::Result<Strings> s = Strings::Load(kI18nDir, lang);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->Format("money", {{"amount", FormatMoney(125000, lang)}, {"currency", "₽"}}),
              lang == "en" ? "1,250.00 ₽" : "1 250,00 ₽");
    EXPECT_EQ(s->Format("money", {{"amount", FormatMoney(125000, lang)}, {"currency", "₸"}}),
              lang == "en" ? "1,250.00 ₸" : "1 250,00 ₸");
  }
}

TEST(StringsTest, ATypedAmountIsShownInTheMoneyFormat) {
  using kiosk_settings::FormatTypedAmount;
  EXPECT_EQ(FormatTypedAmount("", "ru"), "0");
  EXPECT_EQ(FormatTypedAmount("1250", "ru"), "1 250");
  EXPECT_EQ(FormatTypedAmount("1250", "kk"), "1 250");
  EXPECT_EQ(FormatTypedAmount("1250", "en"), "1,250");
  EXPECT_EQ(FormatTypedAmount("1250,5", "ru"), "1 250,5");
  EXPECT_EQ(FormatTypedAmount("1250,5", "en"), "1,250.5");
  EXPECT_EQ(FormatTypedAmount("0,", "ru"), "0,");
  EXPECT_EQ(FormatTypedAmount("999", "ru"), "999");
  EXPECT_EQ(FormatTypedAmount("1234567,89", "ru"), "1 234 567,89");
  EXPECT_EQ(FormatTypedAmount("12a", "ru"), "12a");  // not an amount: as it is
}

TEST(StringsTest, MissingKeysFallBackToEnglishAndAreListed) {
  cktest::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string& tmpl = dir.path();
  std::ofstream(tmpl + "/en.toml") << "a = \"Apple\"\nb = \"Bread\"\nc = \"Cheese\"\n";
  std::ofstream(tmpl + "/ru.toml") << "a = \"Яблоко\"\nextra = \"Лишний\"\n";
  base::Result<Strings> ru = Strings::Load(tmpl, "ru");
  ASSERT_TRUE(ru.ok()) << ru.status().ToString();
  EXPECT_EQ(ru->Get("a"), "Яблоко");
  EXPECT_EQ(ru->Get("b"), "Bread");
  EXPECT_EQ(ru->Get("extra"), "Лишний");
  EXPECT_EQ(ru->Missing(), (std::vector<std::string>{"b", "c"}));

  base::Result<Strings> kk = Strings::Load(tmpl, "kk");  // no kk.toml
  ASSERT_FALSE(kk.ok());
  EXPECT_EQ(kk.status().code(), base::StatusCode::kNotFound);
  EXPECT_NE(kk.status().message().find(tmpl + "/kk.toml"), std::string::npos);

  base::Result<Strings> de = Strings::Load(tmpl, "de");
  ASSERT_FALSE(de.ok());
  EXPECT_EQ(de.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(de.status().message().find("unknown language 'de'"), std::string::npos);
}

TEST(StringsTest, ParseErrorsNameFileAndLine) {
  // TOML errors (toml++'s own words) name the line: a key defined twice, a line that is not TOML,
  // a value in the syntax before TOML (unquoted).
  EXPECT_EQ(ParseError("a = \"1\"\n# c\nb = \"2\"\na = \"3\"\n").substr(0, 10), "ru.toml:4:");
  EXPECT_EQ(ParseError("a = \"1\"\nnot a pair\n").substr(0, 10), "ru.toml:2:");
  EXPECT_EQ(ParseError("a = \"1\"\n\"b.c\" = Текст\n").substr(0, 10), "ru.toml:2:");
  EXPECT_EQ(ParseError("a = \"1\"\nb = \"\xD0\"\n"), "ru.toml:2: not UTF-8");
  EXPECT_EQ(ParseError("a = \"\xC0\xAF\"\n"), "ru.toml:1: not UTF-8");  // overlong '/'
  EXPECT_EQ(ParseError("a = \"1\"\nb = 2\n"),
            "ru.toml:2: key 'b': must be text in double quotes, got '2'");
  EXPECT_EQ(ParseError("a = \"1\"\nb.c = \"2\"\n"),
            "ru.toml:2: key 'b': must be text in double quotes, got a table");
  EXPECT_EQ(ParseError("a = \"x\\ty\"\n"), "ru.toml:1: key 'a': control character in the value");
}

TEST(StringsTest, ValuesAndLookups) {
  base::Result<Strings> s = Strings::Parse(
      "title = \"Two\\nlines\"\nspaced = \"  kept  \"\n\"braces.x-y\" = \"{a} and {b}\"\n",
      "dir/en.toml");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->language(), "en");
  EXPECT_EQ(s->Get("title"), "Two\nlines");
  EXPECT_EQ(s->Get("spaced"), "  kept  ");
  EXPECT_EQ(s->Get("braces.x-y"), "{a} and {b}");
  EXPECT_TRUE(s->Has("title"));
  EXPECT_FALSE(s->Has("nope"));
  EXPECT_EQ(s->Get("nope"), "[nope]");
  EXPECT_EQ(s->Format("nope", {{"a", "1"}}), "[nope]");
}

TEST(StringsTest, FormatReplacesGivenPlaceholdersOnly) {
  base::Result<Strings> s = Strings::Parse(
      "greet = \"Welcome, {name}!\"\n"
      "two = \"{a} of {b}, {a} again\"\n"
      "open = \"{a} and {unclosed\"\n"
      "none = \"Plain text\"\n",
      "en.toml");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->Format("greet", {{"name", "Aigerim"}}), "Welcome, Aigerim!");
  EXPECT_EQ(s->Format("greet", {}), "Welcome, {name}!");  // a missing argument stays visible
  EXPECT_EQ(s->Format("two", {{"a", "1"}, {"b", "2"}, {"unused", "x"}}), "1 of 2, 1 again");
  EXPECT_EQ(s->Format("two", {{"b", "2"}}), "{a} of 2, {a} again");
  EXPECT_EQ(s->Format("open", {{"a", "1"}}), "1 and {unclosed");
  EXPECT_EQ(s->Format("none", {{"a", "1"}}), "Plain text");
  // A member's name that looks like a placeholder is shown as it is, not expanded.
  EXPECT_EQ(s->Format("two", {{"a", "{b}"}, {"b", "2"}}), "{b} of 2, {b} again");
}

TEST(StringsTest, FormatMoney) {
  struct Case {
    int64_t minor;
    const char* ru;
    const char* en;
  };
  for (const Case& c : {
           Case{0, "0,00", "0.00"},
           Case{5, "0,05", "0.05"},
           Case{99, "0,99", "0.99"},
           Case{100, "1,00", "1.00"},
           Case{99999, "999,99", "999.99"},
           Case{100000, "1 000,00", "1,000.00"},
           Case{125000, "1 250,00", "1,250.00"},
           Case{123456789, "1 234 567,89", "1,234,567.89"},
           Case{-125050, "-1 250,50", "-1,250.50"},
           Case{-1, "-0,01", "-0.01"},
           Case{INT64_MAX, "92 233 720 368 547 758,07", "92,233,720,368,547,758.07"},
           Case{INT64_MIN, "-92 233 720 368 547 758,08", "-92,233,720,368,547,758.08"},
       }) {
    EXPECT_EQ(FormatMoney(c.minor, "ru"), c.ru) << c.minor;
    EXPECT_EQ(FormatMoney(c.minor, "kk"), c.ru) << c.minor;
    EXPECT_EQ(FormatMoney(c.minor, "en"), c.en) << c.minor;
  }
}

}  // namespace
