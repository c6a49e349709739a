#include "hub/report.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <optional>
#include <tuple>

#include "base/time_format.h"
#include "bundle/importer.h"
#include "registry/registry.h"

namespace hub {
namespace {

SumDetail DetailOf(ReportBy by) {
  switch (by) {
    case ReportBy::kOffer:
      return SumDetail::kOffer;
    case ReportBy::kDevice:
      return SumDetail::kDevice;
    case ReportBy::kDay:
      return SumDetail::kDay;
    default:
      return SumDetail::kNone;
  }
}

// "YYYY-MM-DD" of a local day number (days since 1970-01-01).
std::string DayText(const std::string& day_number) {
  int64_t day = 0;
  auto [end, ec] = std::from_chars(day_number.data(), day_number.data() + day_number.size(), day);
  if (ec != std::errc() || end != day_number.data() + day_number.size()) return day_number;
  return base::FormatIso8601Utc(day * 86400).substr(0, 10);
}

// Names from the published registry, looked up once each.
class Names {
 public:
  explicit Names(std::unique_ptr<registry::Registry> reg) : reg_(std::move(reg)) {}

  base::Result<std::string> Partner(const std::string& id) {
    if (!reg_) return std::string();
    auto it = partners_.find(id);
    if (it != partners_.end()) return it->second;
    CK_ASSIGN_OR_RETURN(std::optional<registry::Partner> p, reg_->FindPartner(id));
    CK_ASSIGN_OR_RETURN(std::vector<registry::Offer> offers, reg_->OffersOf(id));
    for (const registry::Offer& o : offers) offers_[{id, o.offer_id}] = o.title;
    return partners_[id] = p ? p->name : "";
  }
  std::string Offer(const std::string& partner, const std::string& offer) {
    auto it = offers_.find({partner, offer});
    return it == offers_.end() ? "" : it->second;
  }
  base::Result<std::string> Event(const std::string& id) {
    if (!reg_) return std::string();
    auto it = events_.find(id);
    if (it != events_.end()) return it->second;
    CK_ASSIGN_OR_RETURN(std::optional<registry::Event> e, reg_->FindEvent(id));
    return events_[id] = e ? e->title : "";
  }

 private:
  std::unique_ptr<registry::Registry> reg_;
  std::map<std::string, std::string> partners_, events_;
  std::map<std::pair<std::string, std::string>, std::string> offers_;
};

base::Status Gather(HubStore& store, const SumQuery& q, ReportBy by, Names& names,
                    std::vector<ReportLine>* out) {
  return store.SumEntries(q, [&](const SumRow& r) -> base::Status {
    ReportLine line{.id = r.scope_id,
                    .detail_id = r.detail,
                    .count = r.count,
                    .purchase_minor = r.purchase_minor,
                    .discount_minor = r.discount_minor,
                    .cashback_minor = r.cashback_minor,
                    .members = r.members};
    if (q.kind != journal::Kind::kDiscount) {
      CK_ASSIGN_OR_RETURN(line.name, names.Event(r.scope_id));
    } else {
      CK_ASSIGN_OR_RETURN(line.name, names.Partner(r.scope_id));
      if (by == ReportBy::kOffer) line.detail_name = names.Offer(r.scope_id, r.detail);
    }
    if (by == ReportBy::kDay) line.detail_id = DayText(r.detail);
    out->push_back(std::move(line));
    return base::Status::Ok();
  });
}

// The voided entries of q's kind, counted into `lines` (a line of its own where nothing of that
// partner and detail stood).
base::Status AddVoids(HubStore& store, SumQuery q, ReportBy by, Names& names,
                      std::vector<ReportLine>* lines) {
  q.voided = true;
  std::vector<ReportLine> voided;
  CK_TRY(Gather(store, q, by, names, &voided));
  for (const ReportLine& v : voided) {
    auto it = std::find_if(lines->begin(), lines->end(), [&](const ReportLine& l) {
      return l.id == v.id && l.detail_id == v.detail_id;
    });
    if (it == lines->end()) {
      ReportLine only = v;
      only.count = only.purchase_minor = only.discount_minor = only.cashback_minor = 0;
      only.members = 0;
      only.voids = v.count;
      lines->push_back(std::move(only));
    } else {
      it->voids += v.count;
    }
  }
  return base::Status::Ok();
}

// The manual counts of the period (voids netted out) into the events' `lines` (a line of its own
// where no member checked in for that event and detail).
base::Status AddManualCounts(HubStore& store, SumQuery q, ReportBy by, Names& names,
                             std::vector<ReportLine>* lines) {
  q.kind = journal::Kind::kManualCount;
  std::vector<ReportLine> manual;
  CK_TRY(Gather(store, q, by, names, &manual));
  for (const ReportLine& m : manual) {
    auto it = std::find_if(lines->begin(), lines->end(), [&](const ReportLine& l) {
      return l.id == m.id && l.detail_id == m.detail_id;
    });
    if (it == lines->end()) {
      ReportLine only = m;
      only.count = only.members = 0;
      only.manual = m.count;
      lines->push_back(std::move(only));
    } else {
      it->manual += m.count;
    }
  }
  return base::Status::Ok();
}

}  // namespace

base::Result<ReportBy> ParseReportBy(std::string_view s) {
  if (s == "partner") return ReportBy::kPartner;
  if (s == "offer") return ReportBy::kOffer;
  if (s == "device") return ReportBy::kDevice;
  if (s == "day") return ReportBy::kDay;
  return base::InvalidArgument("--by must be partner, offer, device or day, not '" +
                               std::string(s) + "'");
}

base::Result<ReportPeriod> MonthPeriod(std::string_view month, int64_t utc_offset_seconds) {
  unsigned y = 0, m = 0;
  const bool shaped = month.size() == 7 && month[4] == '-';
  auto [ye, yec] = std::from_chars(month.data(), month.data() + 4, y);
  auto [me, mec] = std::from_chars(month.data() + (shaped ? 5 : 0), month.data() + month.size(), m);
  if (!shaped || yec != std::errc() || ye != month.data() + 4 || mec != std::errc() ||
      me != month.data() + month.size() || y < 1970 || m < 1 || m > 12) {
    return base::InvalidArgument("--month must be YYYY-MM (e.g. 2026-12), not '" +
                                 std::string(month) + "'");
  }
  const unsigned next_y = m == 12 ? y + 1 : y, next_m = m == 12 ? 1 : m + 1;
  ReportPeriod p;
  p.from = base::DaysFromCivil(y, m, 1) * 86400 - utc_offset_seconds;
  p.to = base::DaysFromCivil(next_y, next_m, 1) * 86400 - utc_offset_seconds;
  p.label = std::string(month);
  return p;
}

std::string Roubles(int64_t minor, char decimal_point) {
  const bool negative = minor < 0;
  // Through unsigned: INT64_MIN has no positive counterpart.
  const uint64_t abs = negative ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  std::string cents = std::to_string(abs % 100);
  if (cents.size() < 2) cents.insert(0, "0");
  return (negative ? "-" : "") + std::to_string(abs / 100) + decimal_point + cents;
}

base::Result<Settlement> BuildSettlement(HubStore& store, base::FileSystem& fs,
                                         const std::string& data_dir, const ReportPeriod& period,
                                         ReportBy by, int64_t utc_offset_seconds,
                                         SettlementParts parts) {
  Settlement s{.period = period, .by = by};
  std::unique_ptr<registry::Registry> reg;
  const std::string path = data_dir + "/" + bundle::kRegistryFile;
  if (fs.Exists(path)) {
    CK_ASSIGN_OR_RETURN(reg, registry::Registry::Open(path));
    s.names_known = true;
  }
  Names names(std::move(reg));
  SumQuery q{.from = period.from,
             .to = period.to,
             .kind = journal::Kind::kDiscount,
             .detail = DetailOf(by),
             .utc_offset_seconds = utc_offset_seconds,
             .members = false};
  if (parts.partners) {
    CK_TRY(Gather(store, q, by, names, &s.partners));
    if (parts.voids) CK_TRY(AddVoids(store, q, by, names, &s.partners));
  }
  q.kind = journal::Kind::kCheckin;
  if (by == ReportBy::kOffer) q.detail = SumDetail::kNone;  // events have no offers
  const ReportBy event_by = by == ReportBy::kOffer ? ReportBy::kPartner : by;
  if (parts.events) {
    q.members = parts.members;
    CK_TRY(Gather(store, q, event_by, names, &s.events));
    q.members = false;  // manual counts have no rid
    CK_TRY(AddManualCounts(store, q, event_by, names, &s.events));
  }
  // Byte order on every backend (a database's collation may differ).
  for (std::vector<ReportLine>* lines : {&s.partners, &s.events}) {
    std::sort(lines->begin(), lines->end(), [](const ReportLine& a, const ReportLine& b) {
      return std::tie(a.id, a.detail_id) < std::tie(b.id, b.detail_id);
    });
  }
  return s;
}

}  // namespace hub
