#include "registry/admin_tables.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "registry/schema.h"

namespace registry {
namespace {

constexpr char kAdminSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS admin_keys(
  kid BLOB PRIMARY KEY,
  alg INTEGER NOT NULL,
  spki BLOB NOT NULL,
  not_before INTEGER,
  not_after INTEGER,
  withdrawn INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS withdrawn_admins(admin_id BLOB PRIMARY KEY) WITHOUT ROWID;
)sql";

base::Status InsertKeys(sqlite::Db& db, const std::vector<card::IssuerKey>& keys) {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st,
                      db.Prepare("INSERT INTO admin_keys(kid, alg, spki, not_before, not_after, "
                                 "withdrawn) VALUES(?,?,?,?,?,?)"));
  for (const card::IssuerKey& k : keys) {
    const int64_t alg = k.key.type() == card::KeyType::kEd25519
                            ? static_cast<int64_t>(card::Alg::kEdDSA)
                            : static_cast<int64_t>(card::Alg::kES256);
    st.Bind(1, k.kid).Bind(2, alg).Bind(3, k.key.spki_der());
    if (k.not_before == std::numeric_limits<int64_t>::min())
      st.BindNull(4);
    else
      st.Bind(4, k.not_before);
    if (k.not_after == std::numeric_limits<int64_t>::max())
      st.BindNull(5);
    else
      st.Bind(5, k.not_after);
    st.Bind(6, int64_t{k.withdrawn ? 1 : 0});
    base::Status s = st.Run();
    if (!s.ok()) return s.WithContext("admin key");
  }
  return base::Status::Ok();
}

base::Result<card::IssuerKey> ReadKeyRow(sqlite::Stmt& st) {
  base::Result<card::PublicKey> key = card::PublicKey::FromSpkiDer(st.Blob(2));
  if (!key.ok())
    return base::DataLoss("registry holds an unreadable admin key: " + key.status().message());
  card::IssuerKey k{.kid = key->kid(), .key = *key};
  base::ByteSpan kid = st.Blob(0);
  if (kid.size() != k.kid.size() || !std::equal(kid.begin(), kid.end(), k.kid.begin()))
    return base::DataLoss("registry admin key kid does not match its key");
  if (!st.IsNull(3)) k.not_before = st.Int(3);
  if (!st.IsNull(4)) k.not_after = st.Int(4);
  k.withdrawn = st.Int(5) != 0;
  return k;
}

}  // namespace

base::Status CreateAdminTables(sqlite::Db& db) { return db.Exec(kAdminSchema); }

base::Result<bool> TableExists(sqlite::Db& db, std::string_view name) {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st,
                      db.Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"));
  st.Bind(1, name);
  CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st.Step());
  return r == sqlite::Stmt::StepResult::kRow;
}

base::Status InsertAdminTables(sqlite::Db& db, const std::vector<card::IssuerKey>& keys,
                               const std::vector<card::AdminId>& withdrawn) {
  CK_TRY(InsertKeys(db, keys));
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st,
                      db.Prepare("INSERT INTO withdrawn_admins(admin_id) VALUES(?)"));
  for (const card::AdminId& id : withdrawn) {
    base::Status s = st.Bind(1, id).Run();
    if (!s.ok()) return s.WithContext("withdrawn admin card");
  }
  return base::Status::Ok();
}

base::Status ReadAdminTables(sqlite::Db& db, int64_t schema_version, card::MemoryAdminStore* out,
                             size_t* key_count, size_t* withdrawn_count) {
  size_t keys = 0, ids = 0;
  CK_ASSIGN_OR_RETURN(bool has_keys, TableExists(db, "admin_keys"));
  if (has_keys) {
    CK_ASSIGN_OR_RETURN(sqlite::Stmt st, db.Prepare("SELECT kid, alg, spki, not_before, "
                                                    "not_after, withdrawn FROM admin_keys"));
    for (;;) {
      CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st.Step());
      if (r == sqlite::Stmt::StepResult::kDone) break;
      CK_ASSIGN_OR_RETURN(card::IssuerKey k, ReadKeyRow(st));
      out->AddKey(std::move(k));
      ++keys;
    }
  }
  CK_ASSIGN_OR_RETURN(bool has_ids, TableExists(db, "withdrawn_admins"));
  if (has_ids) {
    CK_ASSIGN_OR_RETURN(sqlite::Stmt st, db.Prepare("SELECT admin_id FROM withdrawn_admins"));
    for (;;) {
      CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st.Step());
      if (r == sqlite::Stmt::StepResult::kDone) break;
      base::ByteSpan b = st.Blob(0);
      card::AdminId id{};
      if (b.size() != id.size())
        return base::DataLoss("registry withdrawn admin id is not 8 bytes");
      std::memcpy(id.data(), b.data(), id.size());
      out->Withdraw(id);
      ++ids;
    }
  }
  if ((keys > 0 || ids > 0) && schema_version < kSchemaVersionAdmin) {
    return base::DataLoss("registry of schema version " + std::to_string(schema_version) +
                          " holds admin keys or withdrawn admin cards (version " +
                          std::to_string(kSchemaVersionAdmin) + " or later has them)");
  }
  if (key_count != nullptr) *key_count = keys;
  if (withdrawn_count != nullptr) *withdrawn_count = ids;
  return base::Status::Ok();
}

}  // namespace registry
