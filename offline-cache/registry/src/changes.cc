#include "registry/changes.h"

#include <map>
#include <memory>

#include "registry/admin_tables.h"
#include "registry/schema.h"

namespace registry {
namespace {

std::string KeyToString(const Row& row, size_t key_columns) {
  std::string out;
  for (size_t i = 0; i < key_columns && i < row.size(); ++i)
    out += (i ? ", " : "") + ValueToString(row[i]);
  return out;
}

void EncodeRecord(size_t table, ChangeOp op, const Row& row, size_t columns, base::Bytes* out) {
  out->push_back(static_cast<uint8_t>(table));
  out->push_back(static_cast<uint8_t>(op));
  for (size_t i = 0; i < columns; ++i) EncodeValue(row[i], out);
}

// One table's rows in key order: read from a registry file, or (the new registry's members in a
// delta build) from the builder's sorted records.
class RowSource {
 public:
  virtual ~RowSource() = default;
  virtual base::Result<bool> Next(Row* row) = 0;
};

class CursorSource final : public RowSource {
 public:
  explicit CursorSource(RowCursor c) : c_(std::move(c)) {}
  base::Result<bool> Next(Row* row) override { return c_.Next(row); }

 private:
  RowCursor c_;
};

// The rows BuildRegistry writes for `members`, as SQLite reads them back: rid a blob, status and
// min_serial integers.
class MemberSource final : public RowSource {
 public:
  explicit MemberSource(const std::vector<MemberRecord>& m) : m_(m) {}
  base::Result<bool> Next(Row* row) override {
    if (i_ == m_.size()) return false;
    const MemberRecord& m = m_[i_++];
    row->resize(3);
    (*row)[0].type = Value::Type::kBlob;
    (*row)[0].bytes.assign(reinterpret_cast<const char*>(m.rid.data()), m.rid.size());
    (*row)[1] = Value{.type = Value::Type::kInt, .i = MemberStateCode(m.state)};
    (*row)[2] = Value{.type = Value::Type::kInt, .i = int64_t{m.min_serial}};
    return true;
  }

 private:
  const std::vector<MemberRecord>& m_;
  size_t i_ = 0;
};

// One table of the diff: a merge of the two key-ordered scans.
base::Status DiffTable(RowSource& a, RowSource& b, size_t t, StateHasher& from, StateHasher& to,
                       Diff* diff) {
  const TableSpec& spec = StateTables()[t];
  base::Bytes removals, upserts;
  TableChanges& n = diff->summary.tables[t];
  Row ra, rb;
  CK_ASSIGN_OR_RETURN(bool has_a, a.Next(&ra));
  CK_ASSIGN_OR_RETURN(bool has_b, b.Next(&rb));
  from.BeginTable(t, spec.optional);
  to.BeginTable(t, spec.optional);
  while (has_a || has_b) {
    const int c = !has_a ? 1 : !has_b ? -1 : CompareKeys(ra, rb, spec.key_columns);
    if (c <= 0) from.AddRow(ra);
    if (c >= 0) to.AddRow(rb);
    if (c < 0) {
      EncodeRecord(t, ChangeOp::kRemove, ra, spec.key_columns, &removals);
      ++n.removed;
    } else if (c > 0) {
      EncodeRecord(t, ChangeOp::kAdd, rb, spec.columns.size(), &upserts);
      ++n.added;
    } else if (ra != rb) {
      EncodeRecord(t, ChangeOp::kChange, rb, spec.columns.size(), &upserts);
      ++n.changed;
    }
    if (c <= 0) {
      CK_ASSIGN_OR_RETURN(has_a, a.Next(&ra));
    }
    if (c >= 0) {
      CK_ASSIGN_OR_RETURN(has_b, b.Next(&rb));
    }
  }
  from.EndTable();
  to.EndTable();
  diff->records.insert(diff->records.end(), removals.begin(), removals.end());
  diff->records.insert(diff->records.end(), upserts.begin(), upserts.end());
  return base::Status::Ok();
}

// Prepared statements of one table, made on first use.
struct TableWriter {
  const TableSpec* spec = nullptr;
  sqlite::Stmt remove, add, change;
};

std::string WhereKeys(const TableSpec& t) {
  std::string out;
  for (size_t i = 0; i < t.key_columns; ++i)
    out += (i ? " AND " : " WHERE ") + std::string(t.columns[i]) + " = ?" + std::to_string(i + 1);
  return out;
}

base::Status PrepareWriter(sqlite::Db& db, const TableSpec& t, TableWriter* w) {
  const std::string name(t.name);
  std::string cols, params, sets;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    const std::string p = "?" + std::to_string(i + 1);
    cols += (i ? ", " : "") + std::string(t.columns[i]);
    params += (i ? ", " : "") + p;
    if (i >= t.key_columns)
      sets += (sets.empty() ? "" : ", ") + std::string(t.columns[i]) + " = " + p;
  }
  w->spec = &t;
  CK_ASSIGN_OR_RETURN(w->remove, db.Prepare("DELETE FROM " + name + WhereKeys(t)));
  CK_ASSIGN_OR_RETURN(w->add,
                      db.Prepare("INSERT INTO " + name + "(" + cols + ") VALUES(" + params + ")"));
  if (!sets.empty()) {
    CK_ASSIGN_OR_RETURN(w->change, db.Prepare("UPDATE " + name + " SET " + sets + WhereKeys(t)));
  }
  return base::Status::Ok();
}

void BindRow(sqlite::Stmt& st, const Row& row) {
  for (size_t i = 0; i < row.size(); ++i) {
    const int p = static_cast<int>(i + 1);
    const Value& v = row[i];
    switch (v.type) {
      case Value::Type::kNull:
        st.BindNull(p);
        break;
      case Value::Type::kInt:
        st.Bind(p, v.i);
        break;
      case Value::Type::kText:
        st.Bind(p, std::string_view(v.bytes));
        break;
      case Value::Type::kBlob:
        st.Bind(p,
                base::ByteSpan(reinterpret_cast<const uint8_t*>(v.bytes.data()), v.bytes.size()));
        break;
    }
  }
}

// Reads the next record's table and op; false at the end marker.
base::Result<bool> ReadRecordHead(ValueReader& r, size_t* table, ChangeOp* op) {
  uint8_t t = 0, o = 0;
  CK_TRY(r.ReadByte(&t));
  if (t == kEndOfRecords) {
    if (!r.AtEnd()) return base::DataLoss("delta records: bytes after the end marker");
    return false;
  }
  if (t >= StateTables().size())
    return base::DataLoss("delta records: unknown table number " + std::to_string(t));
  CK_TRY(r.ReadByte(&o));
  if (o < 1 || o > 3)
    return base::DataLoss("delta records: unknown change kind " + std::to_string(o));
  const TableSpec& spec = StateTables()[t];
  if (o == static_cast<uint8_t>(ChangeOp::kChange) && spec.key_columns == spec.columns.size())
    return base::DataLoss("delta records: a change of a " + std::string(spec.name) +
                          " row, which has no columns besides its key");
  *table = t;
  *op = static_cast<ChangeOp>(o);
  return true;
}

base::Status ReadRow(ValueReader& r, const TableSpec& spec, ChangeOp op, Row* row) {
  row->resize(op == ChangeOp::kRemove ? spec.key_columns : spec.columns.size());
  for (Value& v : *row) CK_TRY(r.ReadValue(&v));
  return base::Status::Ok();
}

void Count(ChangeOp op, TableChanges* n) {
  (op == ChangeOp::kRemove ? n->removed : op == ChangeOp::kAdd ? n->added : n->changed)++;
}

base::Status ApplyOne(sqlite::Db& db, TableWriter& w, ChangeOp op, const Row& row) {
  const TableSpec& spec = *w.spec;
  sqlite::Stmt& st = op == ChangeOp::kRemove ? w.remove : op == ChangeOp::kAdd ? w.add : w.change;
  sqlite::ResetOnExit reset(st);
  BindRow(st, row);
  const std::string what =
      std::string(spec.name) + " row (" + KeyToString(row, spec.key_columns) + ")";
  if (base::Status s = st.Run(); !s.ok()) {
    if (s.code() != base::StatusCode::kAlreadyExists) return s.WithContext(what);
    return base::FailedPrecondition("the delta does not fit this registry: adding " + what +
                                    ", which is there already");
  }
  if (op != ChangeOp::kAdd && sqlite3_changes(db.get()) != 1) {
    return base::FailedPrecondition(std::string("the delta does not fit this registry: ") +
                                    (op == ChangeOp::kRemove ? "removing " : "changing ") + what +
                                    ", which is not there");
  }
  return base::Status::Ok();
}

}  // namespace

int64_t ChangeSummary::total() const {
  int64_t n = 0;
  for (const TableChanges& t : tables) n += t.total();
  return n;
}

std::string ChangeSummary::ToString() const {
  std::string out;
  for (size_t t = 0; t < tables.size(); ++t) {
    const TableChanges& n = tables[t];
    if (n.total() == 0) continue;
    out += (out.empty() ? "" : "; ") + std::string(StateTables()[t].name) + ": " +
           std::to_string(n.removed) + " removed, " + std::to_string(n.added) + " added, " +
           std::to_string(n.changed) + " changed";
  }
  return out.empty() ? "no changes" : out;
}

base::Result<Diff> DiffRegistries(sqlite::Db& old_db, sqlite::Db& new_db,
                                  const std::vector<MemberRecord>* new_members) {
  Diff diff;
  StateHasher from, to;
  if (!from.ok() || !to.ok()) return base::Internal("SHA-256 init failed");
  for (size_t t = 0; t < StateTables().size(); ++t) {
    const TableSpec& spec = StateTables()[t];
    base::Status s = [&]() -> base::Status {
      CK_ASSIGN_OR_RETURN(RowCursor old_rows, RowCursor::Open(old_db, spec));
      CursorSource a(std::move(old_rows));
      if (new_members != nullptr && spec.name == "member_status") {
        MemberSource b(*new_members);
        return DiffTable(a, b, t, from, to, &diff);
      }
      CK_ASSIGN_OR_RETURN(RowCursor new_rows, RowCursor::Open(new_db, spec));
      CursorSource b(std::move(new_rows));
      return DiffTable(a, b, t, from, to, &diff);
    }();
    if (!s.ok()) return s.WithContext(std::string(spec.name));
  }
  diff.records.push_back(kEndOfRecords);
  diff.from = from.Finish();
  diff.to = to.Finish();
  return diff;
}

base::Result<ChangeSummary> ApplyRecords(sqlite::Db& db, base::ByteSpan records) {
  ChangeSummary summary;
  std::vector<std::unique_ptr<TableWriter>> writers(StateTables().size());
  ValueReader r(records);
  Row row;
  for (;;) {
    size_t t = 0;
    ChangeOp op{};
    CK_ASSIGN_OR_RETURN(bool more, ReadRecordHead(r, &t, &op));
    if (!more) return summary;
    const TableSpec& spec = StateTables()[t];
    CK_TRY(ReadRow(r, spec, op, &row));
    if (!writers[t]) {
      // A registry made before the admin tables existed, or without rows in them, gets them
      // from the first record that adds to one.
      if (spec.optional) CK_TRY(CreateAdminTables(db));
      writers[t] = std::make_unique<TableWriter>();
      CK_TRY(PrepareWriter(db, spec, writers[t].get()));
    }
    CK_TRY(ApplyOne(db, *writers[t], op, row));
    Count(op, &summary.tables[t]);
  }
}

base::Result<ChangeSummary> ScanRecords(base::ByteSpan records) {
  ChangeSummary summary;
  ValueReader r(records);
  Row row;
  for (;;) {
    size_t t = 0;
    ChangeOp op{};
    CK_ASSIGN_OR_RETURN(bool more, ReadRecordHead(r, &t, &op));
    if (!more) return summary;
    CK_TRY(ReadRow(r, StateTables()[t], op, &row));
    Count(op, &summary.tables[t]);
  }
}

}  // namespace registry
