// The admin's CSV exports -> registry records (registry/inputs.h), and the field parsers of
// registry/offer_fields.h. Bad rows come back as "FILE:LINE: why", all of them, header = line 1.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/time_format.h"
#include "card/rid.h"
#include "registry/inputs.h"
#include "registry/offer_fields.h"
#include "subprocess.h"

namespace {

using Fields = std::map<std::string, std::string>;
using cktest::TempDir;

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

const std::vector<std::string> kOfferColumns = {
    "offer_id",           "partner_id",         "kind",       "value",
    "min_purchase_minor", "max_discount_minor", "categories", "orgs",
    "valid_from",         "valid_to",           "weekdays",   "hours",
    "cap_count",          "cap_amount_minor",   "cap_period", "title"};

const std::vector<std::string> kEventColumns = {
    "event_id", "title", "venue", "starts", "ends", "mode", "entries_per_member", "capacity"};

std::string Line(const std::vector<std::string>& columns, const Fields& f) {
  std::string out;
  for (size_t i = 0; i < columns.size(); ++i) {
    const std::string& c = columns[i];
    if (i > 0) out += ',';
    auto it = f.find(c);
    if (it != f.end()) out += it->second;
  }
  return out + "\n";
}

std::string Header(const std::vector<std::string>& columns) {
  std::string out;
  for (const std::string& c : columns) out += (out.empty() ? "" : ",") + c;
  return out + "\n";
}

// A valid offer row; tests override one field at a time.
Fields GoodOffer(Fields overrides = {}) {
  Fields f = {{"offer_id", "O-1"},
              {"partner_id", "P-1"},
              {"kind", "percent"},
              {"value", "10"},
              {"title", "Ten percent"}};
  for (const auto& [k, v] : overrides) f[k] = v;
  return f;
}

Fields GoodEvent(Fields overrides = {}) {
  Fields f = {{"event_id", "E-1"},
              {"title", "Meeting"},
              {"starts", "2027-03-01T10:00Z"},
              {"ends", "2027-03-01T12:00Z"},
              {"mode", "open"}};
  for (const auto& [k, v] : overrides) f[k] = v;
  return f;
}

class InputsTest : public ::testing::Test {
 protected:
  InputsTest() : secret_(32, 0x42) {}

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_.File(name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  base::Result<std::vector<registry::MemberRecord>> Members(const std::string& text) {
    return registry::ReadMembersCsv(Write("members.csv", text), secret_, nullptr);
  }
  base::Result<std::vector<registry::Offer>> Offers(const std::vector<Fields>& rows) {
    std::string text = Header(kOfferColumns);
    for (const Fields& r : rows) text += Line(kOfferColumns, r);
    return registry::ReadOffersCsv(Write("offers.csv", text), {"P-1", "P-2"});
  }
  // The single offer of a one-row file, or the error.
  base::Result<registry::Offer> Offer(const Fields& row) {
    auto offers = Offers({row});
    if (!offers.ok()) return offers.status();
    if (offers->size() != 1) return base::Internal("expected one offer");
    return (*offers)[0];
  }
  base::Result<std::vector<registry::Event>> Events(const std::vector<Fields>& rows) {
    std::string text = Header(kEventColumns);
    for (const Fields& r : rows) text += Line(kEventColumns, r);
    return registry::ReadEventsCsv(Write("events.csv", text));
  }
  std::string Path(const std::string& name) const { return dir_.File(name); }

  TempDir dir_;
  base::Bytes secret_;
};

// --- members.csv

TEST_F(InputsTest, MembersAreReadWithStatusSerialAndLine) {
  auto m = Members(
      "member_id,status,min_serial\n"
      "M-1,active,0\n"
      "M-2,suspended,3\n"
      "M-3,revoked,\n");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->size(), 3u);
  std::map<std::string, const registry::MemberRecord*> by_id;
  for (const std::string id : {"M-1", "M-2", "M-3"}) {
    const card::Rid rid = card::ComputeRid(secret_, id);
    for (const registry::MemberRecord& r : *m) {
      if (r.rid == rid) by_id[id] = &r;
    }
  }
  ASSERT_EQ(by_id.size(), 3u);
  EXPECT_EQ(by_id["M-1"]->state, card::MemberState::kActive);
  EXPECT_EQ(by_id["M-1"]->line, 2u);
  EXPECT_EQ(by_id["M-2"]->state, card::MemberState::kSuspended);
  EXPECT_EQ(by_id["M-2"]->min_serial, 3u);
  EXPECT_EQ(by_id["M-3"]->state, card::MemberState::kRevoked);
  EXPECT_EQ(by_id["M-3"]->min_serial, 0u);  // empty means 0
  EXPECT_EQ(by_id["M-3"]->line, 4u);
}

TEST_F(InputsTest, MembersAreSortedByRid) {
  std::string text = "member_id,status,min_serial\n";
  for (int i = 0; i < 100; ++i) text += "M-" + std::to_string(i) + ",active,0\n";
  auto m = Members(text);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->size(), 100u);
  for (size_t i = 1; i < m->size(); ++i) EXPECT_LT((*m)[i - 1].rid, (*m)[i].rid);
}

TEST_F(InputsTest, MinSerialAcceptsTheWholeUint32Range) {
  auto m = Members("member_id,status,min_serial\nM-1,active,4294967295\n");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ((*m)[0].min_serial, 4294967295u);
}

TEST_F(InputsTest, EveryBadMemberRowIsReportedWithItsLine) {
  auto m = Members(
      "member_id,status,min_serial\n"  // 1
      "M-1,active,0\n"                 // 2
      "M-2,gone,0\n"                   // 3
      "M-3,active,0\n"                 // 4
      "M-4,active,x\n"                 // 5
      ",active,0\n"                    // 6
      "M-6,active\n"                   // 7
      "M-7,active,-1\n"                // 8
      "M-8,active,4294967296\n");      // 9
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), base::StatusCode::kInvalidArgument);
  const std::string& msg = m.status().message();
  const std::string f = Path("members.csv");
  EXPECT_TRUE(Contains(msg, f + ":3: status must be active, suspended or revoked, got 'gone'"));
  EXPECT_TRUE(Contains(msg, f + ":5: min_serial must be a whole number 0-4294967295, got 'x'"));
  EXPECT_TRUE(Contains(msg, f + ":6: member_id is empty"));
  EXPECT_TRUE(Contains(msg, f + ":7: expected 3 fields, found 2"));
  EXPECT_TRUE(Contains(msg, f + ":8: min_serial"));
  EXPECT_TRUE(Contains(msg, f + ":9: min_serial"));
  EXPECT_TRUE(Contains(msg, f + ": 6 bad row(s)"));
  EXPECT_FALSE(Contains(msg, f + ":2:"));
  EXPECT_FALSE(Contains(msg, f + ":4:"));
}

TEST_F(InputsTest, LineNumbersCountBlankLinesAndMultiLineFields) {
  auto p = registry::ReadPartnersCsv(Write("partners.csv",
                                           "partner_id,name,city,address\n"  // 1
                                           "P-1,Shop,Tver,\"line one\n"      // 2
                                           "line two\"\n"                    // 3
                                           "\n"                              // 4
                                           "P-2,,Tver,\n"));                 // 5
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(Contains(p.status().message(), Path("partners.csv") + ":5: name is empty"));
}

TEST_F(InputsTest, DuplicateMemberNamesBothLines) {
  auto m = Members(
      "member_id,status,min_serial\n"
      "M-1,active,0\n"
      "M-2,active,0\n"
      "M-3,active,0\n"
      "M-1,revoked,0\n");
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(Contains(m.status().message(),
                       Path("members.csv") + ":5: member_id already listed on line 2"));
}

TEST_F(InputsTest, ManyBadRowsAreCappedButCounted) {
  std::string text = "member_id,status,min_serial\n";
  for (int i = 0; i < 60; ++i) text += "M-" + std::to_string(i) + ",bad,0\n";
  auto m = Members(text);
  ASSERT_FALSE(m.ok());
  const std::string& msg = m.status().message();
  const std::string f = Path("members.csv");
  EXPECT_TRUE(Contains(msg, f + ":51: status"));  // the 50th bad row
  EXPECT_FALSE(Contains(msg, f + ":52: status"));
  EXPECT_TRUE(Contains(msg, "... and 10 more"));
  EXPECT_TRUE(Contains(msg, f + ": 60 bad row(s)"));
}

TEST_F(InputsTest, MissingColumnIsNamed) {
  auto m = Members("member_id,status\nM-1,active\n");
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(Contains(m.status().message(), "min_serial"));
}

TEST_F(InputsTest, EmptyFileIsRefused) {
  auto m = Members("");
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(Contains(m.status().message(), "empty file (expected a header row)"));
}

TEST_F(InputsTest, MissingFileIsNotFound) {
  auto m = registry::ReadMembersCsv(Path("nothing.csv"), secret_, nullptr);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), base::StatusCode::kNotFound);
}

TEST_F(InputsTest, ProgressReportsTheRowsRead) {
  std::vector<size_t> seen;
  auto m = registry::ReadMembersCsv(
      Write("members.csv", "member_id,status,min_serial\nM-1,active,0\nM-2,active,0\n"), secret_,
      [&](const std::string& file, size_t rows) {
        EXPECT_EQ(file, Path("members.csv"));
        seen.push_back(rows);
      });
  ASSERT_TRUE(m.ok());
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), 2u);
}

// --- partners.csv

TEST_F(InputsTest, PartnersAreReadInFileOrder) {
  auto p = registry::ReadPartnersCsv(Write("partners.csv",
                                           "partner_id,name,city,address\n"
                                           "P-2,Cafe,Tver,\"Main st, 2\"\n"
                                           "P-1,Books,,\n"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->size(), 2u);
  EXPECT_EQ((*p)[0].partner_id, "P-2");
  EXPECT_EQ((*p)[0].address, "Main st, 2");
  EXPECT_EQ((*p)[1].name, "Books");
  EXPECT_EQ((*p)[1].city, "");
}

TEST_F(InputsTest, DuplicatePartnerIsRefused) {
  auto p = registry::ReadPartnersCsv(
      Write("partners.csv", "partner_id,name,city,address\nP-1,A,,\nP-1,B,,\n"));
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(
      Contains(p.status().message(), Path("partners.csv") + ":3: partner_id 'P-1' appears twice"));
}

TEST_F(InputsTest, ControlCharactersInTextAreRefused) {
  auto p = registry::ReadPartnersCsv(
      Write("partners.csv", "partner_id,name,city,address\nP-1,\"A\x07\",,\n"));
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(Contains(p.status().message(), ":2: name contains control characters"));
}

// --- offers.csv

TEST_F(InputsTest, OfferWithEveryFieldParses) {
  auto o = Offer(GoodOffer({{"value", "7.5"},
                            {"min_purchase_minor", "100000"},
                            {"max_discount_minor", "50000"},
                            {"categories", "0|2"},
                            {"orgs", "ORG-1|ORG-2"},
                            {"valid_from", "2027-01-01"},
                            {"valid_to", "2027-06-30"},
                            {"weekdays", "1-5"},
                            {"hours", "09:00-21:00"},
                            {"cap_count", "3"},
                            {"cap_amount_minor", "20000"},
                            {"cap_period", "day"}}));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->kind, registry::OfferKind::kPercent);
  EXPECT_EQ(o->value, 750);
  EXPECT_EQ(o->min_purchase_minor, 100000);
  EXPECT_EQ(o->max_discount_minor, 50000);
  EXPECT_EQ(o->categories, 0b101u);
  EXPECT_EQ(o->orgs, (std::vector<std::string>{"ORG-1", "ORG-2"}));
  EXPECT_EQ(o->valid_from_day, base::DaysFromCivil(2027, 1, 1));
  EXPECT_EQ(o->valid_to_day, base::DaysFromCivil(2027, 6, 30));
  EXPECT_EQ(o->weekdays, 0x1f);
  EXPECT_EQ(o->hours_from, 540);
  EXPECT_EQ(o->hours_to, 1260);
  EXPECT_EQ(o->cap_count, 3);
  EXPECT_EQ(o->cap_amount_minor, 20000);
  EXPECT_EQ(o->cap_period, registry::CapPeriod::kDay);
}

TEST_F(InputsTest, OfferWithOnlyRequiredFieldsGetsDefaults) {
  auto o = Offer(GoodOffer());
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->value, 1000);
  EXPECT_EQ(o->min_purchase_minor, 0);
  EXPECT_FALSE(o->max_discount_minor);
  EXPECT_EQ(o->categories, 0u);
  EXPECT_TRUE(o->orgs.empty());
  EXPECT_FALSE(o->valid_from_day);
  EXPECT_EQ(o->weekdays, 0x7f);
  EXPECT_EQ(o->hours_from, 0);
  EXPECT_EQ(o->hours_to, 1440);
  EXPECT_FALSE(o->cap_period);
}

TEST_F(InputsTest, FixedOfferIsInMinorUnits) {
  auto o = Offer(GoodOffer({{"kind", "fixed"}, {"value", "5000"}}));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->kind, registry::OfferKind::kFixed);
  EXPECT_EQ(o->value, 5000);
}

// A cashback offer's value is a percent, as a percent discount's; caps and limits read the same.
TEST_F(InputsTest, CashbackOfferIsAPercentWithTheDiscountsLimits) {
  auto o = Offer(GoodOffer({{"kind", "cashback"},
                            {"value", "7.5"},
                            {"min_purchase_minor", "50000"},
                            {"max_discount_minor", "3000"},
                            {"cap_amount_minor", "20000"},
                            {"cap_period", "month"}}));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->kind, registry::OfferKind::kCashback);
  EXPECT_EQ(o->value, 750);
  EXPECT_EQ(o->min_purchase_minor, 50000);
  EXPECT_EQ(o->max_discount_minor, 3000);
  EXPECT_EQ(o->cap_amount_minor, 20000);
  EXPECT_EQ(o->cap_period, registry::CapPeriod::kMonth);
}

TEST_F(InputsTest, OfferErrorsSayWhy) {
  struct Case {
    Fields overrides;
    std::string why;
  };
  const Case cases[] = {
      {{{"partner_id", "P-X"}}, "partner_id 'P-X' is not in the partners file"},
      {{{"kind", "bogus"}}, "kind must be percent, fixed or cashback, got 'bogus'"},
      {{{"kind", "cashback"}, {"value", "0"}}, "percent must be above 0 and at most 100"},
      {{{"kind", "cashback"}, {"value", "100.5"}}, "percent must be above 0 and at most 100"},
      {{{"value", "7.555"}}, "at most two decimals"},
      {{{"value", "0"}}, "percent must be above 0 and at most 100"},
      {{{"value", "100.01"}}, "percent must be above 0 and at most 100"},
      {{{"kind", "fixed"}, {"value", "0"}}, "a fixed discount must be above 0"},
      {{{"kind", "fixed"}, {"value", "50.5"}}, "whole number of minor units"},
      {{{"min_purchase_minor", "-1"}}, "min_purchase_minor"},
      {{{"categories", "0|4"}}, "categories must be like 0|1"},
      {{{"orgs", "ORG-1||ORG-2"}}, "orgs must be like ORG-1|ORG-2"},
      {{{"valid_from", "2027-02-30"}}, "no such date"},
      {{{"valid_to", "2027-6-30"}}, "expected a date YYYY-MM-DD"},
      {{{"valid_from", "2027-07-01"}, {"valid_to", "2027-06-30"}}, "valid_from is after valid_to"},
      {{{"weekdays", "0-8"}}, "weekdays must be like 1-5 or 6|7"},
      {{{"weekdays", "5-1"}}, "weekdays must be like 1-5 or 6|7"},
      {{{"hours", "21:00-09:00"}}, "hours must be like 09:00-21:00"},
      {{{"cap_count", "2"}}, "a cap needs cap_period"},
      {{{"cap_amount_minor", "100"}}, "a cap needs cap_period"},
      {{{"cap_period", "week"}}, "cap_period needs cap_count or cap_amount_minor"},
      {{{"cap_count", "2"}, {"cap_period", "year"}}, "cap_period must be day, week or month"},
      {{{"title", ""}}, "title is empty"},
      {{{"offer_id", ""}}, "offer_id is empty"},
  };
  for (const Case& c : cases) {
    auto o = Offer(GoodOffer(c.overrides));
    SCOPED_TRACE(Line(kOfferColumns, GoodOffer(c.overrides)));
    ASSERT_FALSE(o.ok());
    EXPECT_EQ(o.status().code(), base::StatusCode::kInvalidArgument);
    EXPECT_TRUE(Contains(o.status().message(), Path("offers.csv") + ":2: "));
    EXPECT_TRUE(Contains(o.status().message(), c.why));
  }
}

TEST_F(InputsTest, CapPeriodsParse) {
  for (const auto& [text, period] : std::vector<std::pair<std::string, registry::CapPeriod>>{
           {"day", registry::CapPeriod::kDay},
           {"week", registry::CapPeriod::kWeek},
           {"month", registry::CapPeriod::kMonth}}) {
    auto o = Offer(GoodOffer({{"cap_amount_minor", "100"}, {"cap_period", text}}));
    ASSERT_TRUE(o.ok()) << text << ": " << o.status().ToString();
    EXPECT_EQ(o->cap_period, period);
  }
}

TEST_F(InputsTest, EveryBadOfferRowIsListedAndNothingIsReturned) {
  auto o = Offers({GoodOffer({{"offer_id", "O-1"}}),                              // 2
                   GoodOffer({{"offer_id", "O-2"}, {"partner_id", "P-9"}}),       // 3
                   GoodOffer({{"offer_id", "O-3"}, {"partner_id", "P-2"}}),       // 4
                   GoodOffer({{"offer_id", "O-4"}, {"weekdays", "0-8"}}),         // 5
                   GoodOffer({{"offer_id", "O-1"}}),                              // 6
                   GoodOffer({{"offer_id", "O-6"}, {"hours", "21:00-09:00"}})});  // 7
  ASSERT_FALSE(o.ok());
  const std::string& msg = o.status().message();
  const std::string f = Path("offers.csv");
  EXPECT_TRUE(Contains(msg, f + ":3: partner_id 'P-9' is not in the partners file"));
  EXPECT_TRUE(Contains(msg, f + ":5: weekdays must be like"));
  EXPECT_TRUE(Contains(msg, f + ":6: offer_id 'O-1' appears twice"));
  EXPECT_TRUE(Contains(msg, f + ":7: hours must be like"));
  EXPECT_TRUE(Contains(msg, f + ": 4 bad row(s)"));
  EXPECT_FALSE(Contains(msg, f + ":2:"));
  EXPECT_FALSE(Contains(msg, f + ":4:"));
}

// --- events.csv

TEST_F(InputsTest, EventTimesHonourTheirOffsets) {
  auto e = Events({GoodEvent({{"starts", "2027-03-01T10:00+03:00"},
                              {"ends", "2027-03-01T18:30:15-01:00"},
                              {"mode", "roster"},
                              {"entries_per_member", "3"},
                              {"capacity", "250"},
                              {"venue", "Hall A"}})});
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ASSERT_EQ(e->size(), 1u);
  const int64_t day = base::DaysFromCivil(2027, 3, 1) * 86400;
  EXPECT_EQ((*e)[0].starts, day + 7 * 3600);
  EXPECT_EQ((*e)[0].ends, day + 19 * 3600 + 30 * 60 + 15);
  EXPECT_EQ((*e)[0].mode, registry::EventMode::kRoster);
  EXPECT_EQ((*e)[0].entries_per_member, 3);
  EXPECT_EQ((*e)[0].capacity, 250);
  EXPECT_EQ((*e)[0].venue, "Hall A");
}

TEST_F(InputsTest, EventDefaultsOneEntryAndNoCapacity) {
  auto e = Events({GoodEvent()});
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ((*e)[0].mode, registry::EventMode::kOpen);
  EXPECT_EQ((*e)[0].entries_per_member, 1);
  EXPECT_FALSE((*e)[0].capacity);
}

TEST_F(InputsTest, EventErrorsSayWhy) {
  struct Case {
    Fields overrides;
    std::string why;
  };
  const Case cases[] = {
      {{{"starts", "2027-03-01T10:00"}}, "starts: "},  // no offset: ambiguous
      {{{"ends", "tomorrow"}}, "ends: "},
      {{{"ends", "2027-03-01T10:00Z"}}, "ends must be after starts"},
      {{{"mode", "closed"}}, "mode must be open or roster, got 'closed'"},
      {{{"entries_per_member", "0"}}, "entries_per_member must be at least 1"},
      {{{"capacity", "-5"}}, "capacity"},
      {{{"event_id", ""}}, "event_id is empty"},
  };
  for (const Case& c : cases) {
    auto e = Events({GoodEvent(c.overrides)});
    SCOPED_TRACE(Line(kEventColumns, GoodEvent(c.overrides)));
    ASSERT_FALSE(e.ok());
    EXPECT_TRUE(Contains(e.status().message(), Path("events.csv") + ":2: " + c.why));
  }
}

TEST_F(InputsTest, DuplicateEventIsRefused) {
  auto e = Events({GoodEvent(), GoodEvent()});
  ASSERT_FALSE(e.ok());
  EXPECT_TRUE(
      Contains(e.status().message(), Path("events.csv") + ":3: event_id 'E-1' appears twice"));
}

// --- roster.csv

TEST_F(InputsTest, RosterIsSortedAndDeduplicated) {
  auto r = registry::ReadRosterCsv(Write("roster.csv",
                                         "event_id,member_id\n"
                                         "E-2,M-1\n"
                                         "E-1,M-2\n"
                                         "E-1,M-2\n"
                                         "E-1,M-1\n"),
                                   secret_, {"E-1", "E-2"}, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 3u);
  for (size_t i = 1; i < r->size(); ++i) EXPECT_LT((*r)[i - 1], (*r)[i]);
  EXPECT_EQ((*r)[2], (std::pair<std::string, card::Rid>{"E-2", card::ComputeRid(secret_, "M-1")}));
}

TEST_F(InputsTest, RosterWithUnknownEventIsRefused) {
  auto r = registry::ReadRosterCsv(Write("roster.csv",
                                         "event_id,member_id\n"
                                         "E-1,M-1\n"
                                         "E-9,M-2\n"
                                         "E-1,\n"),
                                   secret_, {"E-1"}, nullptr);
  ASSERT_FALSE(r.ok());
  const std::string f = Path("roster.csv");
  EXPECT_TRUE(Contains(r.status().message(), f + ":3: event_id 'E-9' is not in the events file"));
  EXPECT_TRUE(Contains(r.status().message(), f + ":4: member_id is empty"));
  EXPECT_TRUE(Contains(r.status().message(), f + ": 2 bad row(s)"));
}

// --- registry/offer_fields.h

TEST(OfferFieldsTest, PercentIsParsedExactlyToBasisPoints) {
  const std::pair<const char*, int64_t> good[] = {{"7.5", 750},  {"7.55", 755},  {"7", 700},
                                                  {"0.01", 1},   {"100", 10000}, {"100.00", 10000},
                                                  {"007.5", 750}};
  for (const auto& [text, bp] : good) {
    auto r = registry::ParsePercentBasisPoints(text);
    ASSERT_TRUE(r.ok()) << text << ": " << r.status().ToString();
    EXPECT_EQ(*r, bp) << text;
  }
  for (const char* bad : {"7.555", "0", "0.00", "100.01", "101", "", ".5", "7.", "-5", "7,5", "1e2",
                          " 7", "7.5%", "1000"}) {
    EXPECT_FALSE(registry::ParsePercentBasisPoints(bad).ok()) << bad;
  }
}

TEST(OfferFieldsTest, MinorUnitsAreWholeAndBounded) {
  EXPECT_EQ(*registry::ParseMinorUnits("0"), 0);
  EXPECT_EQ(*registry::ParseMinorUnits("100000000000"), 100'000'000'000);
  for (const char* bad : {"", "-1", "1.5", "100000000001", "12a", "+5"}) {
    EXPECT_FALSE(registry::ParseMinorUnits(bad).ok()) << bad;
  }
}

TEST(OfferFieldsTest, CategoriesBecomeABitMask) {
  EXPECT_EQ(*registry::ParseCategories(""), 0u);
  EXPECT_EQ(*registry::ParseCategories("0|1"), 0b11u);
  EXPECT_EQ(*registry::ParseCategories("3"), 0b1000u);
  for (const char* bad : {"4", "0||1", "01", "a", "0|", "-1"}) {
    EXPECT_FALSE(registry::ParseCategories(bad).ok()) << bad;
  }
}

TEST(OfferFieldsTest, WeekdaysRangesAndLists) {
  EXPECT_EQ(*registry::ParseWeekdays(""), 0x7f);
  EXPECT_EQ(*registry::ParseWeekdays("1-5"), 0x1f);
  EXPECT_EQ(*registry::ParseWeekdays("6|7"), 0x60);
  EXPECT_EQ(*registry::ParseWeekdays("1-3|6"), 0x27);
  EXPECT_EQ(*registry::ParseWeekdays("7"), 0x40);
  EXPECT_EQ(*registry::ParseWeekdays("1-7"), 0x7f);
  for (const char* bad : {"0-8", "0", "8", "5-1", "1-", "-3", "a", "1|", "1--5", "1-5-7"}) {
    EXPECT_FALSE(registry::ParseWeekdays(bad).ok()) << bad;
  }
}

TEST(OfferFieldsTest, HoursAreAHalfOpenRangeOfMinutes) {
  int from = -1, to = -1;
  ASSERT_TRUE(registry::ParseHours("09:00-21:00", &from, &to).ok());
  EXPECT_EQ(from, 540);
  EXPECT_EQ(to, 1260);
  ASSERT_TRUE(registry::ParseHours("", &from, &to).ok());
  EXPECT_EQ(from, 0);
  EXPECT_EQ(to, 1440);
  ASSERT_TRUE(registry::ParseHours("00:00-24:00", &from, &to).ok());
  EXPECT_EQ(from, 0);
  EXPECT_EQ(to, 1440);
  for (const char* bad : {"21:00-09:00", "09:00-09:00", "9:00-21:00", "09:00", "09:00-24:01",
                          "09:60-10:00", "25:00-26:00", "09.00-21.00", "09:00-21:00-22:00"}) {
    EXPECT_FALSE(registry::ParseHours(bad, &from, &to).ok()) << bad;
  }
}

// A sign is not a digit: "09:-5" is not a time of day. ParseHours hands each two-character part to
// std::from_chars, which accepts a leading '-', so these are taken as 08:55 and 00:30.
TEST(OfferFieldsTest, HoursRefuseSignedNumbers) {
  int from = -1, to = -1;
  EXPECT_FALSE(registry::ParseHours("08:00-09:-5", &from, &to).ok()) << from << "-" << to;
  EXPECT_FALSE(registry::ParseHours("00:00--0:30", &from, &to).ok()) << from << "-" << to;
}

TEST(OfferFieldsTest, DaysCountFromTheEpoch) {
  EXPECT_EQ(*registry::ParseDay("1970-01-01"), 0);
  EXPECT_EQ(*registry::ParseDay("1970-01-02"), 1);
  EXPECT_EQ(*registry::ParseDay("2027-01-15"), 1'800'000'000 / 86400);
  EXPECT_EQ(*registry::ParseDay("2028-02-29"), base::DaysFromCivil(2028, 2, 29));
  for (const char* bad :
       {"2027-02-29", "2027-13-01", "2027-1-15", "2027-01-15T00:00Z", "", "15.01.2027"}) {
    EXPECT_FALSE(registry::ParseDay(bad).ok()) << bad;
  }
}

TEST(OfferFieldsTest, SplitBar) {
  using V = std::vector<std::string>;
  EXPECT_EQ(registry::SplitBar(""), V{});
  EXPECT_EQ(registry::SplitBar("A"), V{"A"});
  EXPECT_EQ(registry::SplitBar("A|B|C"), (V{"A", "B", "C"}));
  EXPECT_EQ(registry::SplitBar("A||B"), (V{"A", "", "B"}));
  EXPECT_EQ(registry::SplitBar("|"), (V{"", ""}));
}

}  // namespace
