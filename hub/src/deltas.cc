#include "deltas.h"

#include <algorithm>
#include <charconv>
#include <cinttypes>
#include <filesystem>

#include "base/file.h"
#include "bundle/delta.h"
#include "bundle/path.h"
#include "registry/changes.h"

namespace hub {
namespace {

// "delta<B>-<N>.ckbundle" -> (B, N).
bool ParseDeltaName(std::string_view name, int64_t* base, int64_t* seq) {
  constexpr std::string_view kPrefix = "delta", kSuffix = ".ckbundle";
  if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix)) return false;
  name = name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
  const char* end = name.data() + name.size();
  auto [p, ec] = std::from_chars(name.data(), end, *base);
  if (ec != std::errc() || p == end || *p != '-') return false;
  auto [q, ec2] = std::from_chars(p + 1, end, *seq);
  return ec2 == std::errc() && q == end && *base >= 1 && *seq > *base;
}

// Keeps what it is given in memory, to check the records.
class BytesSink final : public base::WritableFile {
 public:
  base::Status Append(base::ByteSpan d) override {
    bytes.insert(bytes.end(), d.begin(), d.end());
    return base::Status::Ok();
  }
  base::Status Sync() override { return base::Status::Ok(); }
  base::Status Close() override { return base::Status::Ok(); }
  base::Bytes bytes;
};

}  // namespace

std::string FullBundleFileName(int64_t seq) {
  return "bundles/seq" + std::to_string(seq) + ".ckbundle";
}

std::string DeltaFileName(int64_t base_seq, int64_t seq) {
  return "bundles/delta" + std::to_string(base_seq) + "-" + std::to_string(seq) + ".ckbundle";
}

std::string FullEtag(int64_t seq) {
  std::string tag = "\"";  // built by append: GCC 12 -O3 warns wrongly on the + chain
  tag.append(std::to_string(seq)).append("\"");
  return tag;
}

std::vector<DeltaFile> ListDeltas(const std::string& data_dir) {
  std::vector<DeltaFile> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir + "/bundles", ec)) {
    DeltaFile d;
    if (!entry.is_regular_file(ec) ||
        !ParseDeltaName(entry.path().filename().string(), &d.base_seq, &d.seq)) {
      continue;
    }
    d.size = entry.file_size(ec);
    if (ec) continue;
    d.file = DeltaFileName(d.base_seq, d.seq);
    out.push_back(std::move(d));
  }
  std::sort(out.begin(), out.end(), [](const DeltaFile& a, const DeltaFile& b) {
    return a.seq != b.seq ? a.seq < b.seq : a.base_seq < b.base_seq;
  });
  return out;
}

BundleChoice ChooseBundle(const BundleRecord& latest, const std::vector<DeltaFile>& deltas,
                          std::optional<int64_t> have) {
  const BundleChoice full{.file = latest.file, .etag = FullEtag(latest.seq)};
  if (!have || *have < 1 || *have >= latest.seq) return full;
  std::vector<bundle::OfferedBundle> offered = {
      {.seq = latest.seq, .size = static_cast<uint64_t>(latest.size)}};
  std::vector<const DeltaFile*> index = {nullptr};
  for (const DeltaFile& d : deltas) {
    if (d.seq > latest.seq) continue;
    offered.push_back({.seq = d.seq, .base_seq = d.base_seq, .size = d.size});
    index.push_back(&d);
  }
  const std::vector<size_t> path = bundle::PlanPath(*have, offered);
  if (path.empty() || index[path[0]] == nullptr) return full;
  const DeltaFile& d = *index[path[0]];
  std::string tag = "\"";
  tag.append(std::to_string(d.base_seq)).append("-").append(std::to_string(d.seq)).append("\"");
  return {.file = d.file, .etag = tag};
}

base::Status PublishDelta(HubStore& store, base::FileSystem& fs, const std::string& data_dir,
                          const std::string& bundle_file, base::SequentialFile& in,
                          const bundle::Header& header, std::FILE* out) {
  const bundle::Manifest& m = header.manifest;
  CK_ASSIGN_OR_RETURN(std::optional<BundleRecord> latest, store.LatestBundle());
  if (!latest || m.seq > latest->seq) {
    return base::FailedPrecondition(
        bundle_file + ": delta to seq " + std::to_string(m.seq) + " is above the published seq " +
        std::to_string(latest ? latest->seq : 0) + ": publish the full bundle of seq " +
        std::to_string(m.seq) + " first");
  }
  BytesSink records;
  base::Status st = bundle::ExtractContent(in, m, records, bundle::kMaxDeltaRecordBytes);
  if (st.ok()) st = registry::ScanRecords(records.bytes).status();
  if (!st.ok()) return st.WithContext(bundle_file);
  CK_TRY(base::MakeDirs(data_dir + "/bundles", 0755));
  CK_ASSIGN_OR_RETURN(std::string bytes, base::ReadFile(fs, bundle_file, kMaxBundleFileBytes));
  const std::string name = DeltaFileName(m.base_seq, m.seq);
  CK_TRY(base::WriteFileAtomic(fs, data_dir + "/" + name, bytes, 0644));
  std::vector<DeltaFile> kept = ListDeltas(data_dir);
  for (size_t i = 0; i + kKeptDeltas < kept.size(); ++i) {
    (void)fs.Remove(data_dir + "/" + kept[i].file);
  }
  std::fprintf(out, "published delta seq %" PRId64 " -> %" PRId64 " (%zu bytes)\n", m.base_seq,
               m.seq, bytes.size());
  return base::Status::Ok();
}

}  // namespace hub
