#include "registry/registry.h"

#include <unistd.h>

#include "registry/admin_tables.h"

namespace registry {
namespace {

// An offer kind this device does not know is never read as another one (a discount given where
// the union meant cashback): the registry is refused instead.
base::Result<OfferKind> ParseStoredKind(const std::string& kind, int64_t schema_version) {
  if (kind == "percent") return OfferKind::kPercent;
  if (kind == "fixed") return OfferKind::kFixed;
  if (kind == "cashback" && schema_version >= kSchemaVersionCashback) return OfferKind::kCashback;
  return base::DataLoss("registry offer of unknown kind '" + kind + "' (schema version " +
                        std::to_string(schema_version) + ")");
}

}  // namespace

base::Status RollBackInterruptedChange(const std::string& path, const char* vfs) {
  const std::string journal = path + "-journal";
  if (::access(journal.c_str(), F_OK) != 0) return base::Status::Ok();
  CK_ASSIGN_OR_RETURN(sqlite::Db db, sqlite::Db::Open(path, sqlite::Db::Mode::kReadWrite, vfs));
  // The first read finds the journal hot (no writer holds a lock) and plays it back; while an
  // apply is still running the journal is not hot and nothing happens.
  CK_TRY(db.Exec("PRAGMA busy_timeout=10000; SELECT count(*) FROM sqlite_master"));
  return db.Close();
}

base::Result<std::vector<card::IssuerKey>> ReadIssuerKeys(sqlite::Db& db) {
  std::vector<card::IssuerKey> keys;
  CK_ASSIGN_OR_RETURN(
      sqlite::Stmt st,
      db.Prepare("SELECT kid, iss, alg, spki, not_before, not_after, withdrawn FROM issuer_keys"));
  for (;;) {
    CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st.Step());
    if (r == sqlite::Stmt::StepResult::kDone) break;
    base::Result<card::PublicKey> key = card::PublicKey::FromSpkiDer(st.Blob(3));
    if (!key.ok())
      return base::DataLoss("registry holds an unreadable issuer key: " + key.status().message());
    card::IssuerKey k{.kid = key->kid(), .iss = st.Text(1), .key = *key};
    base::ByteSpan kid = st.Blob(0);
    if (kid.size() != k.kid.size() || !std::equal(kid.begin(), kid.end(), k.kid.begin())) {
      return base::DataLoss("registry issuer key kid does not match its key");
    }
    if (!st.IsNull(4)) k.not_before = st.Int(4);
    if (!st.IsNull(5)) k.not_after = st.Int(5);
    k.withdrawn = st.Int(6) != 0;
    keys.push_back(std::move(k));
  }
  return keys;
}

base::Result<std::unique_ptr<Registry>> Registry::Open(const std::string& path) {
  std::unique_ptr<Registry> r(new Registry());
  CK_TRY(RollBackInterruptedChange(path));
  CK_ASSIGN_OR_RETURN(r->db_, sqlite::Db::Open(path, sqlite::Db::Mode::kReadOnly));
  // Only read; a lookup that meets a delta apply's commit waits for it (it takes milliseconds).
  CK_TRY(r->db_.Exec("PRAGMA query_only=1; PRAGMA busy_timeout=10000"));
  CK_ASSIGN_OR_RETURN(r->meta_, ReadMeta(r->db_));
  CK_ASSIGN_OR_RETURN(std::vector<card::IssuerKey> keys, ReadIssuerKeys(r->db_));
  for (card::IssuerKey& k : keys) r->keys_.Add(std::move(k));
  CK_TRY(ReadAdminTables(r->db_, r->meta_.schema_version, &r->admins_, &r->admin_key_count_,
                         &r->withdrawn_admin_count_));
  CK_ASSIGN_OR_RETURN(r->member_stmt_,
                      r->db_.Prepare("SELECT status, min_serial FROM member_status WHERE rid = ?"));
  return r;
}

base::Result<sqlite::Stmt*> Registry::Cached(const char* sql) const {
  auto it = stmts_.find(sql);
  if (it == stmts_.end()) {
    CK_ASSIGN_OR_RETURN(sqlite::Stmt st, db_.Prepare(sql));
    it = stmts_.emplace(sql, std::move(st)).first;
  }
  return &it->second;
}

base::Result<std::optional<card::MemberStatus>> Registry::FindMember(const card::Rid& rid) const {
  member_stmt_.Bind(1, rid);
  base::Result<sqlite::Stmt::StepResult> r = member_stmt_.Step();
  std::optional<card::MemberStatus> out;
  if (r.ok() && *r == sqlite::Stmt::StepResult::kRow) {
    base::Result<card::MemberState> state = MemberStateFromCode(member_stmt_.Int(0));
    if (!state.ok()) {
      member_stmt_.Reset();
      return state.status();
    }
    out = card::MemberStatus{*state, static_cast<uint32_t>(member_stmt_.Int(1))};
  }
  member_stmt_.Reset();
  if (!r.ok()) return r.status();
  return out;
}

base::Result<std::optional<Partner>> Registry::FindPartner(const std::string& id) const {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt * stp,
                      Cached("SELECT name, city, address FROM partners WHERE partner_id = ?"));
  sqlite::Stmt& st = *stp;
  sqlite::ResetOnExit reset(st);
  st.Bind(1, id);
  CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st.Step());
  if (r == sqlite::Stmt::StepResult::kDone) return std::optional<Partner>();
  return std::optional<Partner>(Partner{id, st.Text(0), st.Text(1), st.Text(2)});
}

base::Result<std::vector<Offer>> Registry::OffersOf(const std::string& partner_id) const {
  CK_ASSIGN_OR_RETURN(
      sqlite::Stmt * stp,
      Cached(
          "SELECT offer_id, kind, value, min_purchase_minor, max_discount_minor, categories, orgs, "
          "valid_from, valid_to, weekdays, hours_from, hours_to, cap_count, cap_amount_minor, "
          "cap_period, title FROM offers WHERE partner_id = ? ORDER BY offer_id"));
  sqlite::Stmt& st = *stp;
  sqlite::ResetOnExit reset(st);
  st.Bind(1, partner_id);
  std::vector<Offer> out;
  auto opt = [&](int col) {
    return st.IsNull(col) ? std::optional<int64_t>() : std::optional<int64_t>(st.Int(col));
  };
  for (;;) {
    CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st.Step());
    if (r == sqlite::Stmt::StepResult::kDone) break;
    Offer o;
    o.offer_id = st.Text(0);
    o.partner_id = partner_id;
    CK_ASSIGN_OR_RETURN(o.kind, ParseStoredKind(st.Text(1), meta_.schema_version));
    o.value = st.Int(2);
    o.min_purchase_minor = st.Int(3);
    o.max_discount_minor = opt(4);
    o.categories = static_cast<uint32_t>(st.Int(5));
    std::string orgs = st.Text(6);
    size_t start = 0;
    while (start < orgs.size()) {
      size_t bar = orgs.find('|', start);
      if (bar == std::string::npos) bar = orgs.size();
      if (bar > start) o.orgs.push_back(orgs.substr(start, bar - start));
      start = bar + 1;
    }
    o.valid_from_day = opt(7);
    o.valid_to_day = opt(8);
    o.weekdays = static_cast<uint8_t>(st.Int(9));
    o.hours_from = static_cast<int>(st.Int(10));
    o.hours_to = static_cast<int>(st.Int(11));
    o.cap_count = opt(12);
    o.cap_amount_minor = opt(13);
    const std::string period = st.Text(14);
    if (period == "day") o.cap_period = CapPeriod::kDay;
    if (period == "week") o.cap_period = CapPeriod::kWeek;
    if (period == "month") o.cap_period = CapPeriod::kMonth;
    if ((o.cap_count || o.cap_amount_minor) && !o.cap_period) {
      return base::DataLoss("offer " + o.offer_id + " has a cap without a valid period");
    }
    o.title = st.Text(15);
    out.push_back(std::move(o));
  }
  return out;
}

base::Result<std::vector<Partner>> Registry::ListPartners(int limit) const {
  CK_ASSIGN_OR_RETURN(
      sqlite::Stmt * stp,
      Cached("SELECT partner_id, name, city, address FROM partners ORDER BY partner_id LIMIT ?"));
  sqlite::Stmt& st = *stp;
  sqlite::ResetOnExit reset(st);
  st.Bind(1, static_cast<int64_t>(limit));
  std::vector<Partner> out;
  for (;;) {
    CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st.Step());
    if (r == sqlite::Stmt::StepResult::kDone) break;
    out.push_back(Partner{st.Text(0), st.Text(1), st.Text(2), st.Text(3)});
  }
  return out;
}

base::Result<std::vector<Event>> Registry::ListEvents(int limit) const {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt * stp,
                      Cached("SELECT event_id FROM events ORDER BY event_id LIMIT ?"));
  std::vector<std::string> ids;
  {
    sqlite::Stmt& st = *stp;
    sqlite::ResetOnExit reset(st);
    st.Bind(1, static_cast<int64_t>(limit));
    for (;;) {
      CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st.Step());
      if (r == sqlite::Stmt::StepResult::kDone) break;
      ids.push_back(st.Text(0));
    }
  }
  std::vector<Event> out;
  for (const std::string& id : ids) {
    CK_ASSIGN_OR_RETURN(std::optional<Event> e, FindEvent(id));
    if (e) out.push_back(std::move(*e));
  }
  return out;
}

base::Result<std::optional<Event>> Registry::FindEvent(const std::string& id) const {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt * stp,
                      Cached("SELECT title, venue, starts, ends, mode, entries_per_member, "
                             "capacity FROM events WHERE event_id = ?"));
  sqlite::Stmt& st = *stp;
  sqlite::ResetOnExit reset(st);
  st.Bind(1, id);
  CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st.Step());
  if (r == sqlite::Stmt::StepResult::kDone) return std::optional<Event>();
  Event e{.event_id = id,
          .title = st.Text(0),
          .venue = st.Text(1),
          .starts = st.Int(2),
          .ends = st.Int(3)};
  e.mode = st.Text(4) == "roster" ? EventMode::kRoster : EventMode::kOpen;
  e.entries_per_member = st.Int(5);
  if (!st.IsNull(6)) e.capacity = st.Int(6);
  return std::optional<Event>(std::move(e));
}

base::Result<bool> Registry::OnRoster(const std::string& event_id, const card::Rid& rid) const {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt * stp,
                      Cached("SELECT 1 FROM roster WHERE event_id = ? AND rid = ?"));
  sqlite::Stmt& st = *stp;
  sqlite::ResetOnExit reset(st);
  st.Bind(1, event_id).Bind(2, rid);
  CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st.Step());
  return r == sqlite::Stmt::StepResult::kRow;
}

base::Result<Registry::Counts> Registry::CountRows() const {
  Counts c{};
  auto count = [&](const char* table, int64_t* out) -> base::Status {
    CK_ASSIGN_OR_RETURN(sqlite::Stmt st, db_.Prepare(std::string("SELECT count(*) FROM ") + table));
    CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st.Step());
    (void)r;
    *out = st.Int(0);
    return base::Status::Ok();
  };
  CK_TRY(count("issuer_keys", &c.issuer_keys));
  CK_TRY(count("member_status", &c.members));
  CK_TRY(count("partners", &c.partners));
  CK_TRY(count("offers", &c.offers));
  CK_TRY(count("events", &c.events));
  CK_TRY(count("roster", &c.roster));
  c.admin_keys = static_cast<int64_t>(admin_key_count_);
  c.withdrawn_admins = static_cast<int64_t>(withdrawn_admin_count_);
  return c;
}

}  // namespace registry
