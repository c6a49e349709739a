// The admin key and withdrawn admin card lists the bundle builder reads (registry/admin_tables.h).
#include <algorithm>
#include <cstring>
#include <limits>

#include "base/hex.h"
#include "base/time_format.h"
#include "csv_rows.h"
#include "registry/admin_tables.h"
#include "registry/inputs.h"

namespace registry {
namespace {

base::Result<int64_t> OptionalTime(const std::string& v, std::string_view col, int64_t open) {
  if (v.empty()) return open;
  base::Result<int64_t> t = base::ParseIso8601(v);
  if (!t.ok()) {
    return base::InvalidArgument(std::string(col) + " must be an ISO 8601 date or time " +
                                 "(2027-01-15 or 2027-01-15T10:00:00Z), got '" + v + "'");
  }
  return *t;
}

base::Result<card::IssuerKey> KeyRow(const std::string& dir, const CsvRow& row) {
  const std::string file = row.Get("key_file");
  if (file.empty()) return base::InvalidArgument("key_file is empty");
  const std::string full = file.front() == '/' ? file : dir + file;
  base::Result<card::PublicKey> key = card::PublicKey::FromPemFile(full);
  if (!key.ok()) return key.status().WithContext("key_file " + file);
  if (key->type() == card::KeyType::kRsa)
    return base::InvalidArgument("key_file " + file + ": admin keys are EC P-256 or Ed25519");
  card::IssuerKey k{.kid = key->kid(), .key = *key};
  CK_ASSIGN_OR_RETURN(k.not_before, OptionalTime(row.Get("not_before"), "not_before",
                                                 std::numeric_limits<int64_t>::min()));
  CK_ASSIGN_OR_RETURN(k.not_after, OptionalTime(row.Get("not_after"), "not_after",
                                                std::numeric_limits<int64_t>::max()));
  if (k.not_after <= k.not_before)
    return base::InvalidArgument("not_after is not after not_before");
  const std::string w = row.Get("withdrawn");
  if (w != "" && w != "yes" && w != "no")
    return base::InvalidArgument("withdrawn must be yes or no (or empty), got '" + w + "'");
  k.withdrawn = w == "yes";
  return k;
}

}  // namespace

base::Result<std::vector<card::IssuerKey>> ReadAdminKeysCsv(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  std::vector<card::IssuerKey> out;
  CK_TRY(ForEachRow(path, {"key_file", "not_before", "not_after", "withdrawn"},
                    [&](const CsvRow& row) -> base::Status {
                      CK_ASSIGN_OR_RETURN(card::IssuerKey k, KeyRow(dir, row));
                      for (const card::IssuerKey& seen : out) {
                        if (seen.kid == k.kid)
                          return base::InvalidArgument("the key " + base::ToHex(k.kid) +
                                                       " is listed twice");
                      }
                      out.push_back(std::move(k));
                      return base::Status::Ok();
                    }));
  if (out.empty()) return base::InvalidArgument(path + ": no admin keys (a header row only)");
  return out;
}

base::Result<std::vector<card::AdminId>> ReadWithdrawnAdminsCsv(const std::string& path) {
  std::vector<card::AdminId> out;
  CK_TRY(ForEachRow(path, {"admin_id"}, [&](const CsvRow& row) -> base::Status {
    const std::string hex = row.Get("admin_id");
    base::Result<base::Bytes> b = base::FromHex(hex);
    card::AdminId id{};
    if (!b.ok() || b->size() != id.size()) {
      return base::InvalidArgument(
          "admin_id must be 16 hex digits (as cardctl issue-admin prints it), "
          "got '" +
          hex + "'");
    }
    std::memcpy(id.data(), b->data(), id.size());
    out.push_back(id);
    return base::Status::Ok();
  }));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace registry
