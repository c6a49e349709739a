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
  CK_ASSIGN_OR_RETURN(std::string bytes, base::ReadFile(bundle_file, uint64_t{1} << 32));
  BundleRecord rec;
  rec.seq = seq;
  rec.file = "bundles/seq" + std::to_string(seq) + ".ckbundle";
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
  std::fprintf(out,
               "name\tkid\tenrolled\tlast_seen\tacked_seq\tstate\tregistry_seq\t"
               "last_seq_received\tlast_entry\tapp_version\tpending\n");
  for (const Device& d : devices) {
    CK_ASSIGN_OR_RETURN(DeviceTail tail, store.LastEntry(d.id, journal::kMaxSeq));
    std::string last = d.last_contact ? base::FormatIso8601Utc(d.last_contact) : "never";
    std::string entry = tail.last_seq ? base::FormatIso8601Utc(tail.time_utc) : "-";
    std::string bundle = tail.last_seq ? std::to_string(tail.bundle_seq) : "-";
    // The kiosks do not tell the hub their app version or their journal's end: "-".
    std::fprintf(out, "%s\t%s\t%s\t%s\t%" PRId64 "\t%s\t%s\t%" PRId64 "\t%s\t-\t-\n",
                 d.name.c_str(), d.kid_hex.c_str(), base::FormatIso8601Utc(d.enrolled).c_str(),
                 last.c_str(), d.acked_seq, d.withdrawn ? "withdrawn" : "active", bundle.c_str(),
                 tail.last_seq, entry.c_str());
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

namespace {

// Every clock correction a kiosk recorded (kind clock_correction: an admin confirmed its clock),
// with time_utc in [from, to), by device name and seq.
base::Status ForEachClockCorrection(HubStore& store, int64_t from, int64_t to,
                                    const std::function<void(const StoredEntry&)>& fn) {
  return store.ForEachEntryOfKind(journal::Kind::kClockCorrection, [&](const StoredEntry& se) {
    const journal::Entry& e = se.entry;
    if (e.time_utc >= from && e.time_utc < to) fn(se);
    return base::Status::Ok();
  });
}

// One line per journal chain after a device's first (an admin's new chain after a lost journal,
// or a journal replaced): where the one before it ended.
base::Status PrintNewChains(HubStore& store, std::FILE* out) {
  CK_ASSIGN_OR_RETURN(std::vector<JournalChain> chains, store.ListChains());
  for (const JournalChain& c : chains) {
    if (c.chain == 1) continue;  // a device's first chain is no alarm
    const std::string previous = c.previous_journal_id.empty() ? "none" : c.previous_journal_id;
    std::fprintf(out,
                 "new_chain device=%s chain=%" PRId64
                 " journal=%s at=%s previous_journal=%s "
                 "reason=new journal chain: previous chain ended at seq %" PRId64 "\n",
                 c.device.c_str(), c.chain, c.journal_id.c_str(),
                 base::FormatIso8601Utc(c.started).c_str(), previous.c_str(), c.previous_last_seq);
  }
  return base::Status::Ok();
}

std::string IsoOrNone(int64_t t) { return t == 0 ? "none" : base::FormatIso8601Utc(t); }

}  // namespace

base::Status Flags(HubStore& store, base::FileSystem& fs, const std::string& data_dir,
                   int64_t utc_offset_seconds, std::FILE* out) {
  CK_ASSIGN_OR_RETURN(std::vector<Conflict> conflicts, store.ListConflicts());
  for (const Conflict& c : conflicts) {
    std::fprintf(out, "conflict device=%s seq=%" PRId64 " uuid=%s at=%s reason=%s\n",
                 c.device.c_str(), c.seq, c.uuid.c_str(),
                 base::FormatIso8601Utc(c.received).c_str(), c.reason.c_str());
  }
  CK_TRY(PrintNewChains(store, out));
  CK_TRY(ForEachClockCorrection(store, INT64_MIN, INT64_MAX, [out](const StoredEntry& se) {
    const journal::Entry& e = se.entry;
    std::fprintf(out, "clock_correction device=%s seq=%" PRId64 " time=%s before=%s actor=%s\n",
                 se.device.c_str(), e.seq, base::FormatIso8601Utc(e.time_utc).c_str(),
                 IsoOrNone(e.clock_before_utc).c_str(), e.actor.c_str());
  }));
  const std::string path = data_dir + "/" + bundle::kRegistryFile;
  if (!fs.Exists(path)) {
    return base::FailedPrecondition("no published bundle: the offers' caps are unknown");
  }
  CK_ASSIGN_OR_RETURN(std::unique_ptr<registry::Registry> reg, registry::Registry::Open(path));
  std::map<std::string, std::map<std::string, registry::Offer>> offers;  // partner -> id -> offer
  struct Use {
    int64_t count = 0;
    std::set<std::string> devices;
  };
  // (rid, offer, period start) -> use
  std::map<std::tuple<std::string, std::string, int64_t>, Use> uses;
  base::Status st = store.ForEachEntry(std::nullopt, [&](const StoredEntry& se) {
    const journal::Entry& e = se.entry;
    if (e.kind != journal::Kind::kDiscount || e.decision != journal::kAccepted || !e.rid ||
        e.offer_id.empty()) {
      return base::Status::Ok();
    }
    auto it = offers.find(e.partner_id);
    if (it == offers.end()) {
      CK_ASSIGN_OR_RETURN(std::vector<registry::Offer> list, reg->OffersOf(e.partner_id));
      auto& m = offers[e.partner_id];
      for (registry::Offer& o : list) m[o.offer_id] = std::move(o);
      it = offers.find(e.partner_id);
    }
    auto o = it->second.find(e.offer_id);
    if (o == it->second.end() || !o->second.cap_count || !o->second.cap_period) {
      return base::Status::Ok();
    }
    int64_t start = rules::PeriodStart(*o->second.cap_period, e.time_utc, utc_offset_seconds);
    Use& u = uses[{base::ToHex(*e.rid), e.offer_id, start}];
    ++u.count;
    u.devices.insert(se.device);
    return base::Status::Ok();
  });
  CK_TRY(st);
  for (const auto& [key, u] : uses) {
    const auto& [rid, offer_id, start] = key;
    // Find the offer's cap again (any partner holding this offer id).
    int64_t cap = 0;
    std::string period;
    for (const auto& [partner, m] : offers) {
      auto o = m.find(offer_id);
      if (o != m.end() && o->second.cap_count) {
        cap = *o->second.cap_count;
        period = std::string(registry::CapPeriodName(*o->second.cap_period));
      }
    }
    if (u.count <= cap || u.devices.size() < 2) continue;
    std::string devs;
    for (const std::string& d : u.devices) devs += (devs.empty() ? "" : ",") + d;
    std::fprintf(out,
                 "rid=%s offer=%s period=%s from=%s count=%" PRId64 " cap=%" PRId64 " devices=%s\n",
                 rid.c_str(), offer_id.c_str(), period.c_str(),
                 base::FormatIso8601Utc(start).c_str(), u.count, cap, devs.c_str());
  }
  return base::Status::Ok();
}

}  // namespace hub
