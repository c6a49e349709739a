// The app's run statistics (kiosk_stats::RunStats): percentiles over a bounded window.
#include <gtest/gtest.h>

#include "kiosk_stats/run_stats.h"

namespace {

using kiosk_stats::Percentile;
using kiosk_stats::RunStats;
using kiosk_stats::Samples;

TEST(RunStatsTest, PercentilesOfTheValues) {
  EXPECT_EQ(Percentile({}, 0.5), 0);
  EXPECT_EQ(Percentile({3, 1, 2}, 0.0), 1);
  EXPECT_EQ(Percentile({3, 1, 2}, 0.5), 2);
  EXPECT_EQ(Percentile({3, 1, 2}, 1.0), 3);
  std::vector<double> hundred;
  for (int i = 100; i >= 1; --i) hundred.push_back(i);
  EXPECT_EQ(Percentile(hundred, 0.95), 96);
}

TEST(RunStatsTest, SamplesKeepTheLastWindowOnly) {
  Samples s;
  for (size_t i = 0; i < kiosk_stats::kMaxSamples + 10; ++i) s.Add(static_cast<double>(i));
  EXPECT_EQ(s.count, kiosk_stats::kMaxSamples + 10);
  ASSERT_EQ(s.values.size(), kiosk_stats::kMaxSamples);
  EXPECT_EQ(s.values[0], static_cast<double>(kiosk_stats::kMaxSamples));  // the oldest went
  EXPECT_EQ(s.values[10], 10.0);
}

TEST(RunStatsTest, TheExitLine) {
  RunStats stats;
  stats.AddDraw(2);
  stats.AddDraw(4);
  stats.AddFrameToScreen(50);
  EXPECT_EQ(stats.NextScreenshot(), 1);
  EXPECT_EQ(stats.NextScreenshot(), 2);
  const nlohmann::json j = stats.Json();
  ASSERT_TRUE(j.contains("stats"));
  const nlohmann::json& s = j["stats"];
  EXPECT_EQ(s["frames_drawn"], 2);
  EXPECT_EQ(s["draw_ms_p50"], 4.0);
  EXPECT_EQ(s["draw_ms_max"], 4.0);
  EXPECT_EQ(s["scans_from_camera"], 1);
  EXPECT_EQ(s["frame_to_screen_ms_p95"], 50.0);
  EXPECT_EQ(s["screenshots"], 2);
  EXPECT_GT(s["max_rss_kb"].get<long>(), 0);
  EXPECT_GT(s["anon_kb"].get<long>(), 0);
}

}  // namespace
