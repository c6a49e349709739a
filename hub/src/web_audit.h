// The audit log of the admin pages: DATA_DIR/admin-audit.jsonl, one JSON object a line (time,
// user, address, action, detail, outcome), appended and fsynced before the action's answer is
// sent. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"

namespace hub::web {

struct AuditRecord {
  int64_t time = 0;
  std::string user, address, action, detail, outcome;  // outcome: "ok" or why it was refused
};

inline constexpr char kAuditFile[] = "admin-audit.jsonl";

class AuditLog {
 public:
  explicit AuditLog(std::string data_dir) : path_(std::move(data_dir) + "/" + kAuditFile) {}
  base::Status Append(const AuditRecord& r);
  // The newest `limit` records, newest first; lines that are not records are skipped.
  base::Result<std::vector<AuditRecord>> Newest(size_t limit);

 private:
  std::string path_;
  std::mutex mu_;
};

}  // namespace hub::web
