#include "fault_fs.h"

#include <cerrno>
#include <utility>

namespace cktest {
namespace {

// Rewrites `path` with only its first `keep` bytes, through `fs`.
base::Status TruncateTo(base::FileSystem& fs, const std::string& path, uint64_t keep) {
  base::Bytes data(static_cast<size_t>(keep));
  {
    CK_ASSIGN_OR_RETURN(auto in, fs.OpenSequential(path));
    size_t done = 0;
    while (done < data.size()) {
      CK_ASSIGN_OR_RETURN(size_t got, in->Read(data.data() + done, data.size() - done));
      if (got == 0) break;
      done += got;
    }
    data.resize(done);
  }
  CK_ASSIGN_OR_RETURN(auto out, fs.OpenWritable(path, 0644));
  CK_TRY(out->Append(data));
  CK_TRY(out->Sync());
  return out->Close();
}

}  // namespace

class FaultInjectionFs::Sequential final : public base::SequentialFile {
 public:
  Sequential(FaultInjectionFs* fs, std::unique_ptr<base::SequentialFile> target, std::string path)
      : fs_(fs), target_(std::move(target)), path_(std::move(path)) {}

  base::Result<size_t> Read(uint8_t* buf, size_t n) override {
    CK_TRY(fs_->BeforeRead({.path = path_, .offset = offset_, .n = n}));
    base::Result<size_t> got = target_->Read(buf, n);
    if (got.ok()) offset_ += *got;
    return got;
  }
  uint64_t size() const override { return target_->size(); }

 private:
  FaultInjectionFs* fs_;
  std::unique_ptr<base::SequentialFile> target_;
  std::string path_;
  uint64_t offset_ = 0;
};

class FaultInjectionFs::Writable final : public base::WritableFile {
 public:
  Writable(FaultInjectionFs* fs, std::unique_ptr<base::WritableFile> target, std::string path,
           std::shared_ptr<FileState> state)
      : fs_(fs), target_(std::move(target)), path_(std::move(path)), state_(std::move(state)) {}

  base::Status Append(base::ByteSpan data) override {
    CK_TRY(fs_->BeforeOp({.op = FsOp::kAppend, .path = path_, .bytes = data.size()}));
    CK_TRY(target_->Append(data));
    fs_->Appended(state_, data.size());
    return base::Status::Ok();
  }
  base::Status Sync() override {
    CK_TRY(fs_->BeforeOp({.op = FsOp::kSync, .path = path_}));
    CK_TRY(target_->Sync());
    fs_->Synced(state_);
    return base::Status::Ok();
  }
  base::Status Close() override {
    CK_TRY(fs_->BeforeOp({.op = FsOp::kClose, .path = path_}));
    return target_->Close();
  }

 private:
  FaultInjectionFs* fs_;
  std::unique_ptr<base::WritableFile> target_;
  std::string path_;  // as opened (a later rename does not change it: the data follows the state)
  std::shared_ptr<FileState> state_;
};

std::string_view FsOpName(FsOp op) {
  switch (op) {
    case FsOp::kCreate:
      return "create";
    case FsOp::kAppend:
      return "append";
    case FsOp::kSync:
      return "sync";
    case FsOp::kClose:
      return "close";
    case FsOp::kRename:
      return "rename";
    case FsOp::kLink:
      return "link";
    case FsOp::kRemove:
      return "remove";
    case FsOp::kSyncDir:
      return "syncdir";
    case FsOp::kSyncFs:
      return "syncfs";
  }
  return "?";
}

std::string FsOpInfo::ToString() const {
  std::string s = "#" + std::to_string(index) + " " + std::string(FsOpName(op)) + " " + path;
  if (op == FsOp::kRename || op == FsOp::kLink) s += " -> " + to;
  if (op == FsOp::kAppend) s += " (" + std::to_string(bytes) + " bytes)";
  if (failed) s += " [failed]";
  return s;
}

FaultInjectionFs::FaultInjectionFs(base::FileSystem& target) : target_(target) {}

void FaultInjectionFs::FailAt(int64_t n, FailMode mode) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_at_ = n;
  fail_mode_ = mode;
}

void FaultInjectionFs::SetOpHook(OpHook hook) {
  std::lock_guard<std::mutex> lock(mu_);
  op_hook_ = std::move(hook);
}

void FaultInjectionFs::SetReadHook(ReadHook hook) {
  std::lock_guard<std::mutex> lock(mu_);
  read_hook_ = std::move(hook);
}

void FaultInjectionFs::ResetCounters() {
  std::lock_guard<std::mutex> lock(mu_);
  ops_ = 0;
  faults_ = 0;
  log_.clear();
}

int64_t FaultInjectionFs::op_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ops_;
}

int64_t FaultInjectionFs::faults_injected() const {
  std::lock_guard<std::mutex> lock(mu_);
  return faults_;
}

std::vector<FsOpInfo> FaultInjectionFs::log() const {
  std::lock_guard<std::mutex> lock(mu_);
  return log_;
}

base::Status FaultInjectionFs::BeforeOp(FsOpInfo info) {
  OpHook hook;
  bool armed = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    info.index = ++ops_;
    log_.push_back(info);
    hook = op_hook_;
    armed = fail_at_ > 0 && (info.index == fail_at_ ||
                             (fail_mode_ == FailMode::kThatAndLater && info.index > fail_at_));
  }
  base::Status st;
  if (hook) st = hook(info);
  if (st.ok() && armed) {
    st = base::IoError("injected fault " + info.ToString(), EIO);
  }
  if (!st.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    ++faults_;
    const auto i = static_cast<size_t>(info.index - 1);
    if (i < log_.size() && log_[i].index == info.index) log_[i].failed = true;
  }
  return st;
}

base::Status FaultInjectionFs::BeforeRead(const FsReadInfo& info) {
  ReadHook hook;
  {
    std::lock_guard<std::mutex> lock(mu_);
    hook = read_hook_;
  }
  return hook ? hook(info) : base::Status::Ok();
}

void FaultInjectionFs::Appended(const std::shared_ptr<FileState>& state, size_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  state->written += n;
}

void FaultInjectionFs::Synced(const std::shared_ptr<FileState>& state) {
  std::lock_guard<std::mutex> lock(mu_);
  state->synced = state->written;
}

base::Status FaultInjectionFs::DropUnsyncedData() {
  std::map<std::string, std::shared_ptr<FileState>> files;
  {
    std::lock_guard<std::mutex> lock(mu_);
    files = files_;
  }
  for (const auto& [path, state] : files) {
    uint64_t keep = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (state->synced >= state->written) continue;
      keep = state->synced;
    }
    if (target_.Exists(path)) CK_TRY(TruncateTo(target_, path, keep));
    std::lock_guard<std::mutex> lock(mu_);
    state->written = keep;
  }
  return base::Status::Ok();
}

uint64_t FaultInjectionFs::UnsyncedBytes(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  return it == files_.end() ? 0 : it->second->written - it->second->synced;
}

base::Result<std::unique_ptr<base::SequentialFile>> FaultInjectionFs::OpenSequential(
    const std::string& path) {
  CK_ASSIGN_OR_RETURN(auto file, target_.OpenSequential(path));
  return std::unique_ptr<base::SequentialFile>(new Sequential(this, std::move(file), path));
}

base::Result<std::unique_ptr<base::WritableFile>> FaultInjectionFs::OpenWritable(
    const std::string& path, mode_t mode) {
  CK_TRY(BeforeOp({.op = FsOp::kCreate, .path = path}));
  CK_ASSIGN_OR_RETURN(auto file, target_.OpenWritable(path, mode));
  auto state = std::make_shared<FileState>();
  {
    std::lock_guard<std::mutex> lock(mu_);
    files_[path] = state;
  }
  return std::unique_ptr<base::WritableFile>(
      new Writable(this, std::move(file), path, std::move(state)));
}

base::Status FaultInjectionFs::Rename(const std::string& from, const std::string& to) {
  CK_TRY(BeforeOp({.op = FsOp::kRename, .path = from, .to = to}));
  CK_TRY(target_.Rename(from, to));
  std::lock_guard<std::mutex> lock(mu_);
  if (from == to) return base::Status::Ok();
  auto it = files_.find(from);
  if (it == files_.end()) {
    files_.erase(to);  // `to` now holds data this wrapper did not write: durable as far as we know
  } else {
    files_[to] = it->second;
    files_.erase(from);
  }
  return base::Status::Ok();
}

base::Status FaultInjectionFs::Link(const std::string& from, const std::string& to) {
  CK_TRY(BeforeOp({.op = FsOp::kLink, .path = from, .to = to}));
  CK_TRY(target_.Link(from, to));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(from);
  if (it != files_.end()) files_[to] = it->second;  // one file, two names: the same bookkeeping
  return base::Status::Ok();
}

base::Status FaultInjectionFs::Remove(const std::string& path) {
  if (!target_.Exists(path)) return target_.Remove(path);
  CK_TRY(BeforeOp({.op = FsOp::kRemove, .path = path}));
  CK_TRY(target_.Remove(path));
  std::lock_guard<std::mutex> lock(mu_);
  files_.erase(path);
  return base::Status::Ok();
}

base::Status FaultInjectionFs::SyncDir(const std::string& dir) {
  CK_TRY(BeforeOp({.op = FsOp::kSyncDir, .path = dir}));
  return target_.SyncDir(dir);
}

base::Status FaultInjectionFs::SyncFs(const std::string& path) {
  CK_TRY(BeforeOp({.op = FsOp::kSyncFs, .path = path}));
  return target_.SyncFs(path);
}

bool FaultInjectionFs::Exists(const std::string& path) { return target_.Exists(path); }

}  // namespace cktest
