#include "bundle_pull.h"

#include <fcntl.h>

#include <cerrno>
#include <charconv>
#include <memory>
#include <optional>
#include <utility>

#include "base/file.h"
#include "base/fs.h"
#include "base/text.h"
#include "protocol/paths.h"

namespace ck_sync {
namespace {

constexpr size_t kMaxEtagBytes = 256;
// A cycle follows at most this many deltas; the next cycle goes on from there.
constexpr int kMaxDeltaSteps = 32;

// The file's size, 0 when it cannot be opened.
uint64_t FileSizeOrZero(base::FileSystem& fs, const std::string& path) {
  base::Result<std::unique_ptr<base::SequentialFile>> f = fs.OpenSequential(path);
  return f.ok() ? (*f)->size() : 0;
}

// Parses "bytes START-END/SIZE" of a range that runs to the end.
bool ParseContentRange(const std::string& v, uint64_t* start, uint64_t* size) {
  uint64_t end = 0;
  if (!v.starts_with("bytes ")) return false;
  const char* p = v.data() + 6;
  const char* e = v.data() + v.size();
  auto r1 = std::from_chars(p, e, *start);
  if (r1.ec != std::errc() || r1.ptr == e || *r1.ptr != '-') return false;
  auto r2 = std::from_chars(r1.ptr + 1, e, end);
  if (r2.ec != std::errc() || r2.ptr == e || *r2.ptr != '/') return false;
  auto r3 = std::from_chars(r2.ptr + 1, e, *size);
  return r3.ec == std::errc() && r3.ptr == e && end + 1 == *size && *start <= end;
}

std::string HeaderOf(const HttpResponse& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? "" : it->second;
}

// Streams a 200 or 206 body into the download file: appended after `resume_from` bytes on a 206,
// from the start on a 200. The ETag of a new download is recorded (through the FileSystem) before
// any byte lands, so that an interrupted transfer can be resumed, after a reboot too. The file
// itself is written through a descriptor: base::FileSystem has no append mode.
class DownloadSink final : public BodySink {
 public:
  DownloadSink(base::FileSystem& fs, const std::string& path, const std::string& etag_file,
               uint64_t resume_from, std::string etag, uint64_t max_bytes)
      : fs_(fs),
        path_(path),
        etag_file_(etag_file),
        resume_from_(resume_from),
        etag_(std::move(etag)),
        max_bytes_(max_bytes) {}

  bool Accept(const HttpResponse& head) override {
    answered_ = true;
    if (head.status != 200 && head.status != 206) return false;
    const bool append = head.status == 206 && resume_from_ > 0;
    RecordEtag(head);
    const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
    fd_ = base::UniqueFd(::open(path_.c_str(), flags, 0600));
    if (!fd_.valid()) error_ = base::IoError(path_, errno);
    written_ = append ? resume_from_ : 0;
    return true;
  }

  base::Status Write(std::string_view data) override {
    if (!error_.ok()) return error_;
    if (written_ + data.size() > max_bytes_) {
      return base::OutOfRange("the bundle is larger than the limit of " +
                              std::to_string(max_bytes_) + " bytes");
    }
    CK_TRY(base::WriteAll(fd_.get(), data, path_));
    written_ += data.size();
    return base::Status::Ok();
  }

  // The hub answered (status and headers came), whatever happened after.
  bool answered() const { return answered_; }

 private:
  void RecordEtag(const HttpResponse& head) {
    const std::string tag = HeaderOf(head, "etag");
    if (head.status == 206 && tag == etag_) return;
    // A new download: remember its ETag before any byte lands.
    (void)fs_.Remove(etag_file_);
    if (!tag.empty()) (void)base::WriteFileAtomic(fs_, etag_file_, tag + "\n", 0600);
  }

  base::FileSystem& fs_;
  const std::string& path_;
  const std::string& etag_file_;
  const uint64_t resume_from_;
  const std::string etag_;
  const uint64_t max_bytes_;
  base::UniqueFd fd_;
  uint64_t written_ = 0;
  bool answered_ = false;
  base::Status error_;
};

}  // namespace

BundlePull::BundlePull(base::FileSystem& fs, bundle::Importer& importer, HubClient& hub,
                       const RetryPolicy& retry, const std::string& data_dir, uint64_t max_bytes)
    : fs_(fs),
      importer_(importer),
      hub_(hub),
      retry_(retry),
      download_(data_dir + "/" + kBundleDownloadFile),
      etag_file_(data_dir + "/" + kBundleDownloadEtagFile),
      max_bytes_(max_bytes) {}

void BundlePull::Discard() {
  (void)fs_.Remove(download_);
  (void)fs_.Remove(etag_file_);
}

PullReport BundlePull::Run() {
  PullReport rep = RunOne();
  // A delta brings the registry one step: ask again from the new seq until the hub has nothing
  // newer. A later step that does not apply ends the chain (the next cycle goes on from there).
  for (int step = 1;
       step < kMaxDeltaSteps && rep.state == PullReport::State::kApplied && applied_delta_;
       ++step) {
    PullReport next = RunOne();
    if (next.state != PullReport::State::kApplied) break;
    next.previous_seq = rep.previous_seq;
    next.attempts += rep.attempts;
    rep = std::move(next);
  }
  return rep;
}

PullReport BundlePull::RunOne() {
  applied_delta_ = false;
  PullReport rep;
  base::Result<std::optional<registry::Meta>> meta = importer_.AppliedMeta();
  if (meta.ok() && meta->has_value()) rep.previous_seq = (*meta)->seq;
  rep.seq = rep.previous_seq;
  bool complete = false;
  RunWithRetry(
      retry_, [&] { return Attempt(&rep, &complete); }, &rep.attempts);
  if (complete) Apply(&rep);
  return rep;
}

bool BundlePull::Attempt(PullReport* rep, bool* complete) {
  rep->status = base::Status::Ok();
  // Resume only a partial download whose ETag we know.
  uint64_t have = 0;
  std::string etag;
  if (fs_.Exists(download_) && fs_.Exists(etag_file_)) {
    base::Result<std::string> e = base::ReadFile(fs_, etag_file_, kMaxEtagBytes);
    if (e.ok()) etag = std::string(base::TrimBlanks(*e));
    have = etag.empty() ? 0 : FileSizeOrZero(fs_, download_);
  }
  HttpHeaders headers;
  if (rep->previous_seq > 0) {
    std::string tag = "\"";  // built by append: GCC 12 -O3 warns falsely (-Wrestrict) on a + chain
    tag.append(std::to_string(rep->previous_seq)).append("\"");
    headers.emplace_back("If-None-Match", std::move(tag));
    // This kiosk takes deltas: the hub may answer with the first step from this seq.
    headers.emplace_back(ck_protocol::kRegistrySeqHeader, std::to_string(rep->previous_seq));
  }
  std::optional<uint64_t> range;
  if (have > 0) {
    range = have;
    headers.emplace_back("If-Range", etag);
  }
  DownloadSink sink(fs_, download_, etag_file_, have, etag, max_bytes_);
  base::Result<HttpResponse> r =
      hub_.Get(ck_protocol::kBundlePath, std::move(headers), range, &sink);
  rep->unreachable = !r.ok() && !sink.answered();
  if (!r.ok()) {
    rep->state = PullReport::State::kError;
    rep->status = r.status();
    return !IsTransientTransportError(r.status());
  }
  return OnAnswer(*r, have, rep, complete);
}

bool BundlePull::OnAnswer(const HttpResponse& r, uint64_t have, PullReport* rep, bool* complete) {
  switch (r.status) {
    case 304:
      Discard();
      rep->state = PullReport::State::kUpToDate;
      return true;
    case 404:
      Discard();
      rep->state = PullReport::State::kNoBundle;
      return true;
    case 416:
      // Our partial file is longer than the bundle: start over at once.
      Discard();
      rep->state = PullReport::State::kError;
      rep->status = base::Unavailable("the hub refused the resume range (416); starting over");
      return false;
    case 200:
    case 206:
      *complete = CheckComplete(r, have, rep);
      return *complete;
    default: {
      // 401/403 and other final 4xx: the hub refuses this device or request.
      const bool transient = IsTransientHttpStatus(r.status);
      rep->state = transient ? PullReport::State::kError : PullReport::State::kRefused;
      rep->status = HttpError("GET /v1/bundle", r);
      return !transient;
    }
  }
}

bool BundlePull::CheckComplete(const HttpResponse& r, uint64_t have, PullReport* rep) {
  if (r.status == 206) {
    uint64_t start = 0, size = 0;
    if (!ParseContentRange(HeaderOf(r, "content-range"), &start, &size) || start != have ||
        FileSizeOrZero(fs_, download_) != size) {
      Discard();
      rep->state = PullReport::State::kError;
      rep->status = base::DataLoss("the hub's partial answer does not continue the download");
      return false;
    }
    rep->resumed = true;
    return true;
  }
  const std::string length = HeaderOf(r, "content-length");
  uint64_t len = 0;
  auto [p, ec] = std::from_chars(length.data(), length.data() + length.size(), len);
  if (!length.empty() && ec == std::errc() && FileSizeOrZero(fs_, download_) != len) {
    rep->state = PullReport::State::kError;
    rep->status = base::DataLoss("the download is shorter than announced");
    return false;
  }
  return true;
}

void BundlePull::Apply(PullReport* rep) {
  base::Result<bundle::ApplyReport> applied = importer_.Apply(download_);
  Discard();
  if (!applied.ok()) {
    rep->status = applied.status();
    rep->state = applied.status().code() == base::StatusCode::kIo ? PullReport::State::kError
                                                                  : PullReport::State::kRefused;
    return;
  }
  rep->state = PullReport::State::kApplied;
  applied_delta_ = applied->manifest.is_delta();
  rep->seq = applied->manifest.seq;
  rep->previous_seq = applied->previous_seq;
}

}  // namespace ck_sync
