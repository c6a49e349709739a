// cardctl reading the union registry's export as Russian Excel and 1C save it: the same file for
// `issue`, `bundle build` and `members-of`, refusals that write nothing. Runs the real binary.
#include <gtest/gtest.h>
#include <iconv.h>
#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "subprocess.h"

namespace {

cktest::ProcessResult Cardctl(const std::vector<std::string>& args) {
  return cktest::RunProcess(CK_CARDCTL_PATH, args, {});
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string ToCp1251(const std::string& utf8) {
  iconv_t cd = iconv_open("CP1251", "UTF-8");
  std::string in = utf8, out(utf8.size() * 2 + 4, '\0');
  char* ip = in.data();
  char* op = out.data();
  size_t il = in.size(), ol = out.size();
  EXPECT_NE(iconv(cd, &ip, &il, &op, &ol), static_cast<size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - ol);
  return out;
}

std::string RidHex(const std::string& secret, const std::string& member_id) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t len = 0;
  EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
            reinterpret_cast<const unsigned char*>(member_id.data()), member_id.size(), mac,
            sizeof mac, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < 8; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 15];
  }
  return out;
}

// What Russian Excel writes for a 1C export: Windows-1251, ';', Russian headers and values,
// member numbers with Cyrillic letters, one with a '/'.
const std::string kExportUtf8 =
    "Номер члена профсоюза;ФИО;Первичная организация;Категория;Номер выпуска;Номер билета;"
    "Статус\r\n"
    "КУР-000500;Иванова Анна Петровна;ОРГ-1;работник;2;100500;действует\r\n"
    "КУР-000501;Петров Пётр;ОРГ-1;Пенсионер;1;;приостановлен\r\n"
    "12/345;Smith John;ORG-2;студент;1;;\r\n";

class ExportE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    ASSERT_EQ(Cardctl({"keygen", "--alg", "es256", "--out", dir_.File("issuer")}).exit_code, 0);
    ASSERT_EQ(Cardctl({"keygen", "--alg", "ed25519", "--out", dir_.File("bundle")}).exit_code, 0);
    ASSERT_EQ(Cardctl({"secret", "--out", dir_.File("status.secret")}).exit_code, 0);
    secret_ = ReadBytes(dir_.File("status.secret"));
    WriteBytes(dir_.File("export.csv"), ToCp1251(kExportUtf8));
  }

  cktest::ProcessResult Issue(const std::string& members, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "issue",     "--key",           dir_.File("issuer.key.pem"), "--iss",
        "RU-EDU-69", "--status-secret", dir_.File("status.secret"),  "--members",
        members,     "--out",           dir_.File("cards")};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cardctl(args);
  }

  cktest::ProcessResult Build(const std::string& members, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"bundle",          "build",
                                     "--members",       members,
                                     "--issuer-pubkey", dir_.File("issuer.pub.pem"),
                                     "--status-secret", dir_.File("status.secret"),
                                     "--seq",           "1",
                                     "--valid-days",    "30",
                                     "--mode",          "allow",
                                     "--sign",          dir_.File("bundle.key.pem"),
                                     "--out",           dir_.File("b.ckbundle")};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cardctl(args);
  }

  cktest::TempDir dir_;
  std::string secret_;
};

TEST_F(ExportE2eTest, IssueReadsTheCp1251ExportAndSaysWhatItDetected) {
  cktest::ProcessResult r = Issue(dir_.File("export.csv"), {"--names", "short"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.err.find("Windows-1251, ';', 3 rows, columns: member_id = 'Номер члена профсоюза'"),
            std::string::npos)
      << r.err;
  // Cyrillic IDs name their files as they are; a '/' is written %2F.
  const std::string text = ReadBytes(dir_.File("cards/КУР-000500.txt"));
  ASSERT_FALSE(text.empty());
  EXPECT_TRUE(std::filesystem::exists(dir_.File("cards/12%2F345.txt")));
  cktest::ProcessResult v =
      Cardctl({"verify", "--pubkey", dir_.File("issuer.pub.pem"), "--text", text});
  ASSERT_EQ(v.exit_code, 0) << v.Describe();
  nlohmann::json j = nlohmann::json::parse(v.out);
  EXPECT_EQ(j["rid"], RidHex(secret_, "КУР-000500"));
  EXPECT_EQ(j["name"], "Анна И.");
  EXPECT_EQ(j["org"], "ОРГ-1");
  EXPECT_EQ(j["category"], 0);
  EXPECT_EQ(j["serial"], 2);
}

TEST_F(ExportE2eTest, BundleBuildTakesTheSameFile) {
  cktest::ProcessResult r = Build(dir_.File("export.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.err.find("Windows-1251, ';', 3 rows"), std::string::npos) << r.err;
  cktest::ProcessResult i = Cardctl({"bundle", "inspect", dir_.File("b.ckbundle")});
  ASSERT_EQ(i.exit_code, 0) << i.Describe();
  EXPECT_NE(i.out.find("member_status: 3"), std::string::npos) << i.out;
}

TEST_F(ExportE2eTest, ForcedEncodingAndColumnsFile) {
  WriteBytes(dir_.File("cols.txt"), "member_id = Таб. №\nname = Сотрудник\n");
  WriteBytes(dir_.File("other.csv"), "Таб. №,Сотрудник,Статус\nA-1,Анна,действует\n");
  cktest::ProcessResult r =
      Build(dir_.File("other.csv"), {"--columns", dir_.File("cols.txt"), "--encoding", "utf-8"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  cktest::ProcessResult wrong = Issue(dir_.File("export.csv"), {"--encoding", "utf-8"});
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_NE(wrong.err.find("export.csv:1: text is not valid UTF-8"), std::string::npos)
      << wrong.err;
  EXPECT_NE(wrong.err.find("--encoding cp1251"), std::string::npos) << wrong.err;
}

TEST_F(ExportE2eTest, BadFilesAreRefusedWithFileAndLineAndWriteNothing) {
  const std::string header = "member_id;name;org;category;serial;number\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Номер члена профсоюза;ФИО\nА-1;Анна\n" + ToCp1251("Б-2;Борис\n"), ":3: mixed encodings"},
      {header + "A;Ann;O;0;1;\nA;Ann;O;0;2;\n", ":3: member_id 'A' appears twice"},
      {header + "A;Ann;O;0;1\n", ":2: expected 6 fields"},
      {header + "A;Ann;O;0;1;;x\n", ":2: expected 6 fields"},
      {header + "A;\"Ann;O;0;1;\n", ":2: a quote opened here is never closed"},
      {"member_id;name;org;category;serial;number;member_id\n", ":1: header 'member_id' repeated"},
      {"id;учетный номер;name;org;category;serial;number\n", ":1: columns 'id' and"},
      {"", "empty file"},
  };
  for (const auto& [csv, expected] : cases) {
    WriteBytes(dir_.File("bad.csv"), csv);
    cktest::ProcessResult r = Issue(dir_.File("bad.csv"));
    EXPECT_EQ(r.exit_code, 2) << expected;
    EXPECT_NE(r.err.find("bad.csv" + (expected[0] == ':' ? expected : ": " + expected)),
              std::string::npos)
        << expected << "\n"
        << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir_.File("cards"))) << expected;
    cktest::ProcessResult b = Build(dir_.File("bad.csv"));
    EXPECT_EQ(b.exit_code, 2) << expected;
    EXPECT_FALSE(std::filesystem::exists(dir_.File("b.ckbundle"))) << expected;
  }
}

TEST_F(ExportE2eTest, BundleTakesRussianPartnersOffersEventsAndRoster) {
  WriteBytes(
      dir_.File("partners.csv"),
      ToCp1251("Код партнера;Название;Город;Адрес\nP1;Книжный дом;Тверь;ул. Советская, 1\n"));
  WriteBytes(dir_.File("offers.csv"),
             ToCp1251("Код предложения;Партнер;Вид;Значение;Сумма, руб.;Категории;Действует с;"
                      "Дни недели;Название\n"
                      "O1;P1;процент;7,5;;работник|пенсионер;01.12.2026;пн-пт;Скидка 7,5%\n"
                      "O2;P1;сумма;100;;;;сб|вс;Скидка 100 руб.\n"));
  WriteBytes(dir_.File("events.csv"),
             ToCp1251("Код мероприятия;Название;Место;Начало;Окончание;Режим\n"
                      "E1;Ёлка;Зал;31.12.2026;31.12.2026;по списку\n"));
  WriteBytes(dir_.File("roster.csv"), ToCp1251("Мероприятие;Учётный номер\nE1;КУР-000500\n"));
  const std::vector<std::string> files = {
      "--partners", dir_.File("partners.csv"), "--offers", dir_.File("offers.csv"),
      "--events",   dir_.File("events.csv"),   "--roster", dir_.File("roster.csv")};
  cktest::ProcessResult r = Build(dir_.File("export.csv"), files);
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(
      r.err.find("offers.csv:3: warning: title 'Скидка 100 руб.' names 100,00 ₽ but the "
                 "discount is 1,00 ₽"),
      std::string::npos)
      << r.err;
  cktest::ProcessResult i = Cardctl({"bundle", "inspect", dir_.File("b.ckbundle")});
  EXPECT_NE(i.out.find("offers: 2\nevents: 1\nroster: 1"), std::string::npos) << i.out;

  // Unknown roster members: refused by default, kept with --allow-unknown-roster.
  WriteBytes(dir_.File("roster.csv"), "event_id,member_id\nE1,КУР-000500\nE1,КУР-999\n");
  std::filesystem::remove(dir_.File("b.ckbundle"));
  cktest::ProcessResult refused = Build(dir_.File("export.csv"), files);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("roster.csv:3: member_id 'КУР-999' is not in the members file"),
            std::string::npos)
      << refused.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("b.ckbundle")));
  std::vector<std::string> allow = files;
  allow.push_back("--allow-unknown-roster");
  cktest::ProcessResult kept = Build(dir_.File("export.csv"), allow);
  EXPECT_EQ(kept.exit_code, 0) << kept.Describe();

  // A row the registry refuses is named by the admin's file and line (a blank line before it).
  WriteBytes(dir_.File("offers.csv"),
             "offer_id;partner_id;kind;value;title\n\nO1;P1;percent;7,5;A\nO1;P1;percent;5;B\n");
  cktest::ProcessResult dup = Build(dir_.File("export.csv"), allow);
  EXPECT_EQ(dup.exit_code, 2);
  EXPECT_NE(dup.err.find("offers.csv:4: offer_id 'O1' appears twice"), std::string::npos)
      << dup.err;
}

TEST_F(ExportE2eTest, MembersOfAddsMemberIdAndNameAndListsUnknownRids) {
  const std::string a = RidHex(secret_, "КУР-000500"), b = RidHex(secret_, "12/345");
  WriteBytes(dir_.File("report.csv"),
             "\xef\xbb\xbf"
             "day;rid;cashback_minor\n2026-12-01;" +
                 a +
                 ";150\n2026-12-01;ffffffffffffffff;20\n"
                 "2026-12-02;;7\n2026-12-02;" +
                 b + ";\"1;5\"\n");
  cktest::ProcessResult r = Cardctl({"members-of", "--members", dir_.File("export.csv"),
                                     "--status-secret", dir_.File("status.secret"), "--in",
                                     dir_.File("report.csv"), "--out", dir_.File("payout.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(ReadBytes(dir_.File("payout.csv")),
            "\xef\xbb\xbf"
            "day;rid;member_id;name;cashback_minor\r\n"
            "2026-12-01;" +
                a +
                ";КУР-000500;Иванова Анна Петровна;150\r\n"
                "2026-12-01;ffffffffffffffff;;;20\r\n"
                "2026-12-02;;;;7\r\n"
                "2026-12-02;" +
                b + ";12/345;Smith John;\"1;5\"\r\n");
  EXPECT_NE(r.err.find("report.csv:3: rid 'ffffffffffffffff' matches no member"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("4 rows, 3 with a rid, 2 matched, 1 matching no member"), std::string::npos)
      << r.err;

  WriteBytes(dir_.File("norid.csv"), "day,total\n1,2\n");
  cktest::ProcessResult bad = Cardctl({"members-of", "--members", dir_.File("export.csv"),
                                       "--status-secret", dir_.File("status.secret"), "--in",
                                       dir_.File("norid.csv"), "--out", dir_.File("out2.csv")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("norid.csv:1: header lacks column rid"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("out2.csv")));

  // The hub's report by partner (its preamble, then a table without rids) names no member.
  WriteBytes(dir_.File("report-by-partner.csv"),
             "\xef\xbb\xbf"
             "Период;2026-11\r\n\r\n"
             "Код партнёра;Партнёр;Покупок\r\nP-1;Shop;4\r\nИтого;;4\r\n");
  bad = Cardctl({"members-of", "--members", dir_.File("export.csv"), "--status-secret",
                 dir_.File("status.secret"), "--in", dir_.File("report-by-partner.csv"), "--out",
                 dir_.File("out3.csv")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("report-by-partner.csv:1: header lacks column rid"), std::string::npos)
      << bad.err;
  EXPECT_NE(bad.err.find("by partner, offer, device or day name no member"), std::string::npos)
      << bad.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("out3.csv")));
}

size_t Count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

TEST_F(ExportE2eTest, PrintWritesA4PagesOfTenOrOneCardPerPageWithEmbeddedFonts) {
  std::string csv = "member_id,name,org,category,serial,number\n";
  for (int i = 0; i < 12; ++i)
    csv += "K-" + std::to_string(i) + ",Әлібек Нұрлан Қайратұлы,ҚАЗ-ORG,1,2,N" + std::to_string(i) +
           "\n";
  WriteBytes(dir_.File("m.csv"), csv);
  cktest::ProcessResult a4 =
      Issue(dir_.File("m.csv"), {"--names", "short", "--print", dir_.File("a4.pdf"), "--phone"});
  ASSERT_EQ(a4.exit_code, 0) << a4.Describe();
  const std::string pdf = ReadBytes(dir_.File("a4.pdf"));
  ASSERT_TRUE(pdf.starts_with("%PDF-"));
  EXPECT_EQ(Count(pdf, "/Type /Page\n") + Count(pdf, "/Type /Page "), 2u);
  EXPECT_GE(Count(pdf, "/FontFile"), 1u) << "fonts are embedded";
  EXPECT_GE(Count(pdf, "/ToUnicode"), 1u) << "text is searchable";
  // Each card's QR code: one 1-bit image of 1 pixel per module, scaled without smoothing (sharp
  // modules at any printer resolution), the same drawing as the phone card scanned below.
  EXPECT_EQ(Count(pdf, "/Interpolate false"), 12u);
  EXPECT_EQ(Count(pdf, "/BitsPerComponent 1"), 12u);
  EXPECT_FALSE(std::filesystem::exists(dir_.File("a4.pdf.tmp")));

  // The phone card is a PNG that scans back to the card's text.
  cktest::ProcessResult v = Cardctl({"verify", "--pubkey", dir_.File("issuer.pub.pem"), "--image",
                                     dir_.File("cards/K-3.card.png")});
  ASSERT_EQ(v.exit_code, 0) << v.Describe();
  EXPECT_EQ(nlohmann::json::parse(v.out)["number"], "N3");

  std::filesystem::remove_all(dir_.File("cards"));
  cktest::ProcessResult card =
      Issue(dir_.File("m.csv"), {"--print", dir_.File("c.pdf"), "--print-layout", "card"});
  ASSERT_EQ(card.exit_code, 0) << card.Describe();
  const std::string one = ReadBytes(dir_.File("c.pdf"));
  EXPECT_EQ(Count(one, "/Type /Page\n") + Count(one, "/Type /Page "), 12u);
  // ID-1: 85.6 x 54 mm = 242.65 x 153.07 pt.
  EXPECT_NE(one.find("/MediaBox [ 0 0 242.6"), std::string::npos);
}

TEST_F(ExportE2eTest, BadPrintOptionsWriteNothing) {
  cktest::ProcessResult r =
      Issue(dir_.File("export.csv"), {"--print", dir_.File("x.pdf"), "--print-layout", "a5"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--print-layout must be a4 or card"), std::string::npos) << r.err;
  cktest::ProcessResult t =
      Issue(dir_.File("export.csv"), {"--print", dir_.File("x.pdf"), "--theme", dir_.File("none")});
  EXPECT_EQ(t.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(dir_.File("x.pdf")));
  EXPECT_FALSE(std::filesystem::exists(dir_.File("cards")));
  // A PDF that cannot be written: no card folder either.
  cktest::ProcessResult w =
      Issue(dir_.File("export.csv"), {"--print", dir_.File("no/such/dir/x.pdf")});
  EXPECT_EQ(w.exit_code, 2);
  EXPECT_NE(w.err.find("--print " + dir_.File("no/such/dir/x.pdf") + ": the folder '" +
                       dir_.File("no/such/dir") + "' does not exist"),
            std::string::npos)
      << w.err;
  EXPECT_EQ(w.err.find("rows, columns"), std::string::npos) << "refused before the export is read";
  EXPECT_FALSE(std::filesystem::exists(dir_.File("cards")));
  EXPECT_FALSE(std::filesystem::exists(dir_.File("cards.partial")));
}

// Cards are made on every core but land in the members' order: two runs with the same inputs
// and issue time (and a deterministic signature, Ed25519) write the same files, byte for byte.
TEST_F(ExportE2eTest, TwoRunsWithTheSameInputsWriteTheSameFiles) {
  ASSERT_EQ(Cardctl({"keygen", "--alg", "ed25519", "--out", dir_.File("ed")}).exit_code, 0);
  std::string csv = "member_id,name,org,category,serial,number\n";
  for (int i = 0; i < 300; ++i)
    csv += "K-" + std::to_string(i) + ",Иванова Анна,ORG,1,2,N" + std::to_string(i) + "\n";
  WriteBytes(dir_.File("m.csv"), csv);
  std::vector<std::string> files[2];
  for (int run = 0; run < 2; ++run) {
    const std::string out = dir_.File("run" + std::to_string(run));
    cktest::ProcessResult r =
        Cardctl({"issue", "--key", dir_.File("ed.key.pem"), "--iss", "RU-EDU-69", "--status-secret",
                 dir_.File("status.secret"), "--members", dir_.File("m.csv"), "--out", out, "--iat",
                 "2027-01-15T10:00:00Z", "--print", out + ".pdf"});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
    files[run].push_back(ReadBytes(out + ".pdf"));
    for (int i = 0; i < 300; i += 7) {
      files[run].push_back(ReadBytes(out + "/K-" + std::to_string(i) + ".txt"));
      files[run].push_back(ReadBytes(out + "/K-" + std::to_string(i) + ".png"));
    }
  }
  ASSERT_EQ(files[0].size(), files[1].size());
  for (size_t i = 0; i < files[0].size(); ++i) {
    EXPECT_FALSE(files[0][i].empty()) << i;
    EXPECT_TRUE(files[0][i] == files[1][i]) << "file " << i << " differs";
  }
}

// What a killed run leaves (the new folder's .partial, the PDF's temporary, a temporary of a card
// file being replaced in an existing folder) is removed by the next run; the cards are all there.
TEST_F(ExportE2eTest, LeftoversOfAKilledRunAreRemovedByTheNextRun) {
  const std::string pdf = dir_.File("cards.pdf");
  std::filesystem::create_directories(dir_.File("cards.partial"));
  WriteBytes(dir_.File("cards.partial/M-1.txt"), "half");
  WriteBytes(pdf + ".tmp", "%PDF-half");
  cktest::ProcessResult r = Issue(dir_.File("export.csv"), {"--print", pdf});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("cards.partial")));
  EXPECT_FALSE(std::filesystem::exists(pdf + ".tmp"));
  // Killed while replacing the files of the existing folder.
  WriteBytes(dir_.File("cards/M-1.txt.tmp-Ab12Cd"), "half");
  ASSERT_TRUE(std::filesystem::exists(dir_.File("cards/M-1.txt.tmp-Ab12Cd")));
  const std::ptrdiff_t files =
      std::distance(std::filesystem::directory_iterator(dir_.File("cards")),
                    std::filesystem::directory_iterator());
  cktest::ProcessResult again = Issue(dir_.File("export.csv"));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("cards/M-1.txt.tmp-Ab12Cd")));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_.File("cards")),
                          std::filesystem::directory_iterator()),
            files - 1);
}

TEST(CardctlHelpTest, ListsEveryCommandAndShowsEachOnesOptions) {
  cktest::ProcessResult all = Cardctl({"--help"});
  ASSERT_EQ(all.exit_code, 0);
  for (const char* c :
       {"keygen", "secret", "issue", "verify", "bundle build", "bundle inspect", "bundle apply",
        "members-of", "usb-watch", "sync", "device pubkey", "journal export", "journal verify",
        "journal ack", "journal list", "journal new-chain", "version"}) {
    EXPECT_NE(all.out.find("\n  " + std::string(c)), std::string::npos) << c;
  }
  cktest::ProcessResult issue = Cardctl({"help", "issue"});
  EXPECT_EQ(issue.exit_code, 0);
  EXPECT_NE(issue.out.find("--print-layout a4|card"), std::string::npos) << issue.out;
  EXPECT_NE(issue.out.find("--phone"), std::string::npos) << issue.out;
  cktest::ProcessResult bundle = Cardctl({"help", "bundle"});
  EXPECT_NE(bundle.out.find("bundle inspect"), std::string::npos) << bundle.out;
  EXPECT_NE(bundle.out.find("--allow-unknown-roster"), std::string::npos) << bundle.out;
  EXPECT_EQ(Cardctl({"help", "nope"}).exit_code, 2);
}

}  // namespace
