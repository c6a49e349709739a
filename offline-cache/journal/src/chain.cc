#include "journal/chain.h"

#include <charconv>
#include <string_view>

#include "base/text.h"

namespace journal {
namespace {

constexpr size_t kMaxMarkerBytes = 4096;

std::string MarkerPath(const std::string& data_dir) { return data_dir + "/" + kChainMarkerFile; }
std::string JournalPath(const std::string& data_dir) { return data_dir + "/" + kJournalFile; }

base::Status MissingJournal(const std::string& data_dir, const ChainMarker& m) {
  const std::string known =
      "journal " + m.journal_id + " had reached seq " + std::to_string(m.last_seq);
  return base::DataLoss(JournalPath(data_dir) + " is missing (" + known +
                        "): an admin must start a new journal (cardctl journal new-chain)");
}

}  // namespace

base::Result<std::optional<ChainMarker>> ReadChainMarker(base::FileSystem& fs,
                                                         const std::string& data_dir) {
  const std::string path = MarkerPath(data_dir);
  base::Result<std::string> text = base::ReadFile(fs, path, kMaxMarkerBytes);
  if (text.status().code() == base::StatusCode::kNotFound) return std::optional<ChainMarker>();
  CK_TRY(text.status().WithContext(path));
  ChainMarker m;
  bool have_seq = false;
  std::string_view rest = *text;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = base::TrimBlanks(line.substr(0, eq));
    const std::string_view value = base::TrimBlanks(line.substr(eq + 1));
    if (key == "journal_id") m.journal_id = std::string(value);
    if (key == "last_seq") {
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), m.last_seq);
      have_seq = ec == std::errc() && end == value.data() + value.size() && m.last_seq >= 0;
    }
  }
  if (m.journal_id.empty() || !have_seq) {
    return base::DataLoss(path + ": not a journal marker (journal_id=, last_seq= expected)");
  }
  return std::optional<ChainMarker>(m);
}

base::Status WriteChainMarker(base::FileSystem& fs, const std::string& data_dir,
                              const ChainMarker& marker) {
  const std::string text =
      "# the journal this directory holds (docs/journal.md)\njournal_id=" + marker.journal_id +
      "\nlast_seq=" + std::to_string(marker.last_seq) + "\n";
  return base::WriteFileAtomic(fs, MarkerPath(data_dir), text, 0644);
}

base::Result<std::unique_ptr<Journal>> OpenDeviceJournal(base::FileSystem& fs,
                                                         const std::string& data_dir,
                                                         const base::Clock& clock) {
  CK_ASSIGN_OR_RETURN(std::optional<ChainMarker> marker, ReadChainMarker(fs, data_dir));
  // The marker is the evidence that a journal existed. The device key is not: it is made before
  // the first start too (`cardctl device pubkey`, to enroll the device).
  if (!fs.Exists(JournalPath(data_dir)) && marker.has_value()) {
    return MissingJournal(data_dir, *marker);
  }
  CK_ASSIGN_OR_RETURN(std::unique_ptr<Journal> j, Journal::Open(JournalPath(data_dir), clock));
  const std::string& id = j->identity().journal_id;
  if (marker.has_value() && marker->journal_id != id) {
    return base::DataLoss(JournalPath(data_dir) + " holds journal " + id + ", not this device's " +
                          marker->journal_id + " (seq " + std::to_string(marker->last_seq) +
                          "): an admin must decide (cardctl journal new-chain)");
  }
  if (!marker.has_value() || marker->last_seq != j->last_seq()) {
    CK_TRY(WriteChainMarker(fs, data_dir, {id, j->last_seq()}));
  }
  return j;
}

base::Result<Identity> StartNewChain(base::FileSystem& fs, const std::string& data_dir,
                                     const base::Clock& clock) {
  const std::string path = JournalPath(data_dir);
  if (fs.Exists(path) || fs.Exists(path + "-wal")) {
    return base::AlreadyExists(path +
                               " exists: a new chain replaces only a missing journal "
                               "(move journal.db and its -wal/-shm aside first)");
  }
  CK_ASSIGN_OR_RETURN(std::optional<ChainMarker> marker, ReadChainMarker(fs, data_dir));
  JournalOptions options;
  options.previous = PreviousChain{"unknown", 0};  // lost before the device kept a marker
  if (marker.has_value()) options.previous = PreviousChain{marker->journal_id, marker->last_seq};
  (void)fs.Remove(path + "-shm");  // a stale index of the lost WAL must not be read
  CK_ASSIGN_OR_RETURN(std::unique_ptr<Journal> j, Journal::Open(path, clock, options));
  CK_TRY(WriteChainMarker(fs, data_dir, {j->identity().journal_id, 0}));
  return j->identity();
}

base::Result<std::unique_ptr<Journal>> OpenExistingJournal(base::FileSystem& fs,
                                                           const std::string& data_dir,
                                                           const base::Clock& clock) {
  const std::string path = data_dir + "/" + kJournalFile;
  if (!fs.Exists(path)) {
    return base::NotFound(path + ": no journal here (is " + data_dir +
                          " a kiosk's data directory?)");
  }
  return Journal::Open(path, clock);
}

}  // namespace journal
