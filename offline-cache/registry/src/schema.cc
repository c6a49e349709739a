#include "registry/schema.h"

namespace registry {
namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value ANY NOT NULL) WITHOUT ROWID;
CREATE TABLE issuer_keys(
  kid BLOB PRIMARY KEY,
  iss TEXT NOT NULL,
  alg INTEGER NOT NULL,
  spki BLOB NOT NULL,
  not_before INTEGER,
  not_after INTEGER,
  withdrawn INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE TABLE member_status(
  rid BLOB PRIMARY KEY,
  status INTEGER NOT NULL,
  min_serial INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE partners(
  partner_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  city TEXT NOT NULL,
  address TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE offers(
  partner_id TEXT NOT NULL,
  offer_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  value INTEGER NOT NULL,
  min_purchase_minor INTEGER NOT NULL,
  max_discount_minor INTEGER,
  categories INTEGER NOT NULL,
  orgs TEXT NOT NULL,
  valid_from INTEGER,
  valid_to INTEGER,
  weekdays INTEGER NOT NULL,
  hours_from INTEGER NOT NULL,
  hours_to INTEGER NOT NULL,
  cap_count INTEGER,
  cap_amount_minor INTEGER,
  cap_period TEXT,
  title TEXT NOT NULL,
  PRIMARY KEY(partner_id, offer_id)) WITHOUT ROWID;
CREATE UNIQUE INDEX offers_by_id ON offers(offer_id);
CREATE TABLE events(
  event_id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  venue TEXT NOT NULL,
  starts INTEGER NOT NULL,
  ends INTEGER NOT NULL,
  mode TEXT NOT NULL,
  entries_per_member INTEGER NOT NULL,
  capacity INTEGER) WITHOUT ROWID;
CREATE TABLE roster(event_id TEXT NOT NULL, rid BLOB NOT NULL, PRIMARY KEY(event_id, rid)) WITHOUT ROWID;
)sql";

}  // namespace

base::Status CreateSchema(sqlite::Db& db) { return db.Exec(kSchema); }

std::string_view ListModeName(card::ListMode mode) {
  return mode == card::ListMode::kAllowList ? "allow" : "deny";
}

base::Result<card::ListMode> ParseListMode(std::string_view s) {
  if (s == "allow") return card::ListMode::kAllowList;
  if (s == "deny") return card::ListMode::kDenyList;
  return base::InvalidArgument("mode must be allow or deny, got '" + std::string(s) + "'");
}

int64_t MemberStateCode(card::MemberState s) { return static_cast<int64_t>(s); }

base::Result<card::MemberState> MemberStateFromCode(int64_t code) {
  if (code < 0 || code > 2)
    return base::DataLoss("unknown member status code " + std::to_string(code));
  return static_cast<card::MemberState>(code);
}

base::Result<card::MemberState> ParseMemberState(std::string_view s) {
  if (s == "active") return card::MemberState::kActive;
  if (s == "suspended") return card::MemberState::kSuspended;
  if (s == "revoked") return card::MemberState::kRevoked;
  return base::InvalidArgument("status must be active, suspended or revoked, got '" +
                               std::string(s) + "'");
}

base::Status WriteMeta(sqlite::Db& db, const Meta& m) {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st,
                      db.Prepare("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)"));
  auto put_int = [&](std::string_view k, int64_t v) { return st.Bind(1, k).Bind(2, v).Run(); };
  CK_TRY(put_int("schema_version", m.schema_version));
  CK_TRY(put_int("seq", m.seq));
  CK_TRY(put_int("created", m.created));
  CK_TRY(put_int("not_after", m.not_after));
  CK_TRY(st.Bind(1, "mode").Bind(2, ListModeName(m.mode)).Run());
  CK_TRY(st.Bind(1, "issuer").Bind(2, m.issuer).Run());
  return base::Status::Ok();
}

base::Result<Meta> ReadMeta(sqlite::Db& db) {
  Meta m;
  m.schema_version = -1;
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st, db.Prepare("SELECT key, value FROM meta"));
  bool has_seq = false, has_mode = false;
  for (;;) {
    CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st.Step());
    if (r == sqlite::Stmt::StepResult::kDone) break;
    const std::string key = st.Text(0);
    if (key == "schema_version") m.schema_version = st.Int(1);
    if (key == "seq") m.seq = st.Int(1), has_seq = true;
    if (key == "created") m.created = st.Int(1);
    if (key == "not_after") m.not_after = st.Int(1);
    if (key == "issuer") m.issuer = st.Text(1);
    if (key == "mode") {
      CK_ASSIGN_OR_RETURN(m.mode, ParseListMode(st.Text(1)));
      has_mode = true;
    }
  }
  if (m.schema_version < kSchemaVersion || m.schema_version > kMaxSchemaVersion) {
    return base::FailedPrecondition("registry schema version " + std::to_string(m.schema_version) +
                                    ", this device reads versions " +
                                    std::to_string(kSchemaVersion) + " to " +
                                    std::to_string(kMaxSchemaVersion));
  }
  if (!has_seq || !has_mode) return base::DataLoss("registry meta table lacks seq or mode");
  return m;
}

}  // namespace registry
