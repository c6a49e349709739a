// The registry's content as rows, independent of how SQLite laid the file out: the tables in a
// fixed order, each row as typed values, read in key order. Two registry files hold the same
// content exactly when their state digests are equal; a delta bundle names the digest of the state
// it applies to and of the state it makes (docs/registry-and-bundles.md, "Registry state").
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "card/crypto.h"
#include "registry/records.h"
#include "sqlite/db.h"

namespace registry {

// One column value as SQLite stores it. REAL never occurs in a registry and is refused.
struct Value {
  enum class Type : uint8_t { kNull = 0, kInt = 1, kText = 2, kBlob = 3 };
  Type type = Type::kNull;
  int64_t i = 0;      // kInt
  std::string bytes;  // kText, kBlob
  bool operator==(const Value&) const = default;
};
using Row = std::vector<Value>;

// SQLite's order for key columns: NULL < integers < text < blobs; text and blobs by memcmp.
int CompareValues(const Value& a, const Value& b);
// Compares the first `key_columns` values of two rows.
int CompareKeys(const Row& a, const Row& b, size_t key_columns);
std::string ValueToString(const Value& v);  // for messages: 42, 'text', x'0a1b'

// A registry table: its name, its columns in schema order, how many leading columns are its key.
struct TableSpec {
  std::string_view name;
  std::vector<std::string_view> columns;
  size_t key_columns = 1;
  // May be absent from a registry file (the admin tables, made only when they hold rows): absent
  // reads as empty, and an empty optional table adds nothing to the state digest, so a registry
  // without one has the digest it had before the table existed.
  bool optional = false;
};
// Every table in the order of the state and of a delta's records; a table's position is its
// number on the wire. 0-6 are schema version 1's; 7 admin_keys and 8 withdrawn_admins (optional).
const std::vector<TableSpec>& StateTables();

// Value encoding shared by the state digest and delta records: a type byte, then for kInt the
// zigzag LEB128 of the value, for kText/kBlob the LEB128 length and the bytes.
void EncodeValue(const Value& v, base::Bytes* out);
void EncodeUvarint(uint64_t v, base::Bytes* out);

// Reads values back from an encoded span; every refusal names the offset.
class ValueReader {
 public:
  explicit ValueReader(base::ByteSpan data) : data_(data) {}
  bool AtEnd() const { return pos_ == data_.size(); }
  size_t pos() const { return pos_; }
  base::Status ReadByte(uint8_t* b);
  base::Status ReadUvarint(uint64_t* v);
  base::Status ReadValue(Value* v);

 private:
  base::Status Error(std::string_view what) const;
  base::ByteSpan data_;
  size_t pos_ = 0;
};

// Reads one table's rows in key order. Must not outlive the Db; not thread-safe.
class RowCursor {
 public:
  static base::Result<RowCursor> Open(sqlite::Db& db, const TableSpec& table);
  // Fills *row and returns true, or returns false at the end.
  base::Result<bool> Next(Row* row);

 private:
  RowCursor(sqlite::Stmt st, size_t columns) : st_(std::move(st)), columns_(columns) {}
  sqlite::Stmt st_;
  size_t columns_ = 0;
};

using StateDigest = std::array<uint8_t, 32>;

// The meta row in which the builder records the registry's own state digest (64 hex digits). It is
// not part of the state: the hasher leaves it out, so the digest it records is the one computed.
inline constexpr std::string_view kStateDigestMetaKey = "state_digest";

// SHA-256 over "ckregistry-state-1", then per table (in StateTables() order) its number byte,
// each row as 0x01 and its encoded values, and 0x00; an optional table without rows is left out
// entirely, and so is the meta row kStateDigestMetaKey. Fed row by row; not thread-safe.
class StateHasher {
 public:
  StateHasher();
  bool ok() const { return md_ != nullptr; }  // false: OpenSSL was out of memory
  void BeginTable(size_t table_index, bool omit_if_empty = false);
  void AddRow(const Row& row);
  void EndTable();
  StateDigest Finish();

 private:
  void Flush();
  card::MdCtxPtr md_;
  base::Bytes buf_;  // encoded rows not yet hashed
  size_t table_ = 0;
  bool omit_if_empty_ = false;
  uint64_t rows_ = 0;  // in the current table
};

// The digest of every table of an open registry (a full read of the file). With `members`
// (sorted by rid, no duplicates), the member_status rows are those records as BuildRegistry
// writes them, and that table is not read.
base::Result<StateDigest> ComputeStateDigest(sqlite::Db& db,
                                             const std::vector<MemberRecord>* members = nullptr);

// The digest the builder recorded in the meta row kStateDigestMetaKey; nullopt when there is none
// (a registry built before it was recorded). A malformed value is DataLoss.
base::Result<std::optional<StateDigest>> ReadRecordedStateDigest(sqlite::Db& db);
// Records `d` in the meta row kStateDigestMetaKey (insert or replace).
base::Status RecordStateDigest(sqlite::Db& db, const StateDigest& d);

}  // namespace registry
