#include "hub/import.h"

#include <cinttypes>
#include <optional>

#include "base/hex.h"
#include "hub/intake.h"
#include "journal/export.h"

namespace hub {
namespace {

// One file: Ok when taken; a refusal otherwise. `device_name` is set once the device is known.
base::Status ImportOne(HubStore& store, base::ByteSpan file, int64_t now, const ImportLimits& lim,
                       std::string* device_name, BatchIntake* intake) {
  CK_ASSIGN_OR_RETURN(journal::ExportPeek peek, journal::PeekExport(file));
  BatchRefusal why = BatchRefusal::kNone;
  base::Result<Device> dev = EnrolledDevice(store, peek.signer, &why);
  if (!dev.ok()) return dev.status().WithContext("kid " + base::ToHex(peek.signer));
  *device_name = dev->name;
  // The kiosk's clock may run a little ahead; a file from further ahead is not one a kiosk with a
  // sane clock wrote (its clock never runs backwards: such entries would hold it up for good).
  return TakeBatch(store, *dev, file, now, intake, {.latest_time = now + lim.max_ahead_seconds});
}

std::string SeqsText(const BatchIntake& in) {
  if (in.last_seq == 0) return "none (an empty batch)";
  return std::to_string(in.first_seq) + "-" + std::to_string(in.last_seq);
}

}  // namespace

ImportTally ImportFiles(HubStore& store, base::FileSystem& fs,
                        const std::vector<std::string>& files, int64_t now, std::FILE* out,
                        const ImportLimits& limits) {
  ImportTally tally;
  for (const std::string& path : files) {
    base::Result<std::string> bytes = base::ReadFile(fs, path, limits.max_file_bytes);
    if (!bytes.ok() && bytes.status().code() != base::StatusCode::kOutOfRange) {
      std::fprintf(out, "%s: cannot read: %s\n", path.c_str(), bytes.status().message().c_str());
      ++tally.files_unreadable;
      continue;
    }
    std::string device;
    BatchIntake intake;
    base::Status st =
        bytes.ok()
            ? ImportOne(store, base::AsBytes(*bytes), now, limits, &device, &intake)
            : base::OutOfRange("too large for a journal export (" + bytes.status().message() + ")");
    if (!st.ok()) {
      const std::string who = device.empty() ? "" : "device " + device + ": ";
      std::fprintf(out, "%s: refused: %s%s; nothing stored from it\n", path.c_str(), who.c_str(),
                   st.message().c_str());
      ++tally.files_refused;
      continue;
    }
    std::fprintf(out,
                 "%s: device %s: seqs %s: stored %" PRId64 ", already held %" PRId64
                 " (held through seq %" PRId64 ")\n",
                 path.c_str(), device.c_str(), SeqsText(intake).c_str(), intake.put.stored,
                 intake.put.duplicates, intake.put.acked_seq);
    ++tally.files_taken;
  }
  std::fflush(out);
  return tally;
}

}  // namespace hub
