// `kiosk --headless` against its documented protocol (docs/kiosk-protocol.md): the real binary
// (CK_KIOSK_PATH) on a data directory built by kiosk_fixture, fed JSON lines on stdin, with
// --fake-clock so that time moves only when the test says so.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "base/time_format.h"
#include "kiosk_fixture.h"
#include "subprocess.h"

namespace {

using nlohmann::json;

constexpr char kMember[] = "M-1001";
constexpr char kSuspended[] = "M-1002";

class KioskHeadlessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kiosktest::RegistrySpec spec;
    spec.members = {{kMember}, {kSuspended, card::MemberState::kSuspended}};
    spec.partners = {kiosktest::MakePartner()};
    spec.offers = {kiosktest::PercentOffer("O-10", 1000)};
    spec.events = {
        kiosktest::MakeEvent(kiosktest::kEvent, kiosktest::kNow - 3600, kiosktest::kNow + 3600)};
    ASSERT_TRUE(fx_.WriteRegistry(spec));
  }

  std::vector<std::string> ShopArgs(int64_t now = kiosktest::kNow) const {
    return {"--headless",
            "--data-dir",
            fx_.data_dir(),
            "--mode",
            "shop",
            "--partner",
            kiosktest::kPartner,
            "--fake-clock",
            base::FormatIso8601Utc(now)};
  }

  // Runs the kiosk with `commands` (one JSON line each) and parses every output line.
  std::vector<json> Run(const std::vector<std::string>& args,
                        const std::vector<std::string>& commands, int expected_exit = 0) {
    std::string input;
    for (const std::string& c : commands) input += c + "\n";
    cktest::ProcessResult r = cktest::RunProcess(CK_KIOSK_PATH, args, {.stdin_text = input});
    EXPECT_EQ(r.exit_code, expected_exit) << r.Describe();
    std::vector<json> out;
    std::istringstream lines(r.out);
    std::string line;
    while (std::getline(lines, line)) {
      json j = json::parse(line, nullptr, false);
      EXPECT_TRUE(j.is_object()) << "not a JSON object: " << line;
      EXPECT_TRUE(j.contains("state")) << "no state: " << line;
      out.push_back(std::move(j));
    }
    return out;
  }

  static std::string Scan(const std::string& text) {
    return json{{"cmd", "scan"}, {"text", text}}.dump();
  }
  static std::string Amount(int64_t minor) {
    return json{{"cmd", "amount"}, {"minor", minor}}.dump();
  }

  // Sends each of `bad` followed by a status line, then a scan: each bad line must get exactly
  // one answer, an error `expected_error` on the idle screen, and the status after it a screen
  // without error; the scan at the end is served and journalled.
  void ExpectEachRefused(const std::vector<std::string>& bad, const std::string& expected_error) {
    std::vector<std::string> commands;
    for (const std::string& line : bad) {
      commands.push_back(line);
      commands.push_back(R"({"cmd":"status"})");
    }
    commands.push_back(Scan(fx_.Card({.member_id = kSuspended})));
    std::vector<json> out = Run(ShopArgs(), commands);
    ASSERT_EQ(out.size(), 1 + 2 * bad.size() + 1) << expected_error;
    for (size_t i = 0; i < bad.size(); ++i) {
      const json& answer = out[1 + 2 * i];
      const json& status = out[2 + 2 * i];
      ASSERT_TRUE(answer.contains("error")) << i << ": " << answer.dump();
      EXPECT_EQ(answer["error"], expected_error) << i << ": " << answer.dump();
      EXPECT_EQ(answer["state"], "idle") << i;
      EXPECT_FALSE(status.contains("error")) << i << ": " << status.dump();
      EXPECT_EQ(status["state"], "idle") << i;
    }
    EXPECT_EQ(out.back()["state"], "result");
    EXPECT_EQ(out.back()["decision"], "SUSPENDED");
    EXPECT_FALSE(out.back().contains("error"));
    // Only the scans at the end of each run are journalled.
    EXPECT_EQ(fx_.ReadJournal().size(), ++journalled_scans_);
  }

  kiosktest::KioskFixture fx_;
  size_t journalled_scans_ = 0;  // by ExpectEachRefused in this test
};

TEST_F(KioskHeadlessTest, FirstLineIsTheIdleScreen) {
  std::vector<json> out = Run(ShopArgs(), {});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]["state"], "idle");
  EXPECT_EQ(out[0]["registry_seq"], 1);
  EXPECT_FALSE(out[0].contains("error"));
}

TEST_F(KioskHeadlessTest, ShopFlowGivesAResultOnceDurable) {
  std::vector<json> out = Run(
      ShopArgs(), {Scan(fx_.Card({.member_id = kMember})), Amount(125000), R"({"cmd":"confirm"})"});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[1]["state"], "amount");
  EXPECT_EQ(out[1]["verdict"], "VALID");
  EXPECT_EQ(out[1]["number"], "******2345");
  EXPECT_FALSE(out[1].contains("entry_uuid"));
  EXPECT_EQ(out[2]["state"], "confirm");
  EXPECT_EQ(out[2]["discount_minor"], 12500);
  EXPECT_EQ(out[2]["total_minor"], 112500);
  EXPECT_EQ(out[2]["offer_id"], "O-10");
  EXPECT_FALSE(out[2].contains("entry_uuid"));  // nothing recorded yet
  const json& result = out[3];
  EXPECT_EQ(result["state"], "result");
  EXPECT_EQ(result["verdict"], "VALID");
  EXPECT_EQ(result["decision"], "accepted");
  EXPECT_EQ(result["purchase_minor"], 125000);
  EXPECT_EQ(result["discount_minor"], 12500);
  EXPECT_EQ(result["total_minor"], 112500);
  ASSERT_TRUE(result.contains("entry_uuid"));
  EXPECT_EQ(result["entry_seq"], 1);

  std::vector<journal::Entry> entries = fx_.ReadJournal();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].uuid, result["entry_uuid"]);
  EXPECT_EQ(entries[0].kind, journal::Kind::kDiscount);
  EXPECT_EQ(entries[0].decision, "accepted");
  EXPECT_EQ(entries[0].partner_id, kiosktest::kPartner);
  EXPECT_EQ(entries[0].offer_id, "O-10");
  EXPECT_EQ(entries[0].purchase_minor, 125000);
  EXPECT_EQ(entries[0].discount_minor, 12500);
  EXPECT_EQ(entries[0].rid, fx_.RidOf(kMember));
  EXPECT_EQ(entries[0].time_utc, kiosktest::kNow);
  EXPECT_EQ(entries[0].bundle_seq, 1);
}

// A cashback offer: the confirm and result lines carry cashback_minor, the total is the full price,
// and the journal entry holds the cashback with no discount. Lines about a discount carry none.
TEST_F(KioskHeadlessTest, ACashbackOfferIsOnTheConfirmAndResultLinesAndInTheJournal) {
  kiosktest::KioskFixture cb;
  kiosktest::RegistrySpec spec;
  spec.members = {{kMember}};
  spec.partners = {kiosktest::MakePartner()};
  spec.offers = {kiosktest::CashbackOffer("C-10", 1000)};
  ASSERT_TRUE(cb.WriteRegistry(spec));
  std::vector<std::string> args = ShopArgs();
  args[2] = cb.data_dir();
  std::vector<json> out =
      Run(args, {Scan(cb.Card({.member_id = kMember})), Amount(125000), R"({"cmd":"confirm"})"});
  ASSERT_EQ(out.size(), 4u);
  for (const json* line : {&out[2], &out[3]}) {
    EXPECT_EQ((*line)["cashback_minor"], 12500) << line->dump();
    EXPECT_EQ((*line)["discount_minor"], 0) << line->dump();
    EXPECT_EQ((*line)["total_minor"], 125000) << line->dump();
    EXPECT_EQ((*line)["offer_id"], "C-10") << line->dump();
  }
  EXPECT_EQ(out[2]["state"], "confirm");
  EXPECT_EQ(out[3]["state"], "result");
  EXPECT_EQ(out[3]["decision"], "accepted");
  std::vector<journal::Entry> entries = cb.ReadJournal();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].uuid, out[3]["entry_uuid"]);
  EXPECT_EQ(entries[0].cashback_minor, 12500);
  EXPECT_EQ(entries[0].discount_minor, 0);
  EXPECT_EQ(entries[0].purchase_minor, 125000);

  std::vector<json> discount = Run(
      ShopArgs(), {Scan(fx_.Card({.member_id = kMember})), Amount(125000), R"({"cmd":"confirm"})"});
  ASSERT_EQ(discount.size(), 4u);
  EXPECT_FALSE(discount[3].contains("cashback_minor")) << discount[3].dump();
}

TEST_F(KioskHeadlessTest, CancelRecordsNothing) {
  std::vector<json> out = Run(
      ShopArgs(), {Scan(fx_.Card({.member_id = kMember})), Amount(1000), R"({"cmd":"cancel"})"});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[3]["state"], "idle");
  EXPECT_TRUE(fx_.ReadJournal().empty());
}

TEST_F(KioskHeadlessTest, RejectedScanIsAJournalledResult) {
  std::vector<json> out = Run(ShopArgs(), {Scan(fx_.Card({.member_id = kSuspended}))});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1]["state"], "result");
  EXPECT_EQ(out[1]["verdict"], "SUSPENDED");
  EXPECT_EQ(out[1]["decision"], "SUSPENDED");
  EXPECT_TRUE(out[1].contains("discount_minor"));
  EXPECT_TRUE(out[1].contains("total_minor"));
  ASSERT_TRUE(out[1].contains("entry_uuid"));
  std::vector<journal::Entry> entries = fx_.ReadJournal();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].uuid, out[1]["entry_uuid"]);
  EXPECT_EQ(entries[0].kind, journal::Kind::kRejected);
}

// An admin card opens no admin menu here: a clear refusal, journalled like a rejected scan.
TEST_F(KioskHeadlessTest, AnAdminCardIsRefusedWithoutAnAdminMenu) {
  const card::PrivateKey admin = card::PrivateKey::Generate(card::Alg::kEdDSA).value();
  registry::RegistryContents c = fx_.Contents({.members = {{kMember}},
                                               .partners = {kiosktest::MakePartner()},
                                               .offers = {kiosktest::PercentOffer("O-10", 1000)}});
  const card::PublicKey pub = admin.Public().value();
  c.admin_keys = {{.kid = pub.kid(), .key = pub}};
  ASSERT_TRUE(fx_.WriteRegistryContents(c));
  card::Claims claims{.iat = kiosktest::kNow - 60,
                      .exp = kiosktest::kNow + kiosktest::kDay,
                      .admin = card::AdminCard{.id = {9, 9, 9, 9, 9, 9, 9, 9}, .name = "Irina"}};
  const std::string text =
      card::CardIssuer::Create(card::PrivateKey::FromPem(admin.ToPem().value()).value())
          ->Issue(claims)
          .value();
  std::vector<json> out = Run(ShopArgs(), {Scan(text)});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1]["state"], "result");
  EXPECT_EQ(out[1]["verdict"], "VALID");
  EXPECT_EQ(out[1]["decision"], "ADMIN_CARD_NOT_HERE");
  EXPECT_EQ(out[1]["admin_card"], true);
  EXPECT_NE(out[1].value("message", "").find("no admin menu"), std::string::npos) << out[1];
  std::vector<journal::Entry> entries = fx_.ReadJournal();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].kind, journal::Kind::kRejected);
  EXPECT_EQ(entries[0].actor, "admin-card:0909090909090909");
}

TEST_F(KioskHeadlessTest, BadLinesGetAnErrorAndTheKioskKeepsServing) {
  const std::vector<std::string> bad = {"not json",
                                        "[1,2]",
                                        R"({"cmd":42})",
                                        R"({"text":"x"})",
                                        R"({"cmd":"fly"})",
                                        R"({"cmd":"amount"})",
                                        R"({"cmd":"amount","minor":"12"})",
                                        R"({"cmd":"advance"})",
                                        "{\"cmd\":\"scan\",\"text\":\"\xff\xfe\"}"};
  std::vector<std::string> commands = bad;
  commands.push_back(R"({"cmd":"status"})");
  commands.push_back(Scan(fx_.Card({.member_id = kSuspended})));
  std::vector<json> out = Run(ShopArgs(), commands);
  ASSERT_EQ(out.size(), 1 + bad.size() + 2);
  for (size_t i = 1; i <= bad.size(); ++i) {
    ASSERT_TRUE(out[i].contains("error")) << bad[i - 1] << " -> " << out[i].dump();
    EXPECT_EQ(out[i]["error"].get<std::string>().rfind("BAD_COMMAND", 0), 0u) << out[i].dump();
    EXPECT_EQ(out[i]["state"], "idle");
  }
  EXPECT_FALSE(out[bad.size() + 1].contains("error"));
  EXPECT_EQ(out[bad.size() + 1]["state"], "idle");
  EXPECT_FALSE(out[bad.size() + 2].contains("error"));
  EXPECT_EQ(out[bad.size() + 2]["state"], "result");
  EXPECT_EQ(out[bad.size() + 2]["decision"], "SUSPENDED");
}

// A POS waiting for one line must never block: an empty line is answered, not skipped.
TEST_F(KioskHeadlessTest, EmptyAndBlankLinesGetAnError) {
  ExpectEachRefused({"", " ", "\t", "\r", " \t \r", "   "}, "BAD_COMMAND: empty line");
}

// nlohmann::json keeps the last of repeated keys: the kiosk refuses the whole line instead, so
// {"cmd":"status","cmd":"quit"} neither quits nor reports.
TEST_F(KioskHeadlessTest, RepeatedKeyIsRefusedAndNothingOfItIsDone) {
  ExpectEachRefused({R"({"cmd":"status","cmd":"quit"})", R"({"cmd":"quit","x":1,"cmd":"status"})",
                     R"({"cmd":"status","c\u006dd":"quit"})"},  // the same key, escaped
                    "BAD_COMMAND: repeated key \"cmd\"");
  // nlohmann would scan the valid card given last; nothing is journalled but the final scan.
  const std::string card = json(fx_.Card({.member_id = kSuspended})).dump();
  ExpectEachRefused({R"({"cmd":"scan","text":"junk","text":)" + card + "}",
                     R"({"cmd":"scan","text":"x","text":"y"})"},
                    "BAD_COMMAND: repeated key \"text\"");
  ExpectEachRefused({R"({"cmd":"status","o":{"a":1,"b":{"c":2},"a":3}})",
                     R"({"cmd":"status","l":[1,{"k":{"a":1,"a":1}}]})"},
                    "BAD_COMMAND: repeated key \"a\"");
}

// The same key in different objects, or at different depths, is not a repeat.
TEST_F(KioskHeadlessTest, SameKeyInAnotherObjectIsNotARepeat) {
  std::vector<json> out = Run(ShopArgs(), {R"({"cmd":"status","o":{"cmd":"quit"}})",
                                           R"({"cmd":"status","l":[{"k":1},{"k":2}]})"});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_FALSE(out[1].contains("error")) << out[1].dump();
  EXPECT_FALSE(out[2].contains("error")) << out[2].dump();
}

// Lines are at most 16384 bytes before the newline (docs/kiosk-protocol.md). A longer one gets
// one error however long it is, and the next line is read from where it ends.
TEST_F(KioskHeadlessTest, LineOverTheSizeLimitGetsOneError) {
  constexpr size_t kLimit = 16384;
  auto padded = [](size_t size) {
    std::string line = R"({"cmd":"status","pad":""})";
    line.insert(line.size() - 2, size - line.size(), 'p');
    return line;
  };
  ASSERT_EQ(padded(kLimit).size(), kLimit);
  std::vector<json> out = Run(ShopArgs(), {padded(kLimit), " " + padded(kLimit) + "\r"});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_FALSE(out[1].contains("error")) << "a line of exactly the limit is served";
  EXPECT_TRUE(out[2].contains("error"));
  ExpectEachRefused({padded(kLimit + 1), padded(4 << 20), std::string(kLimit + 1, ' ')},
                    "BAD_COMMAND: line longer than 16384 bytes");
}

TEST_F(KioskHeadlessTest, NulByteInTheLineGetsAnError) {
  using namespace std::string_literals;
  ExpectEachRefused({"\0"s, "{\"cmd\":\"status\"}\0"s, "\0{\"cmd\":\"status\"}"s,
                     "{\"cmd\":\"scan\",\"text\":\"UC1:\0junk\"}"s, "{\"cmd\":\"status\"\0}"s},
                    "BAD_COMMAND: NUL byte in the line");
}

TEST_F(KioskHeadlessTest, InvalidUtf8GetsAnError) {
  ExpectEachRefused({"{\"cmd\":\"scan\",\"text\":\"\xc0\x80\"}",          // overlong NUL
                     "{\"cmd\":\"scan\",\"text\":\"\xed\xa0\x80\"}",      // encoded surrogate
                     "{\"cmd\":\"scan\",\"text\":\"\xe2\x82\"}",          // truncated sequence
                     "{\"cmd\":\"scan\",\"text\":\"caf\xe9\"}",           // Latin-1
                     "{\"cmd\":\"scan\",\"text\":\"\xf4\x90\x80\x80\"}",  // above U+10FFFF
                     "{\"cmd\":\"status\",\"\xff\":1}",                   // in a key
                     R"({"cmd":"scan","text":"\ud800"})",                 // lone escaped surrogate
                     "not json", "{\"cmd\":\"status\"", "{\"cmd\":\"status\"} {}"},
                    "BAD_COMMAND: not JSON in UTF-8");
}

TEST_F(KioskHeadlessTest, JsonValueThatIsNotAnObjectGetsAnError) {
  ExpectEachRefused({R"("status")", "42", "null", "true", "[]", R"([{"cmd":"status"}])",
                     std::string(8000, '[') + std::string(8000, ']'), R"({})", R"({"cmd":null})"},
                    "BAD_COMMAND: expected a JSON object with \"cmd\"");
}

// Line endings a POS may send: CR LF, a UTF-8 byte-order mark first, no LF after the last line.
TEST_F(KioskHeadlessTest, CrLfByteOrderMarkAndAnUnendedLastLineAreServed) {
  std::vector<json> out =
      Run(ShopArgs(), {"{\"cmd\":\"status\"}\r", "\xef\xbb\xbf{\"cmd\":\"status\"}"});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_FALSE(out[1].contains("error")) << out[1].dump();
  EXPECT_FALSE(out[2].contains("error")) << out[2].dump();
  cktest::ProcessResult r =
      cktest::RunProcess(CK_KIOSK_PATH, ShopArgs(), {.stdin_text = "\n{\"cmd\":\"tick\"}"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  std::istringstream lines(r.out);
  std::vector<std::string> got;
  for (std::string line; std::getline(lines, line);) got.push_back(line);
  ASSERT_EQ(got.size(), 3u) << r.out;
  EXPECT_NE(got[1].find("BAD_COMMAND: empty line"), std::string::npos) << got[1];
  EXPECT_EQ(got[2].find("error"), std::string::npos) << got[2];
}

// Without --fake-clock there is no clock to move: "advance" is an unknown command.
TEST_F(KioskHeadlessTest, AdvanceNeedsTheFakeClock) {
  std::vector<json> out = Run({"--headless", "--data-dir", fx_.data_dir(), "--mode", "shop",
                               "--partner", kiosktest::kPartner},
                              {R"({"cmd":"advance","seconds":5})", R"({"cmd":"status"})"});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_TRUE(out[1].contains("error"));
  EXPECT_FALSE(out[2].contains("error"));
}

TEST_F(KioskHeadlessTest, QuitIsAnsweredThenStopsReading) {
  // The start-up screen, the one answer to "quit", and nothing for the line after it.
  std::vector<json> out = Run(ShopArgs(), {R"({"cmd":"quit"})", R"({"cmd":"status"})"});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1]["state"], "idle");
  EXPECT_FALSE(out[1].contains("error"));
}

TEST_F(KioskHeadlessTest, UsageErrorsExit2) {
  const std::string dir = fx_.data_dir();
  const std::vector<std::vector<std::string>> cases = {
      {"--headless", "--mode", "shop", "--partner", "P-1"},  // no --data-dir
      {"--headless", "--data-dir", dir, "--mode", "bazaar", "--partner", "P-1"},
      {"--headless", "--data-dir", dir},                            // no --mode
      {"--headless", "--data-dir", dir, "--mode", "shop"},          // shop without --partner
      {"--headless", "--data-dir", dir, "--mode", "event"},         // event without --event
      {"--data-dir", dir, "--mode", "bazaar", "--partner", "P-1"},  // the app: a bad mode too
      {"--headless", "--data-dir", dir, "--mode", "shop", "--partner", "P-1", "--fake-clock",
       "yesterday"},
      {"--headless", "--data-dir", dir, "--mode", "shop", "--partner", "P-1", "--utc-offset",
       "east"},
      {"--headless", "--data-dir", dir, "--mode", "shop", "--partner", "P-1", "--frobnicate"},
      {"--headless", "--data-dir"},  // a value missing
  };
  for (const std::vector<std::string>& args : cases) {
    cktest::ProcessResult r = cktest::RunProcess(CK_KIOSK_PATH, args, {.stdin_text = ""});
    std::string joined;
    for (const std::string& a : args) joined += a + " ";
    EXPECT_EQ(r.exit_code, 2) << joined << r.Describe();
    EXPECT_NE(r.err.find("usage:"), std::string::npos) << joined << r.err;
    EXPECT_TRUE(r.out.empty()) << joined << r.out;
  }
}

TEST_F(KioskHeadlessTest, AdvanceClosesTheResultScreen) {
  std::vector<json> out =
      Run(ShopArgs(), {Scan(fx_.Card({.member_id = kSuspended})), R"({"cmd":"tick"})",
                       R"({"cmd":"advance","seconds":3})", R"({"cmd":"advance","seconds":1})",
                       R"({"cmd":"tick"})"});
  ASSERT_EQ(out.size(), 6u);
  EXPECT_EQ(out[1]["state"], "result");
  EXPECT_EQ(out[2]["state"], "result");  // no time passed
  EXPECT_EQ(out[3]["state"], "result");  // 3 s of 4
  EXPECT_EQ(out[4]["state"], "idle");    // 4 s: closed
  EXPECT_FALSE(out[4].contains("decision"));
  EXPECT_EQ(out[5]["state"], "idle");
}

TEST_F(KioskHeadlessTest, EventModeCountsAndRemembers) {
  const std::string card = fx_.Card({.member_id = kMember});
  std::vector<std::string> args = {
      "--headless",      "--data-dir",   fx_.data_dir(),
      "--mode",          "event",        "--event",
      kiosktest::kEvent, "--fake-clock", base::FormatIso8601Utc(kiosktest::kNow)};
  std::vector<json> out = Run(args, {Scan(card), R"({"cmd":"advance","seconds":60})", Scan(card)});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[1]["state"], "result");
  EXPECT_EQ(out[1]["decision"], "accepted");
  EXPECT_EQ(out[1]["attendance"], 1);
  EXPECT_EQ(out[1]["entry_number"], 1);
  EXPECT_TRUE(out[1].contains("entry_uuid"));
  EXPECT_EQ(out[3]["decision"], "ALREADY_CHECKED_IN");
  EXPECT_EQ(out[3]["first_entry"], kiosktest::kNow);
  EXPECT_TRUE(out[3].contains("entry_uuid"));  // a refused check-in is journalled too
  EXPECT_EQ(fx_.ReadJournal().size(), 2u);
}

TEST_F(KioskHeadlessTest, NoRegistryStartsAndRefusesEveryScan) {
  kiosktest::TempDir empty;
  std::vector<std::string> args = {
      "--headless", "--data-dir",   empty.File("d"),
      "--mode",     "shop",         "--partner",
      "P-1",        "--fake-clock", base::FormatIso8601Utc(kiosktest::kNow)};
  std::vector<json> out = Run(args, {Scan(fx_.Card())});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1]["decision"], "NO_REGISTRY");
  EXPECT_FALSE(out[1].contains("entry_uuid"));  // a device error is not journalled
}

// The journal's last entry is a clock floor: a kiosk restarted with its clock set back refuses
// to record anything earlier.
TEST_F(KioskHeadlessTest, ClockBehindTheJournalIsRefused) {
  std::vector<json> out = Run(ShopArgs(), {Scan(fx_.Card({.member_id = kSuspended}))});
  ASSERT_EQ(out.size(), 2u);
  ASSERT_TRUE(out[1].contains("entry_uuid"));
  out = Run(ShopArgs(kiosktest::kNow - 60), {Scan(fx_.Card({.member_id = kSuspended}))});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1]["decision"], "CLOCK_BEHIND");
  EXPECT_FALSE(out[1].contains("entry_uuid"));
  EXPECT_EQ(fx_.ReadJournal().size(), 1u);
}

}  // namespace

// --- corrections: void, recent, undo, manual_count ------------------------------------------

TEST_F(KioskHeadlessTest, VoidAsksForAConfirmThenRecordsAVoidEntry) {
  std::vector<json> out = Run(ShopArgs(), {Scan(fx_.Card({.member_id = kMember})), Amount(100'000),
                                           R"({"cmd":"confirm"})"});
  ASSERT_EQ(out.size(), 4u);
  ASSERT_EQ(out[3]["decision"], "accepted");
  EXPECT_EQ(out[3]["voidable"], true);
  const std::string uuid = out[3]["entry_uuid"];
  const std::string void_line = json{{"cmd", "void"}, {"entry_uuid", uuid}}.dump();
  out = Run(ShopArgs(kiosktest::kNow + 60),
            {void_line, R"({"cmd":"confirm"})", void_line, R"({"cmd":"recent"})"});
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[1]["state"], "void_confirm");
  EXPECT_EQ(out[1]["void_uuid"], uuid);
  EXPECT_EQ(out[1]["void_kind"], "discount");
  EXPECT_EQ(out[1]["discount_minor"], 10'000);
  EXPECT_EQ(out[1]["actor"], "cashier");
  EXPECT_FALSE(out[1].contains("error"));
  EXPECT_EQ(out[2]["state"], "result");
  EXPECT_EQ(out[2]["decision"], "VOIDED");
  EXPECT_EQ(out[2]["entry_seq"], 2);
  EXPECT_EQ(out[3]["decision"], "VOID_ALREADY");  // twice: refused with the reason
  EXPECT_EQ(out[3]["error"], "VOID_ALREADY: entry 1 was already voided (entry 2, by cashier)");
  ASSERT_EQ(out[4]["recent"].size(), 1u);  // the void is not a transaction of its own
  const json& r = out[4]["recent"][0];
  EXPECT_EQ(r["uuid"], uuid);
  EXPECT_EQ(r["status"], "voided");
  EXPECT_EQ(r["voided_by"], "cashier");
  EXPECT_EQ(r["discount_minor"], 10'000);
  EXPECT_EQ(r["void"], "no");
  const std::vector<journal::Entry> entries = fx_.ReadJournal();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].kind, journal::Kind::kVoid);
  EXPECT_EQ(entries[1].ref_uuid, uuid);
}

TEST_F(KioskHeadlessTest, VoidRefusalsAndBadVoidCommandsSayWhy) {
  std::vector<json> out = Run(ShopArgs(), {Scan(fx_.Card({.member_id = kMember})), Amount(100'000),
                                           R"({"cmd":"confirm"})"});
  ASSERT_EQ(out.size(), 4u);
  const std::string uuid = out[3]["entry_uuid"];
  out = Run(ShopArgs(kiosktest::kNow + 16 * 60),
            {json{{"cmd", "void"}, {"entry_uuid", uuid}}.dump(),
             R"({"cmd":"void","entry_uuid":"00000000-0000-4000-8000-000000000000"})",
             R"({"cmd":"void"})", R"({"cmd":"void","entry_uuid":7})", R"({"cmd":"undo"})",
             Scan(fx_.Card({.member_id = kMember})),
             json{{"cmd", "void"}, {"entry_uuid", uuid}}.dump(), R"({"cmd":"recent","limit":0})"});
  ASSERT_EQ(out.size(), 9u);
  EXPECT_EQ(out[1]["decision"], "VOID_TOO_LATE");
  EXPECT_EQ(out[1]["error"],
            "VOID_TOO_LATE: entry 1 is older than 15 min: only the admin can void it (admin menu)");
  EXPECT_EQ(out[2]["decision"], "VOID_UNKNOWN_ENTRY");
  EXPECT_EQ(out[3]["error"],
            "BAD_COMMAND: void needs \"entry_uuid\" (a string: the entry_uuid of a result)");
  EXPECT_EQ(out[4]["error"], out[3]["error"]);
  EXPECT_EQ(out[5]["error"], "BAD_COMMAND: undo is for an event desk (--mode event)");
  EXPECT_EQ(out[6]["state"], "amount");
  EXPECT_EQ(out[7]["error"], "BUSY: a customer is being served: confirm or cancel first");
  EXPECT_EQ(out[7]["state"], "amount");  // the customer is still served
  EXPECT_EQ(out[8]["error"], "BAD_COMMAND: limit must be a whole number 1..100");
  EXPECT_EQ(fx_.ReadJournal().size(), 1u);
}

TEST_F(KioskHeadlessTest, TheDoorUndoesAndCountsPeopleWithoutACard) {
  std::vector<std::string> args = {
      "--headless",      "--data-dir",   fx_.data_dir(),
      "--mode",          "event",        "--event",
      kiosktest::kEvent, "--fake-clock", base::FormatIso8601Utc(kiosktest::kNow)};
  std::vector<json> out =
      Run(args, {Scan(fx_.Card({.member_id = kMember})), R"({"cmd":"manual_count"})",
                 R"({"cmd":"manual_count"})", R"({"cmd":"undo"})", R"({"cmd":"confirm"})",
                 R"({"cmd":"recent"})"});
  ASSERT_EQ(out.size(), 7u);
  EXPECT_EQ(out[2]["decision"], "accepted");
  EXPECT_EQ(out[2]["manual"], true);
  EXPECT_EQ(out[2]["attendance"], 2);
  EXPECT_EQ(out[2]["manual_count"], 1);
  EXPECT_EQ(out[3]["attendance"], 3);
  EXPECT_EQ(out[4]["state"], "void_confirm");
  EXPECT_EQ(out[4]["void_kind"], "manual_count");
  EXPECT_EQ(out[5]["decision"], "VOIDED");
  EXPECT_EQ(out[5]["attendance"], 2);
  EXPECT_EQ(out[5]["manual_count"], 1);
  const json& recent = out[6]["recent"];
  ASSERT_EQ(recent.size(), 3u);
  EXPECT_EQ(recent[0]["kind"], "manual_count");
  EXPECT_EQ(recent[0]["status"], "voided");
  EXPECT_FALSE(recent[0].contains("member"));
  EXPECT_EQ(recent[2]["kind"], "checkin");
  EXPECT_EQ(recent[2]["void"], "cashier");
  EXPECT_EQ(recent[2]["member"].get<std::string>().size(), 4 * 3 + 4);  // "••••" + 4 hex digits
}
