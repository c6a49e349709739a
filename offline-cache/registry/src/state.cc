#include "registry/state.h"

#include <openssl/evp.h>

#include <cstring>

#include "base/hex.h"
#include "registry/admin_tables.h"
#include "registry/schema.h"

namespace registry {
namespace {

constexpr char kStateLabel[] = "ckregistry-state-1";
constexpr size_t kHashChunk = 64 * 1024;

std::string SelectSql(const TableSpec& t) {
  std::string cols, keys;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    cols += (i ? ", " : "") + std::string(t.columns[i]);
    if (i < t.key_columns) keys += (i ? ", " : "") + std::string(t.columns[i]);
  }
  return "SELECT " + cols + " FROM " + std::string(t.name) + " ORDER BY " + keys;
}

}  // namespace

int CompareValues(const Value& a, const Value& b) {
  if (a.type != b.type) return a.type < b.type ? -1 : 1;
  if (a.type == Value::Type::kInt) return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
  const int c =
      std::memcmp(a.bytes.data(), b.bytes.data(), std::min(a.bytes.size(), b.bytes.size()));
  if (c != 0) return c < 0 ? -1 : 1;
  return a.bytes.size() < b.bytes.size() ? -1 : a.bytes.size() > b.bytes.size() ? 1 : 0;
}

int CompareKeys(const Row& a, const Row& b, size_t key_columns) {
  for (size_t i = 0; i < key_columns; ++i) {
    if (int c = CompareValues(a[i], b[i]); c != 0) return c;
  }
  return 0;
}

std::string ValueToString(const Value& v) {
  switch (v.type) {
    case Value::Type::kNull:
      return "NULL";
    case Value::Type::kInt:
      return std::to_string(v.i);
    case Value::Type::kText:
      return "'" + v.bytes + "'";
    case Value::Type::kBlob:
      return "x'" +
             base::ToHex({reinterpret_cast<const uint8_t*>(v.bytes.data()), v.bytes.size()}) + "'";
  }
  return "?";
}

const std::vector<TableSpec>& StateTables() {
  static const std::vector<TableSpec> kTables = {
      {"meta", {"key", "value"}, 1},
      {"issuer_keys", {"kid", "iss", "alg", "spki", "not_before", "not_after", "withdrawn"}, 1},
      {"member_status", {"rid", "status", "min_serial"}, 1},
      {"partners", {"partner_id", "name", "city", "address"}, 1},
      {"offers",
       {"partner_id", "offer_id", "kind", "value", "min_purchase_minor", "max_discount_minor",
        "categories", "orgs", "valid_from", "valid_to", "weekdays", "hours_from", "hours_to",
        "cap_count", "cap_amount_minor", "cap_period", "title"},
       2},
      {"events",
       {"event_id", "title", "venue", "starts", "ends", "mode", "entries_per_member", "capacity"},
       1},
      {"roster", {"event_id", "rid"}, 2},
      {"admin_keys", {"kid", "alg", "spki", "not_before", "not_after", "withdrawn"}, 1, true},
      {"withdrawn_admins", {"admin_id"}, 1, true},
  };
  return kTables;
}

void EncodeUvarint(uint64_t v, base::Bytes* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<uint8_t>(v));
}

void EncodeValue(const Value& v, base::Bytes* out) {
  out->push_back(static_cast<uint8_t>(v.type));
  if (v.type == Value::Type::kInt) {
    const uint64_t u = static_cast<uint64_t>(v.i);
    EncodeUvarint((u << 1) ^ (v.i < 0 ? ~uint64_t{0} : 0), out);
  } else if (v.type != Value::Type::kNull) {
    EncodeUvarint(v.bytes.size(), out);
    out->insert(out->end(), v.bytes.begin(), v.bytes.end());
  }
}

base::Status ValueReader::Error(std::string_view what) const {
  return base::DataLoss("delta records: " + std::string(what) + " at byte " + std::to_string(pos_));
}

base::Status ValueReader::ReadByte(uint8_t* b) {
  if (pos_ >= data_.size()) return Error("unexpected end");
  *b = data_[pos_++];
  return base::Status::Ok();
}

base::Status ValueReader::ReadUvarint(uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    uint8_t b = 0;
    CK_TRY(ReadByte(&b));
    *v |= uint64_t{b & 0x7fu} << shift;
    if ((b & 0x80) == 0) return base::Status::Ok();
  }
  return Error("varint longer than 10 bytes");
}

base::Status ValueReader::ReadValue(Value* v) {
  uint8_t type = 0;
  CK_TRY(ReadByte(&type));
  if (type > static_cast<uint8_t>(Value::Type::kBlob))
    return Error("unknown value type " + std::to_string(type));
  v->type = static_cast<Value::Type>(type);
  v->i = 0;
  v->bytes.clear();
  if (v->type == Value::Type::kNull) return base::Status::Ok();
  uint64_t u = 0;
  CK_TRY(ReadUvarint(&u));
  if (v->type == Value::Type::kInt) {
    v->i = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
    return base::Status::Ok();
  }
  if (u > data_.size() - pos_) return Error("value longer than the records");
  const size_t n = static_cast<size_t>(u);  // fits: at most what is left of the records
  v->bytes.assign(reinterpret_cast<const char*>(data_.data() + pos_), n);
  pos_ += n;
  return base::Status::Ok();
}

base::Result<RowCursor> RowCursor::Open(sqlite::Db& db, const TableSpec& table) {
  if (table.optional) {
    CK_ASSIGN_OR_RETURN(bool exists, TableExists(db, table.name));
    if (!exists) {  // reads as an empty table
      CK_ASSIGN_OR_RETURN(sqlite::Stmt none, db.Prepare("SELECT 1 WHERE 0"));
      return RowCursor(std::move(none), table.columns.size());
    }
  }
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st, db.Prepare(SelectSql(table)));
  return RowCursor(std::move(st), table.columns.size());
}

base::Result<bool> RowCursor::Next(Row* row) {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st_.Step());
  if (r == sqlite::Stmt::StepResult::kDone) return false;
  row->resize(columns_);
  sqlite3_stmt* s = st_.get();
  for (size_t i = 0; i < columns_; ++i) {
    Value& v = (*row)[i];
    const int c = static_cast<int>(i);
    v.i = 0;
    v.bytes.clear();
    switch (sqlite3_column_type(s, c)) {
      case SQLITE_NULL:
        v.type = Value::Type::kNull;
        break;
      case SQLITE_INTEGER:
        v.type = Value::Type::kInt;
        v.i = sqlite3_column_int64(s, c);
        break;
      case SQLITE_TEXT:
      case SQLITE_BLOB: {
        const bool text = sqlite3_column_type(s, c) == SQLITE_TEXT;
        v.type = text ? Value::Type::kText : Value::Type::kBlob;
        const void* p =
            text ? static_cast<const void*>(sqlite3_column_text(s, c)) : sqlite3_column_blob(s, c);
        const int n = sqlite3_column_bytes(s, c);
        if (n > 0) v.bytes.assign(static_cast<const char*>(p), static_cast<size_t>(n));
        break;
      }
      default:
        return base::DataLoss("registry column " + std::to_string(i) +
                              " holds a floating-point value (never written by the builder)");
    }
  }
  return true;
}

StateHasher::StateHasher() : md_(card::NewMdCtx()) {
  if (md_) EVP_DigestInit_ex(md_.get(), EVP_sha256(), nullptr);
  buf_.assign(kStateLabel, kStateLabel + sizeof kStateLabel - 1);
}

void StateHasher::Flush() {
  if (md_) EVP_DigestUpdate(md_.get(), buf_.data(), buf_.size());
  buf_.clear();
}

void StateHasher::BeginTable(size_t table_index, bool omit_if_empty) {
  table_ = table_index;
  omit_if_empty_ = omit_if_empty;
  rows_ = 0;
  if (!omit_if_empty) buf_.push_back(static_cast<uint8_t>(table_index));
}

void StateHasher::AddRow(const Row& row) {
  if (table_ == 0 && !row.empty() && row[0].type == Value::Type::kText &&
      row[0].bytes == kStateDigestMetaKey) {
    return;  // the recorded digest itself
  }
  if (omit_if_empty_ && rows_ == 0) buf_.push_back(static_cast<uint8_t>(table_));
  ++rows_;
  buf_.push_back(0x01);
  for (const Value& v : row) EncodeValue(v, &buf_);
  if (buf_.size() >= kHashChunk) Flush();
}

void StateHasher::EndTable() {
  if (!omit_if_empty_ || rows_ > 0) buf_.push_back(0x00);
}

StateDigest StateHasher::Finish() {
  Flush();
  StateDigest d{};
  unsigned int len = 0;
  if (md_) EVP_DigestFinal_ex(md_.get(), d.data(), &len);
  return d;
}

namespace {

// The member_status rows BuildRegistry writes for `members`, as SQLite reads them back: rid a
// blob, status and min_serial integers.
void HashMembers(const std::vector<MemberRecord>& members, StateHasher& h) {
  Row row(3);
  row[0].type = Value::Type::kBlob;
  row[1].type = row[2].type = Value::Type::kInt;
  for (const MemberRecord& m : members) {
    row[0].bytes.assign(reinterpret_cast<const char*>(m.rid.data()), m.rid.size());
    row[1].i = MemberStateCode(m.state);
    row[2].i = int64_t{m.min_serial};
    h.AddRow(row);
  }
}

}  // namespace

base::Result<StateDigest> ComputeStateDigest(sqlite::Db& db,
                                             const std::vector<MemberRecord>* members) {
  StateHasher h;
  if (!h.ok()) return base::Internal("SHA-256 init failed");
  const std::vector<TableSpec>& tables = StateTables();
  Row row;
  for (size_t t = 0; t < tables.size(); ++t) {
    if (members != nullptr && tables[t].name == "member_status") {
      h.BeginTable(t, tables[t].optional);
      HashMembers(*members, h);
      h.EndTable();
      continue;
    }
    CK_ASSIGN_OR_RETURN(RowCursor cur, RowCursor::Open(db, tables[t]));
    h.BeginTable(t, tables[t].optional);
    for (;;) {
      CK_ASSIGN_OR_RETURN(bool more, cur.Next(&row));
      if (!more) break;
      h.AddRow(row);
    }
    h.EndTable();
  }
  return h.Finish();
}

base::Result<std::optional<StateDigest>> ReadRecordedStateDigest(sqlite::Db& db) {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st, db.Prepare("SELECT value FROM meta WHERE key = ?1"));
  st.Bind(1, kStateDigestMetaKey);
  CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st.Step());
  if (r == sqlite::Stmt::StepResult::kDone) return std::optional<StateDigest>();
  base::Result<base::Bytes> bytes = base::FromHex(st.Text(0));
  StateDigest d{};
  if (!bytes.ok() || bytes->size() != d.size())
    return base::DataLoss("registry meta " + std::string(kStateDigestMetaKey) +
                          " is not 64 hex digits");
  std::memcpy(d.data(), bytes->data(), d.size());
  return std::optional<StateDigest>(d);
}

base::Status RecordStateDigest(sqlite::Db& db, const StateDigest& d) {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st,
                      db.Prepare("INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)"));
  const std::string hex = base::ToHex(d);
  return st.Bind(1, kStateDigestMetaKey).Bind(2, hex).Run();
}

}  // namespace registry
