// Journal::Attendance is counted from the journal once per event, then kept up to date by Append:
// the answers are the same as counting again, whatever the order of appends and questions.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "base/clock.h"
#include "journal/journal.h"
#include "subprocess.h"

namespace {

constexpr int64_t kNow = 1'800'000'000;
const card::Rid kAnna{1, 1, 1, 1, 1, 1, 1, 1};
const card::Rid kBoris{2, 2, 2, 2, 2, 2, 2, 2};
const card::Rid kVera{3, 3, 3, 3, 3, 3, 3, 3};

journal::NewEntry Checkin(const card::Rid& rid, const std::string& event,
                          const std::string& decision = journal::kAccepted) {
  return {.kind = journal::Kind::kCheckin,
          .rid = rid,
          .event_id = event,
          .bundle_seq = 7,
          .verdict = "VALID",
          .decision = decision};
}

class JournalAttendanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto j = journal::Journal::Open(dir_.File("journal.db"), clock_);
    ASSERT_TRUE(j.ok()) << j.status().ToString();
    journal_ = std::move(j).value();
  }
  void Append(const journal::NewEntry& e) {
    auto r = journal_->Append(e);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    clock_.Advance(1);
  }
  int64_t Attendance(const std::string& event) {
    auto r = journal_->Attendance(event);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : -1;
  }

  cktest::TempDir dir_;
  base::FakeClock clock_{kNow};
  std::unique_ptr<journal::Journal> journal_;
};

TEST_F(JournalAttendanceTest, CountFollowsTheAppends) {
  Append(Checkin(kAnna, "E-1"));
  EXPECT_EQ(Attendance("E-1"), 1);
  EXPECT_EQ(Attendance("E-3"), 0);
  Append(Checkin(kAnna, "E-1"));  // a re-entry: the same member
  Append(Checkin(kBoris, "E-1", "NOT_REGISTERED"));
  Append({.kind = journal::Kind::kDiscount,
          .rid = kBoris,
          .partner_id = "P-1",
          .offer_id = "O-1",
          .purchase_minor = 1000,
          .discount_minor = 70,
          .verdict = "VALID",
          .decision = journal::kAccepted});
  EXPECT_EQ(Attendance("E-1"), 1);
  Append(Checkin(kBoris, "E-1"));
  Append(Checkin(kVera, "E-3"));
  Append(Checkin(kVera, "E-2"));  // E-2 was never asked: counted when it is
  EXPECT_EQ(Attendance("E-1"), 2);
  EXPECT_EQ(Attendance("E-3"), 1);
  EXPECT_EQ(Attendance("E-2"), 1);
  ASSERT_TRUE(journal_->ReloadTail().ok());  // forgets the counts: counted from the journal
  EXPECT_EQ(Attendance("E-1"), 2);
  EXPECT_EQ(Attendance("E-3"), 1);
  Append(Checkin(kVera, "E-1"));
  EXPECT_EQ(Attendance("E-1"), 3);
}

TEST_F(JournalAttendanceTest, AnotherConnectionCountsTheSame) {
  for (const card::Rid& rid : {kAnna, kBoris, kAnna, kVera}) {
    EXPECT_GE(Attendance("E-1"), 0);
    Append(Checkin(rid, "E-1"));
  }
  auto other = journal::Journal::Open(dir_.File("journal.db"), clock_);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  auto counted = (*other)->Attendance("E-1");
  ASSERT_TRUE(counted.ok());
  EXPECT_EQ(*counted, 3);
  EXPECT_EQ(Attendance("E-1"), 3);
}

}  // namespace
