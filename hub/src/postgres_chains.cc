// The chains table on PostgreSQL (chain_rows.h).
#include <string>

#include "chain_rows.h"

namespace hub {
namespace {

using pg::Int;
using pg::Params;
using pg::PgResult;
using pg::Str;

constexpr char kChainsTable[] = R"sql(CREATE TABLE IF NOT EXISTS chains(
  device_id BIGINT NOT NULL REFERENCES devices(id),
  chain BIGINT NOT NULL,
  journal_id TEXT NOT NULL,
  started BIGINT NOT NULL,
  acked_seq BIGINT NOT NULL DEFAULT 0,
  previous_journal_id TEXT NOT NULL DEFAULT '',
  previous_last_seq BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY(device_id, chain)))sql";

std::vector<JournalChain> ReadChains(const PGresult* r) {
  std::vector<JournalChain> out;
  for (int i = 0; i < PQntuples(r); ++i) {
    out.push_back({.device_id = Int(r, i, 0),
                   .device = Str(r, i, 1),
                   .chain = Int(r, i, 2),
                   .journal_id = Str(r, i, 3),
                   .started = Int(r, i, 4),
                   .acked_seq = Int(r, i, 5),
                   .previous_journal_id = Str(r, i, 6),
                   .previous_last_seq = Int(r, i, 7)});
  }
  return out;
}

}  // namespace

base::Status PostgresChainRows::CreateTables() {
  CK_TRY(conn_.Exec(kChainsTable, Params()).status());
  CK_TRY(conn_.Exec(kChainsByJournalIdIndex, Params()).status());
  CK_ASSIGN_OR_RETURN(
      PgResult have,
      conn_.Exec("SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
                 "AND table_name = 'entries' AND column_name = 'chain'",
                 Params()));
  if (PQntuples(have.get()) == 0) {
    CK_TRY(conn_.Exec("ALTER TABLE entries ADD COLUMN chain BIGINT NOT NULL DEFAULT 1", Params())
               .status());
    CK_TRY(conn_.Exec(kBackfillChains, Params()).status());
  }
  return conn_.Exec(kEntriesByChainIndex, Params()).status();
}

base::Result<std::vector<JournalChain>> PostgresChainRows::ChainsOf(int64_t device_id) {
  CK_ASSIGN_OR_RETURN(PgResult r, conn_.Exec(std::string("SELECT ") + kChainColumns +
                                                 "WHERE c.device_id = $1 ORDER BY c.chain",
                                             Params().Int(device_id)));
  return ReadChains(r.get());
}

base::Result<std::vector<JournalChain>> PostgresChainRows::AllChains() {
  CK_ASSIGN_OR_RETURN(PgResult r, conn_.Exec(std::string("SELECT ") + kChainColumns +
                                                 "ORDER BY d.name COLLATE \"C\", c.chain",
                                             Params()));
  return ReadChains(r.get());
}

base::Status PostgresChainRows::InsertChain(const JournalChain& c) {
  return conn_
      .Exec(
          "INSERT INTO chains(device_id, chain, journal_id, started, acked_seq, "
          "previous_journal_id, previous_last_seq) VALUES($1, $2, $3, $4, $5, $6, $7)",
          Params()
              .Int(c.device_id)
              .Int(c.chain)
              .Text(c.journal_id)
              .Int(c.started)
              .Int(c.acked_seq)
              .Text(c.previous_journal_id)
              .Int(c.previous_last_seq))
      .status();
}

base::Status PostgresChainRows::UpdateChain(int64_t device_id, int64_t chain,
                                            const std::string& journal_id, int64_t acked_seq) {
  return conn_
      .Exec("UPDATE chains SET journal_id = $1, acked_seq = $2 WHERE device_id = $3 AND chain = $4",
            Params().Text(journal_id).Int(acked_seq).Int(device_id).Int(chain))
      .status();
}

}  // namespace hub
