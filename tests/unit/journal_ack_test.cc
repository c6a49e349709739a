// Acknowledgements from the office for USB-only kiosks (journal/ack.h): signed by the pinned
// bundle key, tied to the device and to its chain by the acknowledged entry's hash; every bad one
// is refused and changes nothing.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "journal/ack.h"
#include "journal/journal.h"
#include "subprocess.h"

namespace {

class JournalAckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto j = journal::Journal::Open(dir_.File(journal::kJournalFile), clock_);
    ASSERT_TRUE(j.ok()) << j.status().ToString();
    journal_ = std::move(j).value();
    for (int i = 0; i < 5; ++i) {
      clock_.Advance(60);
      auto e = journal_->Append({.kind = journal::Kind::kCheckin,
                                 .rid = card::Rid{1, 2, 3, 4, 5, 6, 7, 8},
                                 .event_id = "E-1",
                                 .verdict = "VALID",
                                 .decision = journal::kAccepted});
      ASSERT_TRUE(e.ok()) << e.status().ToString();
      entries_.push_back(*e);
    }
  }

  journal::AckClaim Claim(int64_t seq) const {
    return {.device_kid = kid_,
            .seq = seq,
            .entry_hash = entries_[static_cast<size_t>(seq - 1)].hash,
            .created = 1'800'000'000};
  }

  // The ack written, read back and applied; the acked seq after.
  base::Result<int64_t> Apply(const journal::AckClaim& claim, const card::PrivateKey& signer) {
    CK_ASSIGN_OR_RETURN(base::Bytes file, journal::WriteAck(claim, signer));
    CK_ASSIGN_OR_RETURN(journal::AckClaim read, journal::ReadAck(file, pinned_.Public().value()));
    return journal::ApplyAck(*journal_, read, kid_);
  }

  int64_t Acked() { return journal_->AckedSeq().value(); }

  cktest::TempDir dir_;
  base::FakeClock clock_{1'799'000'000};
  std::unique_ptr<journal::Journal> journal_;
  std::vector<journal::Entry> entries_;
  card::Kid kid_ = {9, 8, 7, 6, 5, 4, 3, 2};
  card::PrivateKey pinned_ = card::PrivateKey::Generate(card::Alg::kES256).value();
};

TEST_F(JournalAckTest, RoundTripsAndRecords) {
  auto file = journal::WriteAck(Claim(3), pinned_);
  ASSERT_TRUE(file.ok());
  auto read = journal::ReadAck(*file, pinned_.Public().value());
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->seq, 3);
  EXPECT_EQ(read->device_kid, kid_);
  EXPECT_EQ(read->entry_hash, entries_[2].hash);
  EXPECT_EQ(Apply(Claim(3), pinned_).value(), 3);
  EXPECT_EQ(Acked(), 3);
  EXPECT_EQ(Apply(Claim(2), pinned_).value(), 3);  // an older ack changes nothing
  EXPECT_EQ(journal::AckFileName(kid_), "cardkiosk-ack-0908070605040302.ckack");
}

TEST_F(JournalAckTest, SignedByAnotherKeyIsRefused) {
  auto other = card::PrivateKey::Generate(card::Alg::kES256).value();
  auto r = Apply(Claim(3), other);
  EXPECT_EQ(r.status().code(), base::StatusCode::kUnauthenticated) << r.status().ToString();
  EXPECT_EQ(Acked(), 0);
}

TEST_F(JournalAckTest, SeqsNeverWrittenAreRefused) {
  journal::AckClaim c = Claim(5);
  c.seq = 6;
  auto r = Apply(c, pinned_);
  EXPECT_EQ(r.status().code(), base::StatusCode::kOutOfRange);
  EXPECT_NE(r.status().message().find("this journal ends at 5"), std::string::npos);
  EXPECT_EQ(Acked(), 0);
}

TEST_F(JournalAckTest, AnotherDeviceOrChainIsRefused) {
  journal::AckClaim c = Claim(4);
  c.device_kid[0] ^= 1;
  auto r = Apply(c, pinned_);
  EXPECT_EQ(r.status().code(), base::StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("not this device's"), std::string::npos);
  c = Claim(4);
  c.entry_hash[0] ^= 1;
  r = Apply(c, pinned_);
  EXPECT_EQ(r.status().code(), base::StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("another chain"), std::string::npos);
  EXPECT_EQ(Acked(), 0);
}

TEST_F(JournalAckTest, EditedOrJunkFilesAreRefused) {
  base::Bytes file = journal::WriteAck(Claim(2), pinned_).value();
  const card::PublicKey pub = pinned_.Public().value();
  for (size_t i = 8; i < file.size(); ++i) {
    base::Bytes bad = file;
    bad[i] ^= 0x20;
    EXPECT_FALSE(journal::ReadAck(bad, pub).ok()) << "flip at " << i;
  }
  EXPECT_FALSE(journal::ReadAck(base::Bytes{'C', 'K'}, pub).ok());
}

TEST_F(JournalAckTest, ExportedSeqIsKeptApartFromTheAck) {
  ASSERT_TRUE(journal_->MarkExported(4).ok());
  EXPECT_EQ(journal_->ExportedSeq().value(), 4);
  EXPECT_EQ(Acked(), 0);
  EXPECT_TRUE(journal_->MarkExported(2).ok());  // never moves back
  EXPECT_EQ(journal_->ExportedSeq().value(), 4);
  EXPECT_EQ(journal_->MarkExported(6).code(), base::StatusCode::kOutOfRange);
}

}  // namespace
