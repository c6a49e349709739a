// `cardhub flags`: what needs an admin's eye (conflicts, clock corrections, kiosks voiding or
// refusing far more than normal, expired bundles, members over a count cap across kiosks), as text
// lines of key=value or as CSV (a `rid` column, for `cardctl members-of`).
#include <cinttypes>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "base/fs.h"
#include "base/hex.h"
#include "base/time_format.h"
#include "bundle/format.h"
#include "bundle/importer.h"
#include "deltas.h"
#include "hub/admin.h"
#include "registry/registry.h"
#include "report_layout.h"
#include "rules/local_time.h"

namespace hub {
namespace {

struct FlagField {
  std::string key, value;
};
// One flag: its kind (conflict, new_chain, clock_correction, voids_above_normal, refused_scans,
// bundle_expired, kiosk_bundle_expired, over_cap) and its fields, in print order.
using FlagFn = std::function<void(const std::string& kind, const std::vector<FlagField>& fields)>;

std::string IsoOrNone(int64_t t) { return t == 0 ? "none" : base::FormatIso8601Utc(t); }

// One flag per journal chain after a device's first (an admin's new chain after a lost journal,
// or a journal replaced): where the one before it ended.
base::Status NewChains(HubStore& store, const FlagFn& fn) {
  CK_ASSIGN_OR_RETURN(std::vector<JournalChain> chains, store.ListChains());
  for (const JournalChain& c : chains) {
    if (c.chain == 1) continue;  // a device's first chain is no alarm
    fn("new_chain",
       {{"device", c.device},
        {"chain", std::to_string(c.chain)},
        {"journal", c.journal_id},
        {"at", base::FormatIso8601Utc(c.started)},
        {"previous_journal", c.previous_journal_id.empty() ? "none" : c.previous_journal_id},
        {"reason",
         "new journal chain: previous chain ended at seq " + std::to_string(c.previous_last_seq)}});
  }
  return base::Status::Ok();
}

base::Status ConflictsAndClocks(HubStore& store, const FlagFn& fn) {
  CK_ASSIGN_OR_RETURN(std::vector<Conflict> conflicts, store.ListConflicts());
  for (const Conflict& c : conflicts) {
    fn("conflict", {{"device", c.device},
                    {"seq", std::to_string(c.seq)},
                    {"uuid", c.uuid},
                    {"at", base::FormatIso8601Utc(c.received)},
                    {"reason", c.reason}});
  }
  CK_TRY(NewChains(store, fn));
  // Every clock correction a kiosk recorded (kind clock_correction: an admin confirmed its clock),
  // found by one query by kind.
  return store.ForEachEntryOfKind(journal::Kind::kClockCorrection, [&fn](const StoredEntry& se) {
    const journal::Entry& e = se.entry;
    fn("clock_correction", {{"device", se.device},
                            {"seq", std::to_string(e.seq)},
                            {"time", base::FormatIso8601Utc(e.time_utc)},
                            {"before", IsoOrNone(e.clock_before_utc)},
                            {"actor", e.actor}});
    return base::Status::Ok();
  });
}

struct VoidCount {
  int64_t voids = 0, discounts = 0;
};

// part / whole as a percent with one decimal, rounded half up ("0.0" when whole is 0).
std::string Percent(int64_t part, int64_t whole) {
  const int64_t tenths = whole == 0 ? 0 : (part * 1000 + whole / 2) / whole;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10);
}

// Whether a device's void rate is above normal: above kVoidRateFactor times the rest of the
// fleet's, or above kVoidRateFloorPercent when the rest voided nothing. In integers:
// voids/discounts > factor * rest.voids/rest.discounts.
bool AboveNormal(const VoidCount& c, const VoidCount& rest) {
  if (rest.voids == 0) return c.voids * 100 > kVoidRateFloorPercent * c.discounts;
  return c.voids * rest.discounts > kVoidRateFactor * rest.voids * c.discounts;
}

// The devices whose voids are far above the fleet's normal over the last kVoidWindowSeconds, by
// the hub's clock (when it received the entries): a device's voids are its accepted discounts of
// the window that a void of the window cancels, its rate those over its accepted discounts of
// the window. Two queries by kind: the voids (few), then the discounts.
base::Status VoidsAboveNormal(HubStore& store, int64_t now, const FlagFn& fn) {
  const int64_t since = now - kVoidWindowSeconds;
  std::set<std::pair<std::string, std::string>> voided;  // (device, uuid a void cancels)
  CK_TRY(store.ForEachEntryOfKind(journal::Kind::kVoid, [&](const StoredEntry& se) {
    if (se.received >= since) voided.emplace(se.device, se.entry.ref_uuid);
    return base::Status::Ok();
  }));
  if (voided.empty()) return base::Status::Ok();
  std::map<std::string, VoidCount> of;  // by device name
  VoidCount fleet;
  CK_TRY(store.ForEachEntryOfKind(journal::Kind::kDiscount, [&](const StoredEntry& se) {
    if (se.received < since || se.entry.decision != journal::kAccepted) {
      return base::Status::Ok();
    }
    const int64_t v = voided.count({se.device, se.entry.uuid}) ? 1 : 0;
    VoidCount& c = of[se.device];
    c.discounts += 1;
    c.voids += v;
    fleet.discounts += 1;
    fleet.voids += v;
    return base::Status::Ok();
  }));
  for (const auto& [device, c] : of) {
    const VoidCount rest{fleet.voids - c.voids, fleet.discounts - c.discounts};
    if (c.voids < kMinVoids || !AboveNormal(c, rest)) continue;
    fn("voids_above_normal", {{"device", device},
                              {"voids", std::to_string(c.voids)},
                              {"discounts", std::to_string(c.discounts)},
                              {"rate", Percent(c.voids, c.discounts)},
                              {"fleet_rate", Percent(rest.voids, rest.discounts)},
                              {"since", base::FormatIso8601Utc(since)}});
  }
  return base::Status::Ok();
}

base::Result<std::map<int64_t, std::string>> DeviceNames(HubStore& store) {
  CK_ASSIGN_OR_RETURN(std::vector<Device> devices, store.ListDevices());
  std::map<int64_t, std::string> names;
  for (const Device& d : devices) names[d.id] = d.name;
  return names;
}

// The devices whose status reports received in the last kRefusedScansWindowSeconds (hub clock)
// count at least kMinRefusedScans refused scans together, with the sum per reason.
base::Status RefusedScans(HubStore& store, int64_t now, const FlagFn& fn) {
  const int64_t since = now - kRefusedScansWindowSeconds;
  CK_ASSIGN_OR_RETURN(std::vector<DeviceStatus> latest, store.LatestStatuses());
  CK_ASSIGN_OR_RETURN(auto names, DeviceNames(store));
  for (const DeviceStatus& l : latest) {
    if (l.received < since) continue;  // no report in the window
    CK_ASSIGN_OR_RETURN(std::vector<DeviceStatus> history,
                        store.StatusHistory(l.device_id, kStatusesKept));
    std::map<std::string, int64_t> by_reason;
    int64_t total = 0;
    for (const DeviceStatus& s : history) {
      if (s.received < since) break;  // newest first
      for (const auto& [reason, n] : s.failed_scans) {
        by_reason[reason] += n;
        total += n;
      }
    }
    if (total < kMinRefusedScans) continue;
    std::string reasons;
    for (const auto& [reason, n] : by_reason)
      reasons += (reasons.empty() ? "" : ",") + reason + ":" + std::to_string(n);
    fn("refused_scans", {{"device", names[l.device_id]},
                         {"refused", std::to_string(total)},
                         {"reasons", reasons},
                         {"since", base::FormatIso8601Utc(since)}});
  }
  return base::Status::Ok();
}

base::Result<bundle::Manifest> ReadManifest(base::FileSystem& fs, const std::string& path) {
  CK_ASSIGN_OR_RETURN(std::unique_ptr<base::SequentialFile> in, fs.OpenSequential(path));
  base::Result<bundle::Header> h = bundle::ReadHeader(*in, nullptr);  // checked when published
  if (!h.ok()) return h.status().WithContext(path);
  return h->manifest;
}

// The valid-until of the hub's copy of bundle `seq`: its full bundle, else a delta to it; nullopt
// when the hub holds neither.
base::Result<std::optional<int64_t>> HeldNotAfter(base::FileSystem& fs, const std::string& data_dir,
                                                  const std::vector<DeltaFile>& deltas,
                                                  int64_t seq) {
  std::string file = FullBundleFileName(seq);
  if (!fs.Exists(data_dir + "/" + file)) {
    file.clear();
    for (const DeltaFile& d : deltas)
      if (d.seq == seq) file = d.file;
    if (file.empty()) return std::optional<int64_t>();
  }
  CK_ASSIGN_OR_RETURN(bundle::Manifest m, ReadManifest(fs, data_dir + "/" + file));
  return std::optional<int64_t>(m.not_after);
}

// The latest published bundle when its validity (manifest not_after) has passed at `now`, then
// every kiosk whose latest status report says it decides with a registry seq whose bundle the hub
// holds and whose validity has passed. A kiosk without a registry (seq 0), or at a seq the hub
// holds no bundle of, is not judged here.
base::Status ExpiredBundles(HubStore& store, base::FileSystem& fs, const std::string& data_dir,
                            int64_t now, const FlagFn& fn) {
  CK_ASSIGN_OR_RETURN(std::optional<BundleRecord> latest, store.LatestBundle());
  if (!latest) return base::Status::Ok();
  CK_ASSIGN_OR_RETURN(bundle::Manifest m, ReadManifest(fs, data_dir + "/" + latest->file));
  if (now >= m.not_after) {
    fn("bundle_expired", {{"seq", std::to_string(latest->seq)},
                          {"valid_until", base::FormatIso8601Utc(m.not_after)}});
  }
  CK_ASSIGN_OR_RETURN(std::vector<DeviceStatus> statuses, store.LatestStatuses());
  CK_ASSIGN_OR_RETURN(auto names, DeviceNames(store));
  const std::vector<DeltaFile> deltas = ListDeltas(data_dir);
  std::map<int64_t, std::optional<int64_t>> not_after_of;  // by seq, each read once
  for (const DeviceStatus& s : statuses) {
    if (s.registry_seq <= 0) continue;
    auto it = not_after_of.find(s.registry_seq);
    if (it == not_after_of.end()) {
      CK_ASSIGN_OR_RETURN(std::optional<int64_t> t,
                          HeldNotAfter(fs, data_dir, deltas, s.registry_seq));
      it = not_after_of.emplace(s.registry_seq, t).first;
    }
    if (!it->second || now < *it->second) continue;
    fn("kiosk_bundle_expired", {{"device", names[s.device_id]},
                                {"registry_seq", std::to_string(s.registry_seq)},
                                {"valid_until", base::FormatIso8601Utc(*it->second)},
                                {"reported", base::FormatIso8601Utc(s.received)}});
  }
  return base::Status::Ok();
}

struct Use {
  int64_t count = 0;
  std::set<std::string> devices;
};
// (rid, offer, period start) -> use
using Uses = std::map<std::tuple<std::string, std::string, int64_t>, Use>;
using OffersByPartner = std::map<std::string, std::map<std::string, registry::Offer>>;

// The accepted discounts under an offer with a count cap, counted per member and cap period.
base::Status CountCappedUses(HubStore& store, registry::Registry& reg, int64_t utc_offset_seconds,
                             OffersByPartner* offers, Uses* uses) {
  return store.ForEachEntry(std::nullopt, [&](const StoredEntry& se) {
    const journal::Entry& e = se.entry;
    if (e.kind != journal::Kind::kDiscount || e.decision != journal::kAccepted || !e.rid ||
        e.offer_id.empty()) {
      return base::Status::Ok();
    }
    auto it = offers->find(e.partner_id);
    if (it == offers->end()) {
      CK_ASSIGN_OR_RETURN(std::vector<registry::Offer> list, reg.OffersOf(e.partner_id));
      auto& m = (*offers)[e.partner_id];
      for (registry::Offer& o : list) m[o.offer_id] = std::move(o);
      it = offers->find(e.partner_id);
    }
    auto o = it->second.find(e.offer_id);
    if (o == it->second.end() || !o->second.cap_count || !o->second.cap_period) {
      return base::Status::Ok();
    }
    int64_t start = rules::PeriodStart(*o->second.cap_period, e.time_utc, utc_offset_seconds);
    Use& u = (*uses)[{base::ToHex(*e.rid), e.offer_id, start}];
    ++u.count;
    u.devices.insert(se.device);
    return base::Status::Ok();
  });
}

base::Status OverCap(HubStore& store, base::FileSystem& fs, const std::string& data_dir,
                     int64_t utc_offset_seconds, const FlagFn& fn) {
  const std::string path = data_dir + "/" + bundle::kRegistryFile;
  if (!fs.Exists(path)) {
    return base::FailedPrecondition("no published bundle: the offers' caps are unknown");
  }
  CK_ASSIGN_OR_RETURN(std::unique_ptr<registry::Registry> reg, registry::Registry::Open(path));
  OffersByPartner offers;
  Uses uses;
  CK_TRY(CountCappedUses(store, *reg, utc_offset_seconds, &offers, &uses));
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
    fn("over_cap", {{"rid", rid},
                    {"offer", offer_id},
                    {"period", period},
                    {"from", base::FormatIso8601Utc(start)},
                    {"count", std::to_string(u.count)},
                    {"cap", std::to_string(cap)},
                    {"devices", devs}});
  }
  return base::Status::Ok();
}

base::Status ForEachFlag(HubStore& store, base::FileSystem& fs, const std::string& data_dir,
                         int64_t utc_offset_seconds, int64_t now, const FlagFn& fn) {
  CK_TRY(ConflictsAndClocks(store, fn));
  CK_TRY(VoidsAboveNormal(store, now, fn));
  CK_TRY(RefusedScans(store, now, fn));
  CK_TRY(ExpiredBundles(store, fs, data_dir, now, fn));
  return OverCap(store, fs, data_dir, utc_offset_seconds, fn);
}

// The CSV's columns: the kind, then every key a flag may have.
constexpr const char* kCsvColumns[] = {"rid",     "device",      "seq",          "uuid",
                                       "offer",   "period",      "from",         "count",
                                       "cap",     "devices",     "chain",        "journal",
                                       "time",    "before",      "actor",        "previous_journal",
                                       "at",      "reason",      "voids",        "discounts",
                                       "rate",    "fleet_rate",  "since",        "refused",
                                       "reasons", "valid_until", "registry_seq", "reported"};

}  // namespace

base::Status Flags(HubStore& store, base::FileSystem& fs, const std::string& data_dir,
                   int64_t utc_offset_seconds, int64_t now, std::FILE* out) {
  return ForEachFlag(store, fs, data_dir, utc_offset_seconds, now,
                     [out](const std::string& kind, const std::vector<FlagField>& fields) {
                       // An over-cap line starts with its rid.
                       std::string line = kind == "over_cap" ? "" : kind;
                       for (const FlagField& f : fields)
                         line += (line.empty() ? "" : " ") + f.key + "=" + f.value;
                       std::fprintf(out, "%s\n", line.c_str());
                     });
}

base::Result<std::string> FlagsCsv(HubStore& store, base::FileSystem& fs,
                                   const std::string& data_dir, int64_t utc_offset_seconds,
                                   int64_t now) {
  std::string csv = "\xEF\xBB\xBFkind";
  for (const char* c : kCsvColumns) csv += std::string(";") + c;
  csv += "\r\n";
  CK_TRY(ForEachFlag(store, fs, data_dir, utc_offset_seconds, now,
                     [&csv](const std::string& kind, const std::vector<FlagField>& fields) {
                       csv += kind;
                       for (const char* c : kCsvColumns) {
                         csv += ';';
                         for (const FlagField& f : fields)
                           if (f.key == c) csv += ExcelCsvField(f.value);
                       }
                       csv += "\r\n";
                     }));
  return csv;
}

}  // namespace hub
