// The journal-chain row operations (TableRows::ChainsOf ... UpdateChain) on each database, for
// sqlite_store.cc and postgres_store.cc: the chains table and the entries' chain column, added to
// a database an older hub made (in a write transaction: its entries are the devices' first
// chains). Internal to ck_hub.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "hub/store.h"
#include "hub/tables.h"
#include "postgres_conn.h"
#include "sqlite/db.h"

namespace hub {

// The chains table on one connection (the caller serialises its use).
class SqliteChainRows {
 public:
  explicit SqliteChainRows(sqlite::Db& conn) : conn_(conn) {}

  // Creates the table, and adds entries.chain where it is missing (every entry and acked seq
  // held then belongs to its device's chain 1), in one write transaction. After the schema.
  base::Status CreateTables();
  base::Result<std::vector<JournalChain>> ChainsOf(int64_t device_id);
  base::Result<std::vector<JournalChain>> AllChains();
  base::Status InsertChain(const JournalChain& c);
  base::Status UpdateChain(int64_t device_id, int64_t chain, const std::string& journal_id,
                           int64_t acked_seq);

 private:
  sqlite::Db& conn_;
};

class PostgresChainRows {
 public:
  explicit PostgresChainRows(pg::PgConnection& conn) : conn_(conn) {}

  // As SqliteChainRows::CreateTables, inside the caller's schema transaction.
  base::Status CreateTables();
  base::Result<std::vector<JournalChain>> ChainsOf(int64_t device_id);
  base::Result<std::vector<JournalChain>> AllChains();
  base::Status InsertChain(const JournalChain& c);
  base::Status UpdateChain(int64_t device_id, int64_t chain, const std::string& journal_id,
                           int64_t acked_seq);

 private:
  pg::PgConnection& conn_;
};

// The SQL both databases share.
inline constexpr char kChainColumns[] =
    "c.device_id, d.name, c.chain, c.journal_id, c.started, c.acked_seq, c.previous_journal_id, "
    "c.previous_last_seq FROM chains c JOIN devices d ON d.id = c.device_id ";
inline constexpr char kChainsByJournalIdIndex[] =
    "CREATE UNIQUE INDEX IF NOT EXISTS chains_by_journal_id ON chains(device_id, journal_id) "
    "WHERE journal_id <> ''";
inline constexpr char kEntriesByChainIndex[] =
    "CREATE INDEX IF NOT EXISTS entries_by_chain ON entries(device_id, chain, seq)";
// The devices that hold entries when the chain column is added: their chain 1.
inline constexpr char kBackfillChains[] =
    "INSERT INTO chains(device_id, chain, journal_id, started, acked_seq) SELECT d.id, 1, '', "
    "(SELECT MIN(e.received) FROM entries e WHERE e.device_id = d.id), d.acked_seq FROM devices "
    "d WHERE EXISTS (SELECT 1 FROM entries e WHERE e.device_id = d.id)";

// "WHERE e.kind = 'K' AND e.device_id = <placeholder> ", each part only when `which` sets it
// ("" for neither). The kind is one of journal::KindName's fixed words, written into the text so
// that a partial index by kind (kEntriesClockCorrectionsIndex) applies.
inline std::string EntryScanWhere(const EntryScan& which, const char* device_placeholder) {
  std::string where;
  if (which.kind) where = "e.kind = '" + std::string(journal::KindName(*which.kind)) + "' ";
  if (which.device_id) {
    where += (where.empty() ? "e.device_id = " : "AND e.device_id = ") +
             std::string(device_placeholder) + " ";
  }
  return where.empty() ? where : "WHERE " + where;
}
inline constexpr char kEntriesClockCorrectionsIndex[] =
    "CREATE INDEX IF NOT EXISTS entries_clock_corrections ON entries(device_id, seq) "
    "WHERE kind = 'clock_correction'";

// The TableRows chain operations, forwarded to `Chains` (SqliteChainRows, PostgresChainRows), over
// `Base` (the health operations' HealthTableRows).
template <typename Base, typename Chains>
class ChainTableRows : public Base {
 public:
  template <typename Health>
  ChainTableRows(Health health, Chains chains) : Base(health), chains_(chains) {}

  base::Result<std::vector<JournalChain>> ChainsOf(int64_t device_id) override {
    return chains_.ChainsOf(device_id);
  }
  base::Result<std::vector<JournalChain>> AllChains() override { return chains_.AllChains(); }
  base::Status InsertChain(const JournalChain& c) override { return chains_.InsertChain(c); }
  base::Status UpdateChain(int64_t device_id, int64_t chain, const std::string& journal_id,
                           int64_t acked_seq) override {
    return chains_.UpdateChain(device_id, chain, journal_id, acked_seq);
  }

 private:
  Chains chains_;
};

}  // namespace hub
