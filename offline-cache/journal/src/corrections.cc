// The journal's reads for corrections (docs/journal.md, "Voids"): an entry by uuid, the void that
// cancels it, the last transactions and the door's last check-in. A void never edits or removes
// the entry it cancels; the counts (Usage, CheckinsOf, Attendance, ManualCount) leave out what a
// void cancels.
#include "journal/entry_columns.h"
#include "journal/journal.h"

namespace journal {
namespace {

base::Result<Entry> ReadEntry(const sqlite::Stmt& st) {
  Entry e;
  base::Status read = ReadEntryColumns(st, 0, &e);
  if (read.code() == base::StatusCode::kDataLoss)
    return base::DataLoss("journal entry " + std::to_string(e.seq) + ": " + read.message());
  CK_TRY(read);
  return e;
}

}  // namespace

// The newest entry matching `where` (an SQL condition with `?` for each of `params`, in order).
base::Result<std::optional<Entry>> Journal::FindOne(const std::string& where,
                                                    const std::vector<std::string>& params) {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st,
                      db_.Prepare("SELECT " + EntryColumnNames() + " FROM entries WHERE " + where +
                                  " ORDER BY seq DESC LIMIT 1"));
  for (size_t i = 0; i < params.size(); ++i) st.Bind(static_cast<int>(i) + 1, params[i]);
  CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st.Step());
  if (r == sqlite::Stmt::StepResult::kDone) return std::optional<Entry>();
  CK_ASSIGN_OR_RETURN(Entry e, ReadEntry(st));
  return std::optional<Entry>(std::move(e));
}

base::Result<std::optional<Entry>> Journal::Find(const std::string& uuid) {
  return FindOne("uuid = ?", {uuid});
}

base::Result<std::optional<Entry>> Journal::VoidOf(const std::string& uuid) {
  return FindOne("kind = 'void' AND ref_uuid = ?", {uuid});
}

base::Result<std::optional<Entry>> Journal::LastCheckin(const std::string& event_id) {
  return FindOne(
      "event_id = ? AND decision = 'accepted' AND kind IN ('checkin', 'manual_count') AND NOT "
      "EXISTS (SELECT 1 FROM entries v WHERE v.kind = 'void' AND v.ref_uuid = entries.uuid)",
      {event_id});
}

base::Result<std::vector<Entry>> Journal::Recent(int limit) {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st,
                      db_.Prepare("SELECT " + EntryColumnNames() +
                                  " FROM entries WHERE kind IN ('discount', 'checkin', "
                                  "'manual_count') ORDER BY seq DESC LIMIT ?"));
  st.Bind(1, int64_t{limit});
  std::vector<Entry> out;
  for (;;) {
    CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st.Step());
    if (r == sqlite::Stmt::StepResult::kDone) return out;
    CK_ASSIGN_OR_RETURN(Entry e, ReadEntry(st));
    out.push_back(std::move(e));
  }
}

}  // namespace journal
