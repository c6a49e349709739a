// Test helper for bundle_kill_test: applies one bundle through a FaultInjectionFs and a FaultVfs
// (the SQLite VFS a delta apply writes the registry through) that SIGKILL this process just before
// mutating operation number KILL_AT_OP, counting both together in the order they happen (never
// when it is -1 or past the end).
//
//   bundle_apply_child DATA_DIR TRUSTED_PUBKEY_PEM BUNDLE KILL_AT_OP [NOW_UNIX_SECONDS]
//
// Prints "applied SEQ" or "error CODE: message", then "ops N" (mutating operations attempted), and
// exits 0 when applied, 1 when refused or failed, 2 on bad usage. NOW_UNIX_SECONDS replaces the
// system clock (bundles carry an expiry date).
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/file.h"
#include "base/fs.h"
#include "bundle/importer.h"
#include "card/crypto.h"
#include "fault_fs.h"
#include "fault_vfs.h"
#include "real_fs.h"

namespace {

bool ParseInt(const char* s, int64_t* out) {
  char* end = nullptr;
  const long long v = std::strtoll(s, &end, 10);
  if (end == s || *end != '\0') return false;
  *out = v;
  return true;
}

int Usage() {
  std::fprintf(stderr,
               "usage: bundle_apply_child DATA_DIR TRUSTED_PUBKEY_PEM BUNDLE KILL_AT_OP "
               "[NOW_UNIX_SECONDS]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5 && argc != 6) return Usage();
  const std::string data_dir = argv[1], key_path = argv[2], bundle_path = argv[3];
  int64_t kill_at = 0, now = 0;
  if (!ParseInt(argv[4], &kill_at) || (argc == 6 && !ParseInt(argv[5], &now))) return Usage();

  base::Result<std::string> pem = base::ReadFile(key_path, 64 * 1024);
  if (!pem.ok()) {
    std::printf("error %s\n", pem.status().ToString().c_str());
    return 1;
  }
  base::Result<card::PublicKey> trusted = card::PublicKey::FromPem(*pem);
  if (!trusted.ok()) {
    std::printf("error %s\n", trusted.status().ToString().c_str());
    return 1;
  }

  std::unique_ptr<base::Clock> clock;
  if (argc == 6) {
    clock = std::make_unique<base::FakeClock>(now);
  } else {
    clock = std::make_unique<base::SystemClock>();
  }

  int64_t ops = 0;
  auto count = [&ops, kill_at] {
    if (++ops == kill_at) std::raise(SIGKILL);
  };
  cktest::FaultInjectionFs fs(cktest::RealFs());
  fs.SetOpHook([&count](const cktest::FsOpInfo&) {
    count();
    return base::Status::Ok();
  });
  cktest::FaultVfs vfs("bundle-apply-child");
  vfs.SetCallHook(count);
  bundle::Importer importer(fs, *clock, data_dir, *trusted);
  importer.set_sqlite_vfs(vfs.name());
  base::Result<bundle::ApplyReport> report = importer.Apply(bundle_path);
  if (report.ok()) {
    std::printf("applied %lld\n", static_cast<long long>(report->manifest.seq));
  } else {
    std::printf("error %s\n", report.status().ToString().c_str());
  }
  std::printf("ops %lld\n", static_cast<long long>(ops));
  std::fflush(stdout);
  return report.ok() ? 0 : 1;
}
