// `cardhub flags` (hub/admin.h) at a given hub time, on SQLite and PostgreSQL: kiosks whose voids
// are far above the rest of the fleet's, kiosks with many refused scans in their status reports of
// the last 24 h, the latest published bundle past its validity, and kiosks deciding with an
// expired bundle; each flagged at its threshold and not just under it.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/fs.h"
#include "base/time_format.h"
#include "hub/admin.h"
#include "hub/store.h"
#include "hub_fixture.h"
#include "journal/journal.h"

namespace {

constexpr int64_t kNow = hubtest::kEntryTime + 7 * 86400;  // the hub's clock
constexpr int64_t kHour = 3600;
constexpr int64_t kValidUntil1 = hubtest::kEntryTime + 30 * 86400;  // of bundle 1

// A chain of `discounts` accepted discounts, then `voids` voids of its first discounts.
std::vector<journal::Entry> Chain(const std::string& tag, int discounts, int voids) {
  std::vector<journal::Entry> out;
  journal::Hash prev{};
  for (int i = 0; i < discounts + voids; ++i) {
    journal::Entry e;
    e.seq = i + 1;
    e.uuid = tag + "-" + std::to_string(e.seq);
    e.time_utc = hubtest::kEntryTime + e.seq;
    e.decision = journal::kAccepted;
    if (i < discounts) {
      e.kind = journal::Kind::kDiscount;
      e.partner_id = hubtest::kPartner;
      e.offer_id = "O-1";
      e.purchase_minor = 1000;
      e.discount_minor = 100;
      e.verdict = "VALID";
    } else {
      e.kind = journal::Kind::kVoid;
      e.ref_uuid = tag + "-" + std::to_string(i - discounts + 1);
      e.actor = "cashier";
    }
    e.prev_hash = prev;
    e.hash = journal::ComputeHash(e);
    prev = e.hash;
    out.push_back(e);
  }
  return out;
}

class HubFlagsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fx_.UseBackend(GetParam()));
    ASSERT_TRUE(fx_.PublishBundle(1, kValidUntil1));
    store_ = fx_.OpenStore();
    ASSERT_NE(store_, nullptr);
    for (const char* name : {"k1", "k2", "k3"}) {
      base::Result<hub::Device> d =
          store_->AddDevice(name, std::string(15, '0') + name[1], "PEM", 100);
      ASSERT_TRUE(d.ok()) << d.status().ToString();
      ids_.push_back(d->id);
    }
  }
  void TearDown() override { store_.reset(); }  // disconnects before the schema is dropped

  // Device k<n+1>'s chain, received by the hub at `received`.
  void Put(size_t n, int discounts, int voids, int64_t received = kNow - kHour) {
    base::Result<hub::PutResult> r =
        store_->PutEntries(ids_[n], Chain("k" + std::to_string(n + 1), discounts, voids), received);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  void Report(size_t n, int64_t received, std::vector<std::pair<std::string, int64_t>> failed,
              int64_t registry_seq = 1) {
    hub::DeviceStatus s;
    s.device_id = ids_[n];
    s.received = received;
    s.mode = "shop";
    s.scope_id = hubtest::kPartner;
    s.registry_seq = registry_seq;
    s.failed_scans = std::move(failed);
    base::Status st = store_->RecordStatus(s);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  // The text lines of `cardhub flags` at `now` that are of `kind`.
  std::vector<std::string> Lines(const std::string& kind, int64_t now = kNow) {
    char* buf = nullptr;
    size_t size = 0;
    std::FILE* out = open_memstream(&buf, &size);
    base::Status st = hub::Flags(*store_, fs_, fx_.hub_dir(), 0, now, out);
    std::fclose(out);
    std::string text(buf, size);
    std::free(buf);
    EXPECT_TRUE(st.ok()) << st.ToString();
    std::vector<std::string> lines;
    for (size_t pos = 0, nl; (nl = text.find('\n', pos)) != std::string::npos; pos = nl + 1) {
      std::string line = text.substr(pos, nl - pos);
      if (line.rfind(kind + " ", 0) == 0) lines.push_back(line);
    }
    return lines;
  }

  hubtest::HubFixture fx_;
  base::PosixFileSystem fs_;
  std::unique_ptr<hub::HubStore> store_;
  std::vector<int64_t> ids_;
};

const std::string kVoidsSince = base::FormatIso8601Utc(kNow - hub::kVoidWindowSeconds);
const std::string kScansSince = base::FormatIso8601Utc(kNow - hub::kRefusedScansWindowSeconds);

// k1 voids 5 of 30 (16.7%), the rest 5 of 100 (5.0%): above 3 times theirs. k2's 5.0% is below
// 3 times the rest's 16.7%.
TEST_P(HubFlagsTest, VoidRateAboveThreeTimesTheRestOfTheFleetIsFlagged) {
  Put(0, 30, 5);
  Put(1, 100, 5);
  EXPECT_EQ(Lines("voids_above_normal"),
            std::vector<std::string>{"voids_above_normal device=k1 voids=5 discounts=30 rate=16.7 "
                                     "fleet_rate=5.0 since=" +
                                     kVoidsSince});
}

// 6 of 40 is 15.0%: not above 3 times 5.0%.
TEST_P(HubFlagsTest, VoidRateAtThreeTimesTheRestIsNotFlagged) {
  Put(0, 40, 6);
  Put(1, 100, 5);
  EXPECT_EQ(Lines("voids_above_normal"), std::vector<std::string>{});
}

// When the rest of the fleet voided nothing the bar is 10%: 5 of 49 (10.2%) is above it.
TEST_P(HubFlagsTest, VoidRateAboveTenPercentWhenTheRestVoidedNoneIsFlagged) {
  Put(0, 49, 5);
  Put(1, 100, 0);
  EXPECT_EQ(Lines("voids_above_normal"),
            std::vector<std::string>{"voids_above_normal device=k1 voids=5 discounts=49 rate=10.2 "
                                     "fleet_rate=0.0 since=" +
                                     kVoidsSince});
}

// 5 of 50 is 10.0%: not above the bar.
TEST_P(HubFlagsTest, VoidRateOfTenPercentWhenTheRestVoidedNoneIsNotFlagged) {
  Put(0, 50, 5);
  Put(1, 100, 0);
  EXPECT_EQ(Lines("voids_above_normal"), std::vector<std::string>{});
}

// 4 voids of 8 are too few, whatever the rate.
TEST_P(HubFlagsTest, FourVoidsAreNotFlagged) {
  Put(0, 8, 4);
  Put(1, 100, 0);
  EXPECT_EQ(Lines("voids_above_normal"), std::vector<std::string>{});
}

// Entries the hub received before the last 30 days do not count.
TEST_P(HubFlagsTest, VoidsReceivedBeforeTheWindowAreNotCounted) {
  Put(0, 10, 9, kNow - hub::kVoidWindowSeconds - 1);
  EXPECT_EQ(Lines("voids_above_normal"), std::vector<std::string>{});
  EXPECT_EQ(Lines("voids_above_normal", kNow - 2 * kHour).size(), 1u);
}

// k1's reports of the last 24 h count 20 refused scans (the one before them does not count); k2's
// count 19.
TEST_P(HubFlagsTest, KioskWithTwentyRefusedScansInADayIsFlagged) {
  Report(0, kNow - hub::kRefusedScansWindowSeconds - 1, {{"EXPIRED", 50}});
  Report(0, kNow - 20 * kHour, {{"REVOKED", 4}, {"EXPIRED", 11}});
  Report(0, kNow - 60, {{"REVOKED", 4}, {"EXPIRED", 1}});
  Report(1, kNow - kHour, {{"EXPIRED", 10}, {"REVOKED", 9}});
  EXPECT_EQ(Lines("refused_scans"), std::vector<std::string>{"refused_scans device=k1 refused=20 "
                                                             "reasons=EXPIRED:12,REVOKED:8 since=" +
                                                             kScansSince});
  // The CSV has the same row under its columns.
  base::Result<std::string> csv = hub::FlagsCsv(*store_, fs_, fx_.hub_dir(), 0, kNow);
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  EXPECT_NE(csv->find(";at;reason;voids;discounts;rate;fleet_rate;since;refused;reasons;"
                      "valid_until;registry_seq;reported\r\n"),
            std::string::npos)
      << *csv;
  EXPECT_NE(csv->find("\r\nrefused_scans;;k1" + std::string(21, ';') + kScansSince +
                      ";20;EXPIRED:12,REVOKED:8;;;\r\n"),
            std::string::npos)
      << *csv;
}

TEST_P(HubFlagsTest, NineteenRefusedScansInADayAreNotFlagged) {
  Report(0, kNow - hub::kRefusedScansWindowSeconds - 1, {{"EXPIRED", 50}});
  Report(0, kNow - kHour, {{"EXPIRED", 19}});
  EXPECT_EQ(Lines("refused_scans"), std::vector<std::string>{});
}

// At the end of bundle 1's validity the latest (2) is still valid: k1, deciding with 1, is
// flagged; k2 (with 2) and k3 (no registry) are not.
TEST_P(HubFlagsTest, KioskDecidingWithAnExpiredBundleIsFlagged) {
  ASSERT_TRUE(fx_.PublishBundle(2, kValidUntil1 + 30 * 86400));
  Report(0, kNow, {}, 1);
  Report(1, kNow, {}, 2);
  Report(2, kNow, {}, 0);
  EXPECT_EQ(Lines("kiosk_bundle_expired", kValidUntil1),
            std::vector<std::string>{"kiosk_bundle_expired device=k1 registry_seq=1 valid_until=" +
                                     base::FormatIso8601Utc(kValidUntil1) +
                                     " reported=" + base::FormatIso8601Utc(kNow)});
  EXPECT_EQ(Lines("bundle_expired", kValidUntil1), std::vector<std::string>{});
}

TEST_P(HubFlagsTest, KioskDecidingWithABundleStillValidIsNotFlagged) {
  Report(0, kNow, {}, 1);
  EXPECT_EQ(Lines("kiosk_bundle_expired", kValidUntil1 - 1), std::vector<std::string>{});
}

TEST_P(HubFlagsTest, LatestBundlePastItsValidityIsFlagged) {
  EXPECT_EQ(Lines("bundle_expired", kValidUntil1),
            std::vector<std::string>{"bundle_expired seq=1 valid_until=" +
                                     base::FormatIso8601Utc(kValidUntil1)});
}

TEST_P(HubFlagsTest, LatestBundleWithinItsValidityIsNotFlagged) {
  EXPECT_EQ(Lines("bundle_expired", kValidUntil1 - 1), std::vector<std::string>{});
}

std::string BackendName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

INSTANTIATE_TEST_SUITE_P(Backends, HubFlagsTest, ::testing::Values("sqlite", "postgres"),
                         BackendName);

}  // namespace
