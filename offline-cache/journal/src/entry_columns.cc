#include "journal/entry_columns.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace journal {
namespace {

int64_t AsInt(const ColumnValue& v) {
  const int64_t* i = std::get_if<int64_t>(&v);
  return i ? *i : 0;
}

std::string_view AsText(const ColumnValue& v) {
  const std::string_view* s = std::get_if<std::string_view>(&v);
  return s ? *s : std::string_view();
}

base::ByteSpan AsBlob(const ColumnValue& v) {
  const base::ByteSpan* b = std::get_if<base::ByteSpan>(&v);
  return b ? *b : base::ByteSpan();
}

void SetHash(const ColumnValue& v, Hash* h) {
  base::ByteSpan b = AsBlob(v);
  *h = {};
  if (!b.empty()) std::memcpy(h->data(), b.data(), std::min(b.size(), h->size()));
}

base::Status SetRid(const ColumnValue& v, Entry* e) {
  if (std::holds_alternative<std::monostate>(v)) {
    e->rid.reset();
    return base::Status::Ok();
  }
  base::ByteSpan b = AsBlob(v);
  if (b.size() != 8) return base::DataLoss("rid is not 8 bytes");
  e->rid.emplace();
  std::memcpy(e->rid->data(), b.data(), 8);
  return base::Status::Ok();
}

// A member of Entry as an integer, text or hash column.
template <int64_t Entry::*kField>
EntryColumn IntColumn(std::string_view name, int since_format = 1) {
  return {name, ColumnType::kInteger, [](const Entry& e) { return ColumnValue(e.*kField); },
          [](const ColumnValue& v, Entry* e) {
            e->*kField = AsInt(v);
            return base::Status::Ok();
          },
          since_format};
}
template <std::string Entry::*kField>
EntryColumn TextColumn(std::string_view name, int since_format = 1) {
  return {name, ColumnType::kText,
          [](const Entry& e) { return ColumnValue(std::string_view(e.*kField)); },
          [](const ColumnValue& v, Entry* e) {
            (e->*kField).assign(AsText(v));
            return base::Status::Ok();
          },
          since_format};
}
template <Hash Entry::*kField>
EntryColumn HashColumn(std::string_view name) {
  return {name, ColumnType::kBlob,
          [](const Entry& e) { return ColumnValue(base::ByteSpan(e.*kField)); },
          [](const ColumnValue& v, Entry* e) {
            SetHash(v, &(e->*kField));
            return base::Status::Ok();
          }};
}

const std::array<EntryColumn, kEntryColumnCount> kColumns = {
    IntColumn<&Entry::seq>("seq"),
    TextColumn<&Entry::uuid>("uuid"),
    EntryColumn{"kind", ColumnType::kText,
                [](const Entry& e) { return ColumnValue(KindName(e.kind)); },
                [](const ColumnValue& v, Entry* e) -> base::Status {
                  CK_ASSIGN_OR_RETURN(e->kind, ParseKind(AsText(v)));
                  return base::Status::Ok();
                }},
    IntColumn<&Entry::time_utc>("time_utc"),
    IntColumn<&Entry::mono_ns>("mono_ns"),
    EntryColumn{
        "rid", ColumnType::kBlob,
        [](const Entry& e) { return e.rid ? ColumnValue(base::ByteSpan(*e.rid)) : ColumnValue(); },
        SetRid},
    TextColumn<&Entry::partner_id>("partner_id"),
    TextColumn<&Entry::event_id>("event_id"),
    TextColumn<&Entry::offer_id>("offer_id"),
    IntColumn<&Entry::purchase_minor>("purchase_minor"),
    IntColumn<&Entry::discount_minor>("discount_minor"),
    IntColumn<&Entry::bundle_seq>("bundle_seq"),
    TextColumn<&Entry::verdict>("verdict"),
    TextColumn<&Entry::decision>("decision"),
    HashColumn<&Entry::prev_hash>("prev_hash"),
    HashColumn<&Entry::hash>("hash"),
    IntColumn<&Entry::cashback_minor>("cashback_minor", 2),
    TextColumn<&Entry::ref_uuid>("ref_uuid", 2),
    TextColumn<&Entry::actor>("actor", 2),
    IntColumn<&Entry::clock_before_utc>("clock_before_utc", 2),
};

}  // namespace

const std::array<EntryColumn, kEntryColumnCount>& EntryColumns() { return kColumns; }

std::string EntryColumnNames(std::string_view prefix) {
  std::string out;
  for (const EntryColumn& c : kColumns) {
    if (!out.empty()) out += ", ";
    out.append(prefix).append(c.name);
  }
  return out;
}

std::string EntryPlaceholders() {
  std::string out;
  for (size_t i = 0; i < kEntryColumnCount; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

void BindEntryColumns(sqlite::Stmt& st, int first_param, const Entry& e) {
  int i = first_param;
  for (const EntryColumn& c : kColumns) {
    ColumnValue v = c.get(e);
    if (const int64_t* n = std::get_if<int64_t>(&v)) {
      st.Bind(i, *n);
    } else if (const std::string_view* s = std::get_if<std::string_view>(&v)) {
      st.Bind(i, *s);
    } else if (const base::ByteSpan* b = std::get_if<base::ByteSpan>(&v)) {
      st.Bind(i, *b);
    } else {
      st.BindNull(i);
    }
    ++i;
  }
}

base::Status ReadEntryColumns(const sqlite::Stmt& st, int first_col, Entry* e) {
  int col = first_col;
  for (const EntryColumn& c : kColumns) {
    ColumnValue v;
    if (!st.IsNull(col)) {
      switch (c.type) {
        case ColumnType::kInteger:
          v = st.Int(col);
          break;
        case ColumnType::kText: {
          const unsigned char* text = sqlite3_column_text(st.get(), col);
          v = std::string_view(reinterpret_cast<const char*>(text),
                               static_cast<size_t>(sqlite3_column_bytes(st.get(), col)));
          break;
        }
        case ColumnType::kBlob:
          v = st.Blob(col);
          break;
      }
    }
    CK_TRY(c.set(v, e));
    ++col;
  }
  return base::Status::Ok();
}

std::string AddEntryColumnSql(const EntryColumn& c, std::string_view integer_type,
                              bool if_not_exists) {
  std::string sql = "ALTER TABLE entries ADD COLUMN ";
  if (if_not_exists) sql += "IF NOT EXISTS ";
  sql.append(c.name).append(" ");
  if (c.type == ColumnType::kInteger) {
    sql.append(integer_type).append(" NOT NULL DEFAULT 0");
  } else {
    sql += "TEXT NOT NULL DEFAULT ''";
  }
  return sql;
}

namespace {

// The format-2 columns `entries` lacks.
base::Result<std::vector<const EntryColumn*>> MissingColumns(sqlite::Db& db) {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt info,
                      db.Prepare("SELECT name FROM pragma_table_info('entries')"));
  std::vector<std::string> have;
  for (;;) {
    CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, info.Step());
    if (r == sqlite::Stmt::StepResult::kDone) break;
    have.push_back(info.Text(0));
  }
  if (have.empty()) return base::FailedPrecondition("no entries table to add columns to");
  std::vector<const EntryColumn*> missing;
  for (const EntryColumn& c : kColumns) {
    if (c.since_format >= 2 && std::find(have.begin(), have.end(), c.name) == have.end()) {
      missing.push_back(&c);
    }
  }
  return missing;
}

}  // namespace

base::Status AddMissingEntryColumns(sqlite::Db& db) {
  CK_ASSIGN_OR_RETURN(std::vector<const EntryColumn*> missing, MissingColumns(db));
  if (missing.empty()) return base::Status::Ok();  // the usual open: no write
  // Another process may open the same file now: take the write lock, then look again.
  CK_TRY(db.Exec("BEGIN IMMEDIATE"));
  base::Status added = [&]() -> base::Status {
    CK_ASSIGN_OR_RETURN(missing, MissingColumns(db));
    for (const EntryColumn* c : missing) {
      CK_TRY(db.Exec(AddEntryColumnSql(*c, "INTEGER", false))
                 .WithContext("adding column " + std::string(c->name)));
    }
    return base::Status::Ok();
  }();
  if (!added.ok()) {
    (void)db.Exec("ROLLBACK");
    return added.WithContext("entries table");
  }
  return db.Exec("COMMIT");
}

}  // namespace journal
