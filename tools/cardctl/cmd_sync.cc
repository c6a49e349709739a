// cardctl sync | device: one network sync cycle with the hub, and the device key an admin enrols
// (docs/network-sync.md, docs/hub-protocol.md).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "args.h"
#include "base/clock.h"
#include "base/file.h"
#include "base/fs.h"
#include "base/version.h"
#include "bundle/importer.h"
#include "commands.h"
#include "journal/chain.h"
#include "journal/device_key.h"
#include "journal/journal.h"
#include "sync/device_id.h"
#include "sync/net_sync.h"

namespace cardctl {
namespace {

constexpr char kSyncUsage[] =
    "usage: cardctl sync --data-dir DIR --hub URL [--hub-cert FILE] [--trust bundle.pub.pem]";
constexpr char kDeviceUsage[] = "usage: cardctl device pubkey --data-dir DIR";

// An interactive run gives up sooner than the kiosk's background cycle would.
constexpr int kSyncAttempts = 3;

base::Result<card::PublicKey> LoadKey(const std::string& path) {
  CK_ASSIGN_OR_RETURN(std::string pem, base::ReadFile(path, 64 * 1024));
  base::Result<card::PublicKey> key = card::PublicKey::FromPem(pem);
  if (!key.ok()) return key.status().WithContext(path);
  return key;
}

int Sync(base::FileSystem& fs, const Args& args) {
  auto dir = args.Require("data-dir");
  if (!dir.ok()) return Fail(dir.status());
  auto hub = args.Require("hub");
  if (!hub.ok()) return Fail(hub.status());
  if (base::Status st = base::MakeDirs(*dir, 0700); !st.ok()) return Fail(st);

  // Without --trust only the journal is pushed: a bundle cannot be checked.
  std::optional<card::PublicKey> trusted;
  if (auto trust = args.Get("trust")) {
    auto key = LoadKey(*trust);
    if (!key.ok()) return Fail(key.status());
    trusted = *key;
  }
  base::SystemClock clock;
  // As the kiosk opens it: a new device's journal is made, a lost one is refused (an admin's
  // decision: cardctl journal new-chain). Before the key, which marks a device that had a journal.
  auto j = journal::OpenDeviceJournal(fs, *dir, clock);
  if (!j.ok()) return Fail(j.status());
  auto device_key = journal::LoadOrCreateDeviceKey(fs, *dir);
  if (!device_key.ok()) return Fail(device_key.status());
  auto device_id = ck_sync::LoadOrCreateDeviceId(fs, *dir);
  if (!device_id.ok()) return Fail(device_id.status());

  ck_sync::NetSyncOptions options;
  options.data_dir = *dir;
  options.device_id = *device_id;
  options.transport.hub_url = *hub;
  if (auto cert = args.Get("hub-cert")) options.transport.hub_cert_path = *cert;
  options.retry.max_attempts = kSyncAttempts;
  options.pull = trusted.has_value();
  options.status.app_version = base::kProjectVersion;
  if (!trusted) std::printf("bundle: not pulled (no --trust key given)\n");

  // The importer needs a key even when it is not used.
  card::PublicKey importer_key = trusted ? *trusted : *device_key->Public();
  bundle::Importer importer(fs, clock, *dir, importer_key);
  const ck_sync::SyncReport report =
      ck_sync::RunNetSyncWithCurl(fs, clock, importer, **j, *device_key, std::move(options));
  for (const std::string& line : report.Lines()) std::printf("%s\n", line.c_str());
  if (report.refused()) return kExitRefused;
  if (report.error()) return kExitUsage;
  return kExitOk;
}

}  // namespace

int RunSync(base::FileSystem& fs, const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {"data-dir", "hub", "hub-cert", "trust"}, {});
  if (!args.ok()) return Fail(args.status().WithContext(kSyncUsage));
  if (!args->positional().empty()) return Fail(kSyncUsage);
  return Sync(fs, *args);
}

// cardctl device pubkey: the device public key (PEM), made on first use, for `cardhub enroll`.
int RunDevice(base::FileSystem& fs, const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {"data-dir"}, {});
  if (!args.ok()) return Fail(args.status().WithContext(kDeviceUsage));
  if (args->positional().size() != 1 || args->positional()[0] != "pubkey")
    return Fail(kDeviceUsage);
  auto dir = args->Require("data-dir");
  if (!dir.ok()) return Fail(dir.status());
  if (base::Status st = base::MakeDirs(*dir, 0700); !st.ok()) return Fail(st);
  auto key = journal::LoadOrCreateDeviceKey(fs, *dir);
  if (!key.ok()) return Fail(key.status());
  auto pub = key->Public();
  if (!pub.ok()) return Fail(pub.status());
  std::fputs(pub->ToPem().c_str(), stdout);
  return kExitOk;
}

}  // namespace cardctl
