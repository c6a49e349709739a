// The chains table on SQLite (chain_rows.h).
#include <string>

#include "chain_rows.h"

namespace hub {
namespace {

constexpr char kChainsTable[] = R"sql(
CREATE TABLE IF NOT EXISTS chains(
  device_id INTEGER NOT NULL REFERENCES devices(id),
  chain INTEGER NOT NULL,
  journal_id TEXT NOT NULL,
  started INTEGER NOT NULL,
  acked_seq INTEGER NOT NULL DEFAULT 0,
  previous_journal_id TEXT NOT NULL DEFAULT '',
  previous_last_seq INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(device_id, chain)) WITHOUT ROWID;
)sql";

using Step = sqlite::Stmt::StepResult;

base::Result<bool> EntriesHaveChain(sqlite::Db& db) {
  CK_ASSIGN_OR_RETURN(
      sqlite::Stmt st,
      db.Prepare("SELECT 1 FROM pragma_table_info('entries') WHERE name = 'chain'"));
  CK_ASSIGN_OR_RETURN(Step r, st.Step());
  return r == Step::kRow;
}

base::Result<std::vector<JournalChain>> ReadChains(sqlite::Stmt& st) {
  std::vector<JournalChain> out;
  while (true) {
    CK_ASSIGN_OR_RETURN(Step r, st.Step());
    if (r == Step::kDone) return out;
    out.push_back({.device_id = st.Int(0),
                   .device = st.Text(1),
                   .chain = st.Int(2),
                   .journal_id = st.Text(3),
                   .started = st.Int(4),
                   .acked_seq = st.Int(5),
                   .previous_journal_id = st.Text(6),
                   .previous_last_seq = st.Int(7)});
  }
}

}  // namespace

base::Status SqliteChainRows::CreateTables() {
  CK_TRY(conn_.Exec(kChainsTable));
  CK_TRY(conn_.Exec(kChainsByJournalIdIndex));
  CK_ASSIGN_OR_RETURN(bool have, EntriesHaveChain(conn_));
  if (!have) {
    // Another process may open the same file now: take the write lock, then look again.
    CK_TRY(conn_.Exec("BEGIN IMMEDIATE"));
    base::Status added = [&]() -> base::Status {
      CK_ASSIGN_OR_RETURN(bool now_have, EntriesHaveChain(conn_));
      if (now_have) return base::Status::Ok();
      CK_TRY(conn_.Exec("ALTER TABLE entries ADD COLUMN chain INTEGER NOT NULL DEFAULT 1"));
      return conn_.Exec(kBackfillChains);
    }();
    if (!added.ok()) {
      (void)conn_.Exec("ROLLBACK");
      return added.WithContext("adding the journal chains");
    }
    CK_TRY(conn_.Exec("COMMIT"));
  }
  return conn_.Exec(kEntriesByChainIndex);
}

base::Result<std::vector<JournalChain>> SqliteChainRows::ChainsOf(int64_t device_id) {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st, conn_.Prepare(std::string("SELECT ") + kChainColumns +
                                                     "WHERE c.device_id = ? ORDER BY c.chain"));
  st.Bind(1, device_id);
  return ReadChains(st);
}

base::Result<std::vector<JournalChain>> SqliteChainRows::AllChains() {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st, conn_.Prepare(std::string("SELECT ") + kChainColumns +
                                                     "ORDER BY d.name, c.chain"));
  return ReadChains(st);
}

base::Status SqliteChainRows::InsertChain(const JournalChain& c) {
  CK_ASSIGN_OR_RETURN(
      sqlite::Stmt st,
      conn_.Prepare("INSERT INTO chains(device_id, chain, journal_id, started, acked_seq, "
                    "previous_journal_id, previous_last_seq) VALUES(?, ?, ?, ?, ?, ?, ?)"));
  st.Bind(1, c.device_id).Bind(2, c.chain).Bind(3, c.journal_id).Bind(4, c.started);
  st.Bind(5, c.acked_seq).Bind(6, c.previous_journal_id).Bind(7, c.previous_last_seq);
  return st.Run();
}

base::Status SqliteChainRows::UpdateChain(int64_t device_id, int64_t chain,
                                          const std::string& journal_id, int64_t acked_seq) {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st,
                      conn_.Prepare("UPDATE chains SET journal_id = ?, acked_seq = ? WHERE "
                                    "device_id = ? AND chain = ?"));
  st.Bind(1, journal_id).Bind(2, acked_seq).Bind(3, device_id).Bind(4, chain);
  return st.Run();
}

}  // namespace hub
