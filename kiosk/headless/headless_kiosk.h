// `kiosk --headless`: the wiring of the real parts (kiosk_wiring::Wiring) behind the JSON-lines
// front end (headless.h), for a POS integration or a test.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <istream>
#include <string>

#include "base/fs.h"
#include "kiosk/session.h"

namespace kiosk {

struct HeadlessOptions {
  std::string data_dir;
  std::string fake_clock;  // ISO-8601; empty: the system clock
  std::string hub, hub_cert, trust;
  int64_t sync_interval_seconds = 300;
  Config config;  // mode, partner or event, UTC offset, stale-registry policy
};

// Runs the headless kiosk until `in` ends or {"cmd":"quit"}; returns the exit code. A start-up
// problem is printed and returns 2; those that are a command-line mistake go through `usage`
// (which prints the reason and the usage text and returns the exit code).
int RunHeadlessKiosk(const HeadlessOptions& options, base::FileSystem& fs, std::istream& in,
                     std::FILE* out, const std::function<int(const std::string&)>& usage);

}  // namespace kiosk
