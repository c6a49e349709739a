// The admin key and withdrawn admin card lists the bundle builder reads (registry/admin_tables.h).
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>

#include "base/csv.h"
#include "base/hex.h"
#include "base/time_format.h"
#include "registry/admin_tables.h"
#include "registry/inputs.h"

namespace registry {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

using RowFn = std::function<base::Status(const base::CsvRecord&, const base::CsvHeader&)>;

std::string Field(const base::CsvRecord& rec, const base::CsvHeader& h, std::string_view col) {
  std::string_view v = rec.fields[h[col]];
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  return std::string(v);
}

// Every row through `fn`; bad rows collected as "FILE:LINE: why", all returned at the end.
base::Status EachRow(const std::string& path, const std::vector<std::string>& columns,
                     const RowFn& fn) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) {
    return errno == ENOENT ? base::NotFound(path + ": no such file")
                           : base::IoError("opening " + path, errno);
  }
  base::CsvReader reader(f.get(), path);
  base::CsvRecord rec;
  if (!reader.Next(&rec)) {
    if (!reader.status().ok()) return reader.status();
    return base::InvalidArgument(path + ": empty file (expected a header row)");
  }
  CK_ASSIGN_OR_RETURN(base::CsvHeader header, base::CsvHeader::Parse(rec, columns, path));
  std::string errors;
  size_t bad = 0;
  while (reader.Next(&rec)) {
    if (rec.fields.size() == 1 && rec.fields[0].empty()) continue;
    base::Status st =
        rec.fields.size() != header.size()
            ? base::InvalidArgument("expected " + std::to_string(header.size()) +
                                    " fields, found " + std::to_string(rec.fields.size()))
            : fn(rec, header);
    if (!st.ok() && ++bad <= kMaxReportedRowErrors)
      errors += path + ":" + std::to_string(rec.line) + ": " + st.message() + "\n";
  }
  if (!reader.status().ok()) return reader.status();
  if (bad == 0) return base::Status::Ok();
  return base::InvalidArgument(errors + path + ": " + std::to_string(bad) + " bad row(s)");
}

base::Result<int64_t> OptionalTime(const std::string& v, std::string_view col, int64_t open) {
  if (v.empty()) return open;
  base::Result<int64_t> t = base::ParseIso8601(v);
  if (!t.ok()) {
    return base::InvalidArgument(std::string(col) + " must be an ISO 8601 date or time " +
                                 "(2027-01-15 or 2027-01-15T10:00:00Z), got '" + v + "'");
  }
  return *t;
}

base::Result<card::IssuerKey> KeyRow(const std::string& dir, const base::CsvRecord& rec,
                                     const base::CsvHeader& h) {
  const std::string file = Field(rec, h, "key_file");
  if (file.empty()) return base::InvalidArgument("key_file is empty");
  const std::string full = file.front() == '/' ? file : dir + file;
  base::Result<card::PublicKey> key = card::PublicKey::FromPemFile(full);
  if (!key.ok()) return key.status().WithContext("key_file " + file);
  if (key->type() == card::KeyType::kRsa)
    return base::InvalidArgument("key_file " + file + ": admin keys are EC P-256 or Ed25519");
  card::IssuerKey k{.kid = key->kid(), .key = *key};
  CK_ASSIGN_OR_RETURN(k.not_before, OptionalTime(Field(rec, h, "not_before"), "not_before",
                                                 std::numeric_limits<int64_t>::min()));
  CK_ASSIGN_OR_RETURN(k.not_after, OptionalTime(Field(rec, h, "not_after"), "not_after",
                                                std::numeric_limits<int64_t>::max()));
  if (k.not_after <= k.not_before)
    return base::InvalidArgument("not_after is not after not_before");
  const std::string w = Field(rec, h, "withdrawn");
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
  CK_TRY(EachRow(path, {"key_file", "not_before", "not_after", "withdrawn"},
                 [&](const base::CsvRecord& rec, const base::CsvHeader& h) -> base::Status {
                   CK_ASSIGN_OR_RETURN(card::IssuerKey k, KeyRow(dir, rec, h));
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
  CK_TRY(EachRow(path, {"admin_id"},
                 [&](const base::CsvRecord& rec, const base::CsvHeader& h) -> base::Status {
                   const std::string hex = Field(rec, h, "admin_id");
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
