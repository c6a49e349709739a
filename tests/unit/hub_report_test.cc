// `cardhub report` (hub/report.h, docs/settlement.md): the settlement per partner, offer, device
// or day with names from the published registry, roubles with two decimals, check-ins and unique
// members per event; CSV for Russian Excel and a real .xlsx. On both store backends.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "hub/report.h"
#include "hub_fixture.h"
#include "journal/journal.h"
#include "subprocess.h"

namespace {

// 2026-11-10T09:00:00Z: entries of November 2026 (in the past: import refuses the future).
constexpr int64_t kNovember = 1'794'301'200;

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << part << "' not in:\n" << text;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class HubReportTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fx_.UseBackend(GetParam()));
    ASSERT_TRUE(fx_.PublishBundle(1));
    fx_.clock().Set(kNovember);
    const std::string k1 = fx_.NewKiosk("k1"), k2 = fx_.NewKiosk("k2");
    ASSERT_TRUE(fx_.Enroll(k1, "k1"));
    ASSERT_TRUE(fx_.Enroll(k2, "k2"));
    // k1: 3 discounts (M-1) and check-ins of M-1 (2) and M-2 (1); k2: 1 discount (M-2).
    ASSERT_TRUE(fx_.AppendDiscounts(k1, 3, "M-1"));
    ASSERT_TRUE(fx_.AppendCheckins(k1, 2, "M-1"));
    ASSERT_TRUE(fx_.AppendCheckins(k1, 1, "M-2"));
    fx_.clock().Advance(86400);  // the next day
    ASSERT_TRUE(fx_.AppendDiscounts(k2, 1, "M-2"));
    Import(fx_.ExportBatch(k1, 1), "k1.ckjournal");
    Import(fx_.ExportBatch(k2, 1), "k2.ckjournal");
  }

  void Import(const base::Bytes& file, const std::string& name) {
    const std::string path = fx_.root() + "/" + name;
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(file.data()),
               static_cast<std::streamsize>(file.size()));
    cktest::ProcessResult r = fx_.Cardhub({"import", "--data-dir", fx_.hub_dir(), path});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
  }

  cktest::ProcessResult Report(std::vector<std::string> extra) {
    std::vector<std::string> args = {"report", "--data-dir", fx_.hub_dir()};
    args.insert(args.end(), extra.begin(), extra.end());
    return fx_.Cardhub(args);
  }

  hubtest::HubFixture fx_;
};

TEST_P(HubReportTest, MonthByPartnerIsCsvForRussianExcel) {
  cktest::ProcessResult r = Report({"--month", "2026-11"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out,
            "\xEF\xBB\xBF"
            "Период;2026-11\r\n"
            "\r\n"
            "Код партнёра;Партнёр;Покупок;Сумма покупок, руб.;Скидка, руб.;Кэшбэк, руб.\r\n"
            "P-1;Shop;4;4000,00;400,00;0,00\r\n"
            "Итого;;4;4000,00;400,00;0,00\r\n"
            "\r\n"
            "Код мероприятия;Мероприятие;Отметок;Участников;Без карты\r\n"
            "E-1;Meeting;3;2;0\r\n"
            "Итого;;3;;0\r\n");
  // Another month holds nothing; --from/--to take months too.
  r = Report({"--month", "2026-12"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_FALSE(Contains(r.out, "P-1;"));
  r = Report({"--from", "2026-11", "--to", "2026-11"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "P-1;Shop;4;4000,00;400,00;0,00\r\n"));
}

TEST_P(HubReportTest, ByOfferDeviceAndDay) {
  cktest::ProcessResult r = Report({"--month", "2026-11", "--by", "offer"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "Код партнёра;Партнёр;Код предложения;Предложение;Покупок;"));
  EXPECT_TRUE(Contains(r.out, "P-1;Shop;O-CAP;10%;4;4000,00;400,00;0,00\r\n"));
  EXPECT_TRUE(Contains(r.out, "E-1;Meeting;3;2;0\r\n"));

  r = Report({"--month", "2026-11", "--by", "device"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "P-1;Shop;k1;3;3000,00;300,00;0,00\r\n"));
  EXPECT_TRUE(Contains(r.out, "P-1;Shop;k2;1;1000,00;100,00;0,00\r\n"));
  EXPECT_TRUE(Contains(r.out, "Итого;;;4;4000,00;400,00;0,00\r\n"));
  EXPECT_TRUE(Contains(r.out, "E-1;Meeting;k1;3;2;0\r\n"));

  r = Report({"--month", "2026-11", "--by", "day"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "P-1;Shop;2026-11-10;3;3000,00;300,00;0,00\r\n"));
  EXPECT_TRUE(Contains(r.out, "P-1;Shop;2026-11-11;1;1000,00;100,00;0,00\r\n"));
}

TEST_P(HubReportTest, XlsxIsARealWorkbook) {
  const std::string out = fx_.root() + "/november.xlsx";
  cktest::ProcessResult r = Report({"--month", "2026-11", "--format", "xlsx", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  const std::string file = ReadAll(out);
  ASSERT_GT(file.size(), 4u);
  EXPECT_EQ(file.substr(0, 4), std::string("PK\x03\x04", 4));
  // The first sheet: numbers as numbers (4000.00 roubles), a totals row of SUM formulas.
  cktest::ProcessResult sheet =
      cktest::RunProcess("/usr/bin/unzip", {"-p", out, "xl/worksheets/sheet1.xml"});
  ASSERT_EQ(sheet.exit_code, 0) << sheet.Describe();
  EXPECT_TRUE(Contains(sheet.out, "<v>4000</v>"));
  EXPECT_TRUE(Contains(sheet.out, "<f>SUM(D4:D4)</f>"));
  cktest::ProcessResult styles = cktest::RunProcess("/usr/bin/unzip", {"-p", out, "xl/styles.xml"});
  EXPECT_TRUE(Contains(styles.out, "#,##0.00"));
  cktest::ProcessResult book = cktest::RunProcess("/usr/bin/unzip", {"-p", out, "xl/workbook.xml"});
  EXPECT_TRUE(Contains(book.out, "Партнёры"));
  EXPECT_TRUE(Contains(book.out, "Мероприятия"));
}

TEST_P(HubReportTest, UsageErrors) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{},
                                             {"--month", "2026-13"},
                                             {"--month", "11-2026"},
                                             {"--month", "2026-11", "--from", "2026-11-01"},
                                             {"--from", "2026-11-01"},
                                             {"--month", "2026-11", "--by", "member"},
                                             {"--month", "2026-11", "--format", "pdf"},
                                             {"--month", "2026-11", "--format", "xlsx"},
                                             {"--from", "2026-11-30", "--to", "2026-11-01"}}) {
    cktest::ProcessResult r = Report(args);
    EXPECT_EQ(r.exit_code, 2) << r.Describe();
  }
}

// Hand-made format-2 entries on a third kiosk: a purchase with cashback, and a purchase voided by
// a later void entry (kind void, ref_uuid = its uuid): the void nets it out of the report.
TEST_P(HubReportTest, VoidsNetOutAndCashbackIsSummed) {
  const std::string k3 = fx_.NewKiosk("k3");
  ASSERT_TRUE(fx_.Enroll(k3, "k3"));
  {
    auto j = journal::Journal::Open(k3 + "/" + journal::kJournalFile, fx_.clock());
    ASSERT_TRUE(j.ok());
    journal::NewEntry buy{.kind = journal::Kind::kDiscount,
                          .rid = card::Rid{3, 3, 3, 3, 3, 3, 3, 3},
                          .partner_id = hubtest::kPartner,
                          .offer_id = "O-CASH",
                          .purchase_minor = 50000,
                          .bundle_seq = 1,
                          .verdict = "VALID",
                          .decision = journal::kAccepted,
                          .cashback_minor = 2500};
    fx_.clock().Advance(60);
    ASSERT_TRUE((*j)->Append(buy).ok());
    fx_.clock().Advance(60);
    buy.purchase_minor = 70000;
    buy.cashback_minor = 3500;
    auto voided = (*j)->Append(buy);
    ASSERT_TRUE(voided.ok());
    fx_.clock().Advance(60);
    ASSERT_TRUE((*j)->Append({.kind = journal::Kind::kVoid,
                              .partner_id = hubtest::kPartner,
                              .bundle_seq = 1,
                              .verdict = "VALID",
                              .decision = journal::kAccepted,
                              .ref_uuid = voided->uuid,
                              .actor = "admin"})
                    .ok());
  }
  Import(fx_.ExportBatch(k3, 1), "k3.ckjournal");
  cktest::ProcessResult r = Report({"--month", "2026-11", "--by", "device"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "P-1;Shop;k3;1;500,00;0,00;25,00\r\n"));
  EXPECT_TRUE(Contains(r.out, "Итого;;;5;4500,00;400,00;25,00\r\n"));

  // The accrued cashback per member per partner: the voided purchase earns none.
  r = fx_.Cardhub({"cashback", "--data-dir", fx_.hub_dir(), "--month", "2026-11"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out,
            "\xEF\xBB\xBF"
            "Период;2026-11\r\n"
            "\r\n"
            "rid;Код партнёра;Партнёр;Покупок;Сумма покупок, руб.;Кэшбэк, руб.\r\n"
            "0303030303030303;P-1;Shop;1;500,00;25,00\r\n"
            "Итого;;;1;500,00;25,00\r\n");
  r = fx_.Cardhub({"cashback", "--data-dir", fx_.hub_dir()});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
}

// A door kiosk's manual counts (people let in without a card: no member): their own column per
// event, a voided one netted out, an event with manual counts only on a line of its own; a check-in
// refused as a repeat counts nowhere in the report.
TEST_P(HubReportTest, ManualCountsAreReportedApartWithVoidsNettedOut) {
  const std::string k3 = fx_.NewKiosk("k3");
  ASSERT_TRUE(fx_.Enroll(k3, "k3"));
  {
    auto j = journal::Journal::Open(k3 + "/" + journal::kJournalFile, fx_.clock());
    ASSERT_TRUE(j.ok());
    journal::NewEntry manual{.kind = journal::Kind::kManualCount,
                             .event_id = hubtest::kEvent,
                             .bundle_seq = 1,
                             .decision = journal::kAccepted,
                             .actor = "cashier"};
    for (int i = 0; i < 2; ++i) ASSERT_TRUE((*j)->Append(manual).ok());
    auto voided = (*j)->Append(manual);
    ASSERT_TRUE(voided.ok());
    ASSERT_TRUE((*j)->Append({.kind = journal::Kind::kVoid,
                              .event_id = hubtest::kEvent,
                              .bundle_seq = 1,
                              .decision = journal::kAccepted,
                              .ref_uuid = voided->uuid,
                              .actor = "cashier"})
                    .ok());
    manual.event_id = "E-2";
    ASSERT_TRUE((*j)->Append(manual).ok());
    ASSERT_TRUE((*j)->Append({.kind = journal::Kind::kCheckin,
                              .rid = card::Rid{1, 1, 1, 1, 1, 1, 1, 1},
                              .event_id = hubtest::kEvent,
                              .bundle_seq = 1,
                              .verdict = "VALID",
                              .decision = "ALREADY_CHECKED_IN"})
                    .ok());
  }
  Import(fx_.ExportBatch(k3, 1), "k3.ckjournal");
  cktest::ProcessResult r = Report({"--month", "2026-11"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Contains(r.out,
                       "Код мероприятия;Мероприятие;Отметок;Участников;Без карты\r\n"
                       "E-1;Meeting;3;2;2\r\n"
                       "E-2;;0;0;1\r\n"
                       "Итого;;3;;3\r\n"));
  r = Report({"--month", "2026-11", "--by", "device"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "E-1;Meeting;k1;3;2;0\r\n"));
  EXPECT_TRUE(Contains(r.out, "E-1;Meeting;k3;0;0;2\r\n"));
  // The repeat, counted apart (the Events page's "repeats refused").
  std::unique_ptr<hub::HubStore> store = fx_.OpenStore();
  ASSERT_TRUE(store);
  std::vector<std::pair<std::string, int64_t>> repeats;
  ASSERT_TRUE(store
                  ->SumEntries({.from = kNovember - 86400,
                                .to = kNovember + 31 * 86400,
                                .kind = journal::Kind::kCheckin,
                                .repeats = true},
                               [&](const hub::SumRow& row) {
                                 repeats.emplace_back(row.scope_id, row.count);
                                 return base::Status::Ok();
                               })
                  .ok());
  EXPECT_EQ(repeats, (std::vector<std::pair<std::string, int64_t>>{{hubtest::kEvent, 1}}));
}

INSTANTIATE_TEST_SUITE_P(Backends, HubReportTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

TEST(RoublesTest, TwoDecimalsAndSign) {
  EXPECT_EQ(hub::Roubles(0, ','), "0,00");
  EXPECT_EQ(hub::Roubles(5, ','), "0,05");
  EXPECT_EQ(hub::Roubles(123456, '.'), "1234.56");
  EXPECT_EQ(hub::Roubles(-150, ','), "-1,50");
  EXPECT_EQ(hub::Roubles(INT64_MIN, '.'), "-92233720368547758.08");
}

TEST(MonthPeriodTest, LocalMonthEdges) {
  auto p = hub::MonthPeriod("2026-12", 3 * 3600);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->from, 1'796'072'400);  // 2026-12-01T00:00+03:00
  EXPECT_EQ(p->to, 1'798'750'800);    // 2027-01-01T00:00+03:00
  EXPECT_FALSE(hub::MonthPeriod("2026-00", 0).ok());
  EXPECT_FALSE(hub::MonthPeriod("2026-1", 0).ok());
}

}  // namespace
