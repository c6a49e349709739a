#include "hub/admin.h"

#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "base/file.h"
#include "base/fs.h"
#include "base/hex.h"
#include "base/time_format.h"
#include "bundle/format.h"
#include "bundle/importer.h"
#include "card/crypto.h"
#include "deltas.h"
#include "hub/ledger.h"
#include "journal/ack.h"
#include "registry/registry.h"
#include "rules/local_time.h"

namespace hub {

base::Status Enroll(HubStore& store, const std::string& pubkey_file, const std::string& name,
                    int64_t now, std::FILE* out) {
  if (name.empty() || name.size() > 128) return base::InvalidArgument("--name: 1 to 128 chars");
  CK_ASSIGN_OR_RETURN(std::string pem, base::ReadFile(pubkey_file, 64 * 1024));
  base::Result<card::PublicKey> key = card::PublicKey::FromPem(pem);
  if (!key.ok()) return key.status().WithContext(pubkey_file);
  if (key->type() != card::KeyType::kEd25519 && key->type() != card::KeyType::kEcP256) {
    return base::InvalidArgument(pubkey_file + ": a device key is Ed25519 or P-256");
  }
  std::string kid = base::ToHex(key->kid());
  CK_ASSIGN_OR_RETURN(Device d, store.AddDevice(name, kid, key->ToPem(), now));
  std::fprintf(out, "enrolled %s kid %s\n", d.name.c_str(), d.kid_hex.c_str());
  return base::Status::Ok();
}

base::Status Withdraw(HubStore& store, const std::string& name, std::FILE* out) {
  CK_TRY(store.WithdrawDevice(name));
  std::fprintf(out, "withdrawn %s\n", name.c_str());
  return base::Status::Ok();
}

base::Status Publish(HubStore& store, base::FileSystem& fs, const std::string& data_dir,
                     const std::string& bundle_file,
                     const std::optional<std::string>& trust_key_file, int64_t now,
                     std::FILE* out) {
  std::optional<card::PublicKey> trusted;
  if (trust_key_file) {
    CK_ASSIGN_OR_RETURN(std::string pem, base::ReadFile(*trust_key_file, 64 * 1024));
    CK_ASSIGN_OR_RETURN(trusted, card::PublicKey::FromPem(pem));
  }
  CK_ASSIGN_OR_RETURN(std::unique_ptr<base::SequentialFile> in, fs.OpenSequential(bundle_file));
  base::Result<bundle::Header> header = bundle::ReadHeader(*in, trusted ? &*trusted : nullptr);
  if (!header.ok()) return header.status().WithContext(bundle_file);
  if (header->manifest.is_delta())
    return PublishDelta(store, fs, data_dir, bundle_file, *in, *header, out);
  const int64_t seq = header->manifest.seq;
  CK_ASSIGN_OR_RETURN(std::optional<BundleRecord> latest, store.LatestBundle());
  CK_TRY(CheckBundleSeqIsNew(latest, seq));  // before unpacking; AddBundle checks again
  CK_TRY(base::MakeDirs(data_dir + "/bundles", 0755));
  // The registry it carries, checked against the manifest's hash while it is unpacked.
  const std::string incoming = data_dir + "/" + bundle::kIncomingFile;
  {
    CK_ASSIGN_OR_RETURN(std::unique_ptr<base::WritableFile> reg, fs.OpenWritable(incoming, 0644));
    base::Status st =
        bundle::ExtractContent(*in, header->manifest, *reg, bundle::kMaxRegistryBytes);
    if (st.ok()) st = reg->Sync();
    base::Status closed = reg->Close();
    if (st.ok()) st = closed;
    if (!st.ok()) {
      (void)fs.Remove(incoming);
      return st.WithContext(bundle_file);
    }
  }
  {
    base::Result<std::unique_ptr<registry::Registry>> reg = registry::Registry::Open(incoming);
    if (!reg.ok()) {
      (void)fs.Remove(incoming);
      return reg.status().WithContext(bundle_file + ": registry inside");
    }
  }
  CK_ASSIGN_OR_RETURN(std::string bytes, base::ReadFile(bundle_file, kMaxBundleFileBytes));
  BundleRecord rec;
  rec.seq = seq;
  rec.file = FullBundleFileName(seq);
  rec.size = static_cast<int64_t>(bytes.size());
  rec.published = now;
  CK_TRY(base::WriteFileAtomic(data_dir + "/" + rec.file, bytes, 0644));
  CK_TRY(fs.Rename(incoming, data_dir + "/" + bundle::kRegistryFile));
  CK_TRY(fs.SyncDir(data_dir));
  CK_TRY(store.AddBundle(rec));
  std::fprintf(out, "published seq %" PRId64 " (%" PRId64 " bytes)\n", seq, rec.size);
  return base::Status::Ok();
}

base::Status ListDevices(HubStore& store, std::FILE* out) {
  CK_ASSIGN_OR_RETURN(std::vector<Device> devices, store.ListDevices());
  CK_ASSIGN_OR_RETURN(std::vector<DeviceStatus> statuses, store.LatestStatuses());
  std::map<int64_t, const DeviceStatus*> status_of;
  for (const DeviceStatus& s : statuses) status_of[s.device_id] = &s;
  std::fprintf(out,
               "name\tkid\tenrolled\tlast_seen\tacked_seq\tstate\tregistry_seq\t"
               "last_seq_received\tlast_entry\tapp_version\tpending\n");
  for (const Device& d : devices) {
    CK_ASSIGN_OR_RETURN(DeviceTail tail, store.LastEntry(d.id, journal::kMaxSeq));
    std::string last = d.last_contact ? base::FormatIso8601Utc(d.last_contact) : "never";
    std::string entry = tail.last_seq ? base::FormatIso8601Utc(tail.time_utc) : "-";
    std::string bundle = tail.last_seq ? std::to_string(tail.bundle_seq) : "-";
    // From the kiosk's latest status report when it sent one (an old kiosk: "-"): its app, the
    // registry it decides with, and how many of its journal's entries the hub does not hold.
    std::string app = "-", pending = "-";
    if (auto it = status_of.find(d.id); it != status_of.end()) {
      const DeviceStatus& s = *it->second;
      app = s.app_version.empty() ? "-" : s.app_version;
      bundle = std::to_string(s.registry_seq);
      pending = std::to_string(std::max<int64_t>(0, s.journal_last_seq - tail.last_seq));
    }
    std::fprintf(out, "%s\t%s\t%s\t%s\t%" PRId64 "\t%s\t%s\t%" PRId64 "\t%s\t%s\t%s\n",
                 d.name.c_str(), d.kid_hex.c_str(), base::FormatIso8601Utc(d.enrolled).c_str(),
                 last.c_str(), d.acked_seq, d.withdrawn ? "withdrawn" : "active", bundle.c_str(),
                 tail.last_seq, entry.c_str(), app.c_str(), pending.c_str());
  }
  return base::Status::Ok();
}

base::Status WriteAcks(HubStore& store, base::FileSystem& fs, const std::string& bundle_key_file,
                       const std::string& out_dir, int64_t now, std::FILE* out) {
  CK_ASSIGN_OR_RETURN(card::PrivateKey key, card::PrivateKey::FromPemFile(bundle_key_file));
  CK_ASSIGN_OR_RETURN(std::vector<Device> devices, store.ListDevices());
  for (const Device& d : devices) {
    if (d.withdrawn || d.acked_seq == 0) continue;
    CK_ASSIGN_OR_RETURN(DeviceTail at, store.LastEntry(d.id, d.acked_seq));
    if (at.last_seq != d.acked_seq) {
      return base::DataLoss("device '" + d.name + "': acked through seq " +
                            std::to_string(d.acked_seq) + " but that entry is not held");
    }
    journal::AckClaim ack{.seq = d.acked_seq, .entry_hash = at.hash, .created = now};
    CK_ASSIGN_OR_RETURN(base::Bytes kid, base::FromHex(d.kid_hex));
    if (kid.size() != ack.device_kid.size()) return base::DataLoss("stored kid is not 8 bytes");
    std::copy(kid.begin(), kid.end(), ack.device_kid.begin());
    CK_ASSIGN_OR_RETURN(base::Bytes file, journal::WriteAck(ack, key));
    const std::string path = out_dir + "/" + journal::AckFileName(ack.device_kid);
    CK_TRY(base::WriteFileAtomic(fs, path, base::AsChars(file), 0644));
    std::fprintf(out, "%s: device %s acknowledged through seq %" PRId64 "\n", path.c_str(),
                 d.name.c_str(), d.acked_seq);
  }
  return base::Status::Ok();
}

base::Status ListEntries(HubStore& store, const std::optional<std::string>& device_name,
                         std::FILE* out) {
  std::optional<int64_t> id;
  if (device_name) {
    CK_ASSIGN_OR_RETURN(std::optional<Device> d, store.FindDeviceByName(*device_name));
    if (!d) return base::NotFound("no device named '" + *device_name + "'");
    id = d->id;
  }
  return store.ForEachEntry(id, [out](const StoredEntry& se) {
    const journal::Entry& e = se.entry;
    nlohmann::json j = {{"device", se.device},
                        {"seq", e.seq},
                        {"uuid", e.uuid},
                        {"kind", journal::KindName(e.kind)},
                        {"time", base::FormatIso8601Utc(e.time_utc)},
                        {"time_utc", e.time_utc},
                        {"rid", e.rid ? base::ToHex(*e.rid) : ""},
                        {"partner", e.partner_id},
                        {"event", e.event_id},
                        {"offer", e.offer_id},
                        {"purchase_minor", e.purchase_minor},
                        {"discount_minor", e.discount_minor},
                        {"bundle_seq", e.bundle_seq},
                        {"verdict", e.verdict},
                        {"decision", e.decision}};
    std::fprintf(out, "%s\n", j.dump().c_str());
    return base::Status::Ok();
  });
}

}  // namespace hub
