// Partners, offers, events and roster files in Russian forms, rewritten to the registry's
// canonical CSV with their lines kept.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "cardctl_export/admin_files.h"
#include "cardctl_export/admin_values.h"
#include "real_fs.h"
#include "subprocess.h"

namespace cardctl_export {
namespace {

TEST(AdminValuesTest, RussianForms) {
  EXPECT_EQ(DecimalPoint("7,5"), "7.5");
  EXPECT_EQ(*RoublesToKopecks("100"), "10000");
  EXPECT_EQ(*RoublesToKopecks("100,5"), "10050");
  EXPECT_EQ(*RoublesToKopecks("1 000.05"), "100005");
  EXPECT_EQ(*RoublesToKopecks("0,10"), "10");
  EXPECT_FALSE(RoublesToKopecks("1,005").ok());
  EXPECT_FALSE(RoublesToKopecks("abc").ok());
  EXPECT_EQ(*IsoDate("01.12.2026"), "2026-12-01");
  EXPECT_EQ(*IsoDate("1.2.2027"), "2027-02-01");
  EXPECT_EQ(*IsoDate("2026-12-01"), "2026-12-01");
  EXPECT_EQ(*IsoWeekdays("пн-пт"), "1-5");
  EXPECT_EQ(*IsoWeekdays("сб|вс"), "6|7");
  EXPECT_EQ(*IsoWeekdays("Пн, Ср"), "1|3");
  EXPECT_EQ(*IsoWeekdays("1-5"), "1-5");
  EXPECT_EQ(*IsoWeekdays("mon–fri"), "1-5");
  EXPECT_FALSE(IsoWeekdays("пн-пятн").ok());
  EXPECT_EQ(*CategoryNumbers("employee|retired"), "0|2");
  EXPECT_EQ(*CategoryNumbers("работник, пенсионер"), "0|2");
  EXPECT_FALSE(CategoryNumbers("0|9").ok());
  EXPECT_EQ(PaddedHours("9:00-21:00"), "09:00-21:00");
  EXPECT_EQ(WholeNumber("1 000"), "1000");
  EXPECT_EQ(OfferKindWord("Процент"), "percent");
  EXPECT_EQ(OfferKindWord("сумма"), "fixed");
  EXPECT_EQ(OfferKindWord("Кэшбэк"), "cashback");
  EXPECT_EQ(OfferKindWord("кешбек"), "cashback");
  EXPECT_EQ(OfferKindWord("cashback"), "cashback");
  EXPECT_EQ(CapPeriodWord("Месяц"), "month");
  EXPECT_EQ(EventModeWord("по списку"), "roster");
  EXPECT_EQ(*ParseUtcOffset("+05:00"), 5 * 3600);
  EXPECT_EQ(*ParseUtcOffset("-03:30"), -(3 * 3600 + 1800));
  EXPECT_FALSE(ParseUtcOffset("+15:00").ok());
}

TEST(AdminValuesTest, EventTimesByDateRunToTheEndOfTheLastLocalDay) {
  constexpr int64_t kMsk = 3 * 3600;
  EXPECT_EQ(*EventTime("2026-12-31", false, kMsk), "2026-12-30T21:00:00Z");
  EXPECT_EQ(*EventTime("31.12.2026", true, kMsk), "2026-12-31T21:00:00Z");
  EXPECT_EQ(*EventTime("31.12.2026 10:00", false, kMsk), "2026-12-31T07:00:00Z");
  EXPECT_EQ(*EventTime("2026-12-31T10:00+05:00", true, kMsk), "2026-12-31T05:00:00Z");
  EXPECT_FALSE(EventTime("завтра", false, kMsk).ok());
}

TEST(AdminValuesTest, AmountInTitle) {
  EXPECT_EQ(AmountInTitle("Скидка 100 ₽").kopecks, 10000);
  EXPECT_EQ(AmountInTitle("Скидка 1 000 руб. на всё").kopecks, 100000);
  EXPECT_EQ(AmountInTitle("-7,5% на книги").basis_points, 750);
  EXPECT_FALSE(AmountInTitle("Книги 2027").kopecks.has_value());
}

class AdminFilesTest : public ::testing::Test {
 protected:
  base::Result<CanonicalFile> Read(const std::string& text, AdminFile kind,
                                   AdminFileOptions o = {}) {
    const std::string path = dir_.File("in.csv");
    std::ofstream(path, std::ios::binary) << text;
    return ReadAdminFile(cktest::RealFs(), path, kind, o);
  }
  cktest::TempDir dir_;
};

TEST_F(AdminFilesTest, OffersInRussianBecomeCanonical) {
  auto c = Read(
      "Код предложения;Партнер;Вид;Значение;Сумма, руб.;Категории;Действует с;Действует по;Дни "
      "недели;Часы;Название\n"
      "O1;P1;процент;7,5;;работник|пенсионер;01.12.2026;31.12.2026;пн-пт;9:00-21:00;Скидка "
      "7,5%\n"
      "O2;P1;сумма;;100,50;;;;сб|вс;;Скидка 100,50 ₽\n"
      "O3;P1;fixed;100;;;;;;;Скидка 100 ₽\n",
      AdminFile::kOffers);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->csv,
            "offer_id,partner_id,kind,value,min_purchase_minor,max_discount_minor,categories,orgs,"
            "valid_from,valid_to,weekdays,hours,cap_count,cap_amount_minor,cap_period,title\n"
            "O1,P1,percent,7.5,,,0|2,,2026-12-01,2026-12-31,1-5,09:00-21:00,,,,\"Скидка 7,5%\"\n"
            "O2,P1,fixed,10050,,,,,,,6|7,,,,,\"Скидка 100,50 ₽\"\n"
            "O3,P1,fixed,100,,,,,,,,,,,,Скидка 100 ₽\n");
  ASSERT_EQ(c->warnings.size(), 1u) << c->warnings[0];
  EXPECT_NE(c->warnings[0].find(
                "in.csv:4: warning: title 'Скидка 100 ₽' names 100,00 ₽ but the "
                "discount is 1,00 ₽"),
            std::string::npos)
      << c->warnings[0];
  EXPECT_EQ(c->lines, (std::vector<size_t>{1, 2, 3, 4}));
}

// A cashback offer in Russian: its value is a percent (decimal comma), its limits in roubles.
TEST_F(AdminFilesTest, CashbackOffersInRussianBecomeCanonical) {
  auto c = Read(
      "Код предложения;Партнер;Вид;Значение;Минимальная покупка, руб.;Максимальный кэшбэк, "
      "руб.;Лимит суммы, руб.;Период лимита;Название\n"
      "C1;P1;Кэшбэк;10;500;300;2 000;месяц;Кэшбэк 10%\n"
      "C2;P1;кешбек;7,5;;;;;Кэшбэк 5%\n",
      AdminFile::kOffers);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->csv,
            "offer_id,partner_id,kind,value,min_purchase_minor,max_discount_minor,categories,orgs,"
            "valid_from,valid_to,weekdays,hours,cap_count,cap_amount_minor,cap_period,title\n"
            "C1,P1,cashback,10,50000,30000,,,,,,,,200000,month,Кэшбэк 10%\n"
            "C2,P1,cashback,7.5,,,,,,,,,,,,Кэшбэк 5%\n");
  ASSERT_EQ(c->warnings.size(), 1u);
  EXPECT_NE(c->warnings[0].find("in.csv:3: warning: title 'Кэшбэк 5%' names another percentage "
                                "than the value 7.5%"),
            std::string::npos)
      << c->warnings[0];
}

TEST_F(AdminFilesTest, EventsByDatesAndOneDayEvents) {
  auto c = Read(
      "Код мероприятия,Название,Место,Начало,Окончание,Режим\n"
      "E1,Ёлка,Зал,2026-12-31,2026-12-31,открытое\n"
      "E2,Съезд,,01.12.2026 10:00,01.12.2026 18:00,по списку\n",
      AdminFile::kEvents);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->csv,
            "event_id,title,venue,starts,ends,mode,entries_per_member,capacity\n"
            "E1,Ёлка,Зал,2026-12-30T21:00:00Z,2026-12-31T21:00:00Z,open,,\n"
            "E2,Съезд,,2026-12-01T07:00:00Z,2026-12-01T15:00:00Z,roster,,\n");
}

TEST_F(AdminFilesTest, RosterUnknownMembersAreErrorsUnlessAllowed) {
  AdminFileOptions o;
  o.is_member = [](std::string_view id) { return id == "КУР-1"; };
  const std::string text = "Мероприятие;Учётный номер\nE1;КУР-1\nE1;КУР-2\n";
  auto refused = Read(text, AdminFile::kRoster, o);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(
      refused.status().message().find("in.csv:3: member_id 'КУР-2' is not in the members file"),
      std::string::npos)
      << refused.status().message();
  o.allow_unknown_members = true;
  auto kept = Read(text, AdminFile::kRoster, o);
  ASSERT_TRUE(kept.ok()) << kept.status().message();
  EXPECT_EQ(kept->csv, "event_id,member_id\nE1,КУР-1\nE1,КУР-2\n");
  EXPECT_EQ(kept->warnings.size(), 2u);
}

TEST_F(AdminFilesTest, LinesMapBackAfterQuotedLineBreaksAndBlankLines) {
  auto c = Read("partner_id,name\n\nP1,\"Книжный\"\n\nP2,Кафе\n", AdminFile::kPartners);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->lines, (std::vector<size_t>{1, 3, 5}));
  EXPECT_EQ(
      MapToSource("/x:3: partner_id 'P2' appears twice\n/x: 1 bad row(s)", "/x", "p.csv", c->lines),
      "p.csv:5: partner_id 'P2' appears twice\np.csv: 1 bad row(s)");
  auto broken = Read("partner_id,name\nP1,\"a\nb\"\n", AdminFile::kPartners);
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("in.csv:2: column 'name' holds a line break"),
            std::string::npos);
}

}  // namespace
}  // namespace cardctl_export
