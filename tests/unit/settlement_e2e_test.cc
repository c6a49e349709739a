// From the union's offers file to the member's cashback payout, with the real programs only
// (docs/settlement.md): a Russian offers file with a cashback offer -> `cardctl bundle build` ->
// `cardctl bundle apply` -> two purchases through `kiosk --headless`, one voided -> `cardctl
// journal export` (the stick) -> `cardhub import` -> `cardhub report` (cashback column) ->
// `cardhub cashback --month` -> `cardctl members-of` (the payout list).
// The kiosk runs on the real clock (the hub refuses entries from its future), so the month is the
// current one.
#include <gtest/gtest.h>

#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "subprocess.h"

namespace {

using nlohmann::json;

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << part << "' not in:\n" << text;
}

bool WriteText(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  return static_cast<bool>(f);
}

std::string ReadText(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// "YYYY-MM" of `t` in Moscow time, the hub's default report offset.
std::string MonthOf(std::time_t t) {
  t += 3 * 3600;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m", &tm);
  return buf;
}

class SettlementE2eTest : public ::testing::Test {
 protected:
  std::string F(const std::string& name) const { return dir_.File(name); }

  cktest::ProcessResult Ok(const std::string& program, const std::vector<std::string>& args,
                           const cktest::RunOptions& o = {}) {
    cktest::ProcessResult r = cktest::RunProcess(program, args, o);
    std::string line = program;
    for (const std::string& a : args) line += " " + a;
    EXPECT_EQ(r.exit_code, 0) << line << "\n" << r.Describe() << "\n" << r.out;
    return r;
  }
  cktest::ProcessResult Cardctl(const std::vector<std::string>& args) {
    return Ok(CK_CARDCTL_PATH, args);
  }
  cktest::ProcessResult Cardhub(const std::vector<std::string>& args) {
    return Ok(CK_CARDHUB_PATH, args);
  }
  // One kiosk --headless run in the shop of P-BOOKS: its output lines, parsed.
  std::vector<json> Kiosk(const std::string& input) {
    cktest::ProcessResult r =
        Ok(CK_KIOSK_PATH,
           {"--headless", "--data-dir", F("kiosk"), "--mode", "shop", "--partner", "P-BOOKS"},
           {.stdin_text = input});
    std::vector<json> lines;
    std::istringstream out(r.out);
    for (std::string line; std::getline(out, line);) lines.push_back(json::parse(line));
    return lines;
  }

  cktest::TempDir dir_;
};

TEST_F(SettlementE2eTest, ACashbackOfferFromTheOffersFileToThePayoutList) {
  // The office: keys, the members export, cards, the partners and offers files in Russian.
  Cardctl({"keygen", "--alg", "es256", "--out", F("issuer")});
  Cardctl({"keygen", "--alg", "ed25519", "--out", F("bundle")});
  Cardctl({"secret", "--out", F("status.secret")});
  ASSERT_TRUE(WriteText(F("members.csv"),
                        "Номер члена профсоюза;ФИО;Организация;Категория;Выпуск;Номер билета\n"
                        "КУР-000500;Иванова Анна Петровна;RU-EDU-69;работник;1;7700123456\n"));
  ASSERT_TRUE(WriteText(F("partners.csv"),
                        "Код партнера;Название;Город;Адрес\n"
                        "P-BOOKS;Книжный дом;Тверь;\"ул. Советская, 1\"\n"));
  ASSERT_TRUE(WriteText(F("offers.csv"),
                        "Код предложения;Партнер;Вид;Значение;Максимальный кэшбэк, руб.;"
                        "Название\n"
                        "C-10;P-BOOKS;кэшбэк;10;500;Кэшбэк 10%\n"));
  Cardctl({"issue", "--key", F("issuer.key.pem"), "--iss", "RU-EDU-69", "--status-secret",
           F("status.secret"), "--members", F("members.csv"), "--out", F("cards"), "--names",
           "short"});
  const std::string card = ReadText(F("cards/КУР-000500.txt"));
  ASSERT_FALSE(card.empty());
  cktest::ProcessResult built = Cardctl({"bundle",          "build",
                                         "--members",       F("members.csv"),
                                         "--issuer-pubkey", F("issuer.pub.pem"),
                                         "--status-secret", F("status.secret"),
                                         "--seq",           "1",
                                         "--valid-days",    "30",
                                         "--mode",          "allow",
                                         "--sign",          F("bundle.key.pem"),
                                         "--out",           F("registry.ckbundle"),
                                         "--partners",      F("partners.csv"),
                                         "--offers",        F("offers.csv")});
  ASSERT_EQ(built.exit_code, 0);

  // The kiosk: the bundle from the stick, one purchase of 1 250,00 ₽ with 10% cashback, and one
  // of 2 000,00 ₽ that the cashier then voids.
  Cardctl({"bundle", "apply", "--data-dir", F("kiosk"), "--trust", F("bundle.pub.pem"),
           F("registry.ckbundle")});
  std::string text = card;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  const std::string scan = json{{"cmd", "scan"}, {"text", text}}.dump() + "\n";
  const std::string input =
      scan + R"({"cmd":"amount","minor":125000})" + "\n" + R"({"cmd":"confirm"})" + "\n" + scan +
      R"({"cmd":"amount","minor":200000})" + "\n" + R"({"cmd":"confirm"})" + "\n";
  std::vector<json> lines = Kiosk(input);
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[2]["state"], "confirm");
  EXPECT_EQ(lines[2].value("cashback_minor", 0), 12500);
  EXPECT_EQ(lines[2].value("total_minor", 0), 125000);
  EXPECT_EQ(lines[3]["decision"], "accepted");
  EXPECT_EQ(lines[5].value("cashback_minor", 0), 20000);
  ASSERT_EQ(lines[6]["decision"], "accepted");
  const std::string voided = lines[6].value("entry_uuid", "");
  lines = Kiosk(json{{"cmd", "void"}, {"entry_uuid", voided}}.dump() + "\n" +
                R"({"cmd":"confirm"})" + "\n");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[2]["decision"], "VOIDED");
  const std::string month = MonthOf(std::time(nullptr));

  // The stick, then the office's hub.
  Cardctl({"journal", "export", "--data-dir", F("kiosk"), "--out", F("stick.ckjournal")});
  Cardhub({"enroll", "--data-dir", F("hub"), "--device-pubkey", F("kiosk/device.pub.pem"), "--name",
           "kassa-1"});
  Cardhub(
      {"publish", "--data-dir", F("hub"), "--trust", F("bundle.pub.pem"), F("registry.ckbundle")});
  cktest::ProcessResult imported =
      Cardhub({"import", "--data-dir", F("hub"), F("stick.ckjournal")});
  EXPECT_TRUE(Contains(imported.out, "device kassa-1: seqs 1-3: stored 3"));
  // Twice changes nothing.
  imported = Cardhub({"import", "--data-dir", F("hub"), F("stick.ckjournal")});
  EXPECT_TRUE(Contains(imported.out, "stored 0, already held 3"));

  // The voided purchase counts nowhere: not in the report's cashback, not in the cashback file.
  cktest::ProcessResult report = Cardhub({"report", "--data-dir", F("hub"), "--month", month});
  EXPECT_TRUE(Contains(report.out,
                       "Код партнёра;Партнёр;Покупок;Сумма покупок, руб.;Скидка, руб.;"
                       "Кэшбэк, руб.\r\n"
                       "P-BOOKS;Книжный дом;1;1250,00;0,00;125,00\r\n"
                       "Итого;;1;1250,00;0,00;125,00\r\n"));
  Cardhub({"cashback", "--data-dir", F("hub"), "--month", month, "--out", F("cashback.csv")});
  const std::string cashback = ReadText(F("cashback.csv"));
  const size_t row = cashback.find(";P-BOOKS;Книжный дом;1;1250,00;125,00\r\n");
  ASSERT_NE(row, std::string::npos) << cashback;
  EXPECT_TRUE(Contains(cashback, "\r\nИтого;;;1;1250,00;125,00\r\n"));
  const size_t row_start = cashback.rfind('\n', row) + 1;
  const std::string rid = cashback.substr(row_start, row - row_start);
  ASSERT_EQ(rid.size(), 16u) << cashback;

  // The payout list, one command from the hub's file as docs/settlement.md runs it.
  cktest::ProcessResult payout =
      Cardctl({"members-of", "--members", F("members.csv"), "--status-secret", F("status.secret"),
               "--in", F("cashback.csv"), "--out", F("payout.csv")});
  EXPECT_TRUE(Contains(payout.err, "1 with a rid, 1 matched, 0 matching no member"));
  EXPECT_EQ(ReadText(F("payout.csv")),
            "\xEF\xBB\xBFПериод;" + month +
                "\r\n\r\n"
                "rid;member_id;name;Код партнёра;Партнёр;Покупок;Сумма покупок, руб.;Кэшбэк, "
                "руб.\r\n" +
                rid +
                ";КУР-000500;Иванова Анна Петровна;P-BOOKS;Книжный дом;1;1250,00;125,00\r\n"
                "Итого;;;;;1;1250,00;125,00\r\n");
}

}  // namespace
