// `cardhub flags`: what needs an admin's eye (conflicts, clock corrections, members over a count
// cap across kiosks), as text lines of key=value or as CSV (a `rid` column, for `cardctl
// members-of`).
#include <cinttypes>
#include <cstdint>
#include <functional>
#include <map>
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
#include "hub/admin.h"
#include "registry/registry.h"
#include "report_layout.h"
#include "rules/local_time.h"

namespace hub {
namespace {

struct FlagField {
  std::string key, value;
};
// One flag: its kind (conflict, new_chain, clock_correction, over_cap) and its fields, in print
// order.
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
                         int64_t utc_offset_seconds, const FlagFn& fn) {
  CK_TRY(ConflictsAndClocks(store, fn));
  return OverCap(store, fs, data_dir, utc_offset_seconds, fn);
}

// The CSV's columns: the kind, then every key a flag may have.
constexpr const char* kCsvColumns[] = {
    "rid", "device",  "seq",   "uuid",    "offer", "period", "from",  "count",
    "cap", "devices", "chain", "journal", "time",  "before", "actor", "previous_journal",
    "at",  "reason"};

}  // namespace

base::Status Flags(HubStore& store, base::FileSystem& fs, const std::string& data_dir,
                   int64_t utc_offset_seconds, std::FILE* out) {
  return ForEachFlag(store, fs, data_dir, utc_offset_seconds,
                     [out](const std::string& kind, const std::vector<FlagField>& fields) {
                       // An over-cap line starts with its rid.
                       std::string line = kind == "over_cap" ? "" : kind;
                       for (const FlagField& f : fields)
                         line += (line.empty() ? "" : " ") + f.key + "=" + f.value;
                       std::fprintf(out, "%s\n", line.c_str());
                     });
}

base::Result<std::string> FlagsCsv(HubStore& store, base::FileSystem& fs,
                                   const std::string& data_dir, int64_t utc_offset_seconds) {
  std::string csv = "\xEF\xBB\xBFkind";
  for (const char* c : kCsvColumns) csv += std::string(";") + c;
  csv += "\r\n";
  CK_TRY(ForEachFlag(store, fs, data_dir, utc_offset_seconds,
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
