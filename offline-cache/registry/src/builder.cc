#include "registry/builder.h"

#include <unistd.h>

#include <algorithm>
#include <limits>

#include "base/file.h"
#include "base/hex.h"
#include "registry/admin_tables.h"
#include "registry/state.h"
#include "sqlite/db.h"

namespace registry {
namespace {

std::string JoinBar(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : "|") + s;
  return out;
}

base::Status InsertKeys(sqlite::Db& db, const std::vector<card::IssuerKey>& keys) {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st,
                      db.Prepare("INSERT INTO issuer_keys(kid, iss, alg, spki, not_before, "
                                 "not_after, withdrawn) VALUES(?,?,?,?,?,?,?)"));
  for (const card::IssuerKey& k : keys) {
    const int64_t alg = k.key.type() == card::KeyType::kEd25519
                            ? static_cast<int64_t>(card::Alg::kEdDSA)
                            : static_cast<int64_t>(card::Alg::kES256);
    st.Bind(1, k.kid).Bind(2, k.iss).Bind(3, alg).Bind(4, k.key.spki_der());
    if (k.not_before == std::numeric_limits<int64_t>::min())
      st.BindNull(5);
    else
      st.Bind(5, k.not_before);
    if (k.not_after == std::numeric_limits<int64_t>::max())
      st.BindNull(6);
    else
      st.Bind(6, k.not_after);
    st.Bind(7, int64_t{k.withdrawn ? 1 : 0});
    base::Status s = st.Run();
    if (!s.ok()) return s.WithContext("issuer key");
  }
  return base::Status::Ok();
}

base::Status InsertMembers(sqlite::Db& db, const std::vector<MemberRecord>& members) {
  CK_ASSIGN_OR_RETURN(
      sqlite::Stmt st,
      db.Prepare("INSERT INTO member_status(rid, status, min_serial) VALUES(?,?,?)"));
  for (const MemberRecord& m : members) {
    CK_TRY(
        st.Bind(1, m.rid).Bind(2, MemberStateCode(m.state)).Bind(3, int64_t{m.min_serial}).Run());
  }
  return base::Status::Ok();
}

base::Status InsertPartnersAndOffers(sqlite::Db& db, const RegistryContents& c) {
  CK_ASSIGN_OR_RETURN(
      sqlite::Stmt p,
      db.Prepare("INSERT INTO partners(partner_id, name, city, address) VALUES(?,?,?,?)"));
  for (const Partner& x : c.partners)
    CK_TRY(p.Bind(1, x.partner_id).Bind(2, x.name).Bind(3, x.city).Bind(4, x.address).Run());
  CK_ASSIGN_OR_RETURN(sqlite::Stmt o,
                      db.Prepare("INSERT INTO offers(partner_id, offer_id, kind, value, "
                                 "min_purchase_minor, max_discount_minor, categories, "
                                 "orgs, valid_from, valid_to, weekdays, hours_from, hours_to, "
                                 "cap_count, cap_amount_minor, cap_period, title) "
                                 "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  auto opt = [&](int i, const std::optional<int64_t>& v) {
    if (v)
      o.Bind(i, *v);
    else
      o.BindNull(i);
  };
  for (const Offer& x : c.offers) {
    o.Bind(1, x.partner_id).Bind(2, x.offer_id).Bind(3, OfferKindName(x.kind)).Bind(4, x.value);
    o.Bind(5, x.min_purchase_minor);
    opt(6, x.max_discount_minor);
    o.Bind(7, int64_t{x.categories}).Bind(8, JoinBar(x.orgs));
    opt(9, x.valid_from_day);
    opt(10, x.valid_to_day);
    o.Bind(11, int64_t{x.weekdays}).Bind(12, int64_t{x.hours_from}).Bind(13, int64_t{x.hours_to});
    opt(14, x.cap_count);
    opt(15, x.cap_amount_minor);
    if (x.cap_period)
      o.Bind(16, CapPeriodName(*x.cap_period));
    else
      o.BindNull(16);
    o.Bind(17, x.title);
    CK_TRY(o.Run());
  }
  return base::Status::Ok();
}

base::Status InsertEvents(sqlite::Db& db, const RegistryContents& c) {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt e,
                      db.Prepare("INSERT INTO events(event_id, title, venue, starts, ends, mode, "
                                 "entries_per_member, capacity) VALUES(?,?,?,?,?,?,?,?)"));
  for (const Event& x : c.events) {
    e.Bind(1, x.event_id).Bind(2, x.title).Bind(3, x.venue).Bind(4, x.starts).Bind(5, x.ends);
    e.Bind(6, EventModeName(x.mode)).Bind(7, x.entries_per_member);
    if (x.capacity)
      e.Bind(8, *x.capacity);
    else
      e.BindNull(8);
    CK_TRY(e.Run());
  }
  CK_ASSIGN_OR_RETURN(sqlite::Stmt r, db.Prepare("INSERT INTO roster(event_id, rid) VALUES(?,?)"));
  for (const auto& [event_id, rid] : c.roster) CK_TRY(r.Bind(1, event_id).Bind(2, rid).Run());
  return base::Status::Ok();
}

// The registry's state digest, recorded in it (a meta row outside the state), so that a kiosk that
// installs this registry from a full bundle knows its state without reading 3.5 M rows when the
// first delta comes. Members sorted by rid (as cardctl reads them) are hashed from memory, as
// DiffRegistries takes them; otherwise, and without them in the file, the table is read back.
base::Status RecordDigest(sqlite::Db& db, const RegistryContents& c) {
  const bool sorted = std::adjacent_find(c.members.begin(), c.members.end(),
                                         [](const MemberRecord& a, const MemberRecord& b) {
                                           return !(a.rid < b.rid);
                                         }) == c.members.end();
  CK_ASSIGN_OR_RETURN(StateDigest d, ComputeStateDigest(db, sorted ? &c.members : nullptr));
  return RecordStateDigest(db, d);
}

// A key signs member cards or admin cards, never both: otherwise a stolen member card key
// would make admin cards.
base::Status CheckKeyRoles(const RegistryContents& c) {
  for (const card::IssuerKey& a : c.admin_keys) {
    for (const card::IssuerKey& i : c.issuer_keys) {
      if (a.kid == i.kid) {
        return base::InvalidArgument("the key " + base::ToHex(a.kid) +
                                     " is listed as an issuer key and as an admin key; a key "
                                     "signs member cards or admin cards, not both");
      }
    }
  }
  return base::Status::Ok();
}

bool HasAdminRows(const RegistryContents& c) {
  return !c.admin_keys.empty() || !c.withdrawn_admins.empty();
}

}  // namespace

std::string_view OfferKindName(OfferKind k) {
  switch (k) {
    case OfferKind::kFixed:
      return "fixed";
    case OfferKind::kCashback:
      return "cashback";
    case OfferKind::kPercent:
      break;
  }
  return "percent";
}
std::string_view CapPeriodName(CapPeriod p) {
  return p == CapPeriod::kDay ? "day" : p == CapPeriod::kWeek ? "week" : "month";
}
std::string_view EventModeName(EventMode m) { return m == EventMode::kRoster ? "roster" : "open"; }

base::Status BuildRegistry(const std::string& path, const RegistryContents& c, bool members) {
  if (::access(path.c_str(), F_OK) == 0) return base::AlreadyExists(path + " already exists");
  CK_TRY(CheckKeyRoles(c));
  CK_ASSIGN_OR_RETURN(sqlite::Db db, sqlite::Db::Open(path, sqlite::Db::Mode::kReadWriteCreate));
  // A fresh file that nobody reads until it is complete: no journal, sync once at the end.
  CK_TRY(
      db.Exec("PRAGMA page_size=4096; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
              "PRAGMA cache_size=-65536; PRAGMA locking_mode=EXCLUSIVE"));
  CK_TRY(CreateSchema(db));
  CK_TRY(db.Exec("BEGIN"));
  Meta meta = c.meta;
  // A cashback offer read as a discount by a kiosk that knows only version 1 would give money
  // away at the till: such a registry is version 2, which those kiosks refuse.
  const bool cashback = std::any_of(c.offers.begin(), c.offers.end(),
                                    [](const Offer& o) { return o.kind == OfferKind::kCashback; });
  if (cashback) meta.schema_version = std::max(meta.schema_version, kSchemaVersionCashback);
  // Admin cards read by a kiosk that knows none would be refused as malformed, and a withdrawn
  // one could not be withdrawn there: such a registry is version 3.
  if (HasAdminRows(c)) meta.schema_version = std::max(meta.schema_version, kSchemaVersionAdmin);
  CK_TRY(WriteMeta(db, meta));
  if (HasAdminRows(c)) {
    CK_TRY(CreateAdminTables(db));
    CK_TRY(InsertAdminTables(db, c.admin_keys, c.withdrawn_admins));
  }
  CK_TRY(InsertKeys(db, c.issuer_keys));
  if (members) CK_TRY(InsertMembers(db, c.members));
  CK_TRY(InsertPartnersAndOffers(db, c));
  CK_TRY(InsertEvents(db, c));
  CK_TRY(RecordDigest(db, c));
  CK_TRY(db.Exec("COMMIT"));
  CK_TRY(db.Exec("PRAGMA synchronous=FULL"));
  CK_TRY(db.Close());
  // The content is about to be hashed and shipped: make sure what we hash is what is on disk.
  return base::SyncFilesystem(path);
}

}  // namespace registry
