#include "subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX declares it nowhere

namespace cktest {
namespace {

// Owns a file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read_end;
  Fd write_end;
};

// Both ends close-on-exec: posix_spawn's dup2 gives the child clean copies on 0, 1 and 2.
bool MakePipe(Pipe* p) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  p->read_end.Reset(fds[0]);
  p->write_end.Reset(fds[1]);
  return true;
}

void SetNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// The parent writes to the child's stdin; a child that exits without reading it must give EPIPE,
// not kill the test with SIGPIPE.
void IgnoreSigpipeOnce() {
  static const bool kIgnored = [] {
    std::signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)kIgnored;
}

ProcessResult SpawnFailure(const std::string& what, int err) {
  ProcessResult r;
  r.spawn_failed = true;
  r.err = what + ": " + std::strerror(err);
  return r;
}

// Appends what is available on `fd` to *out; closes `fd` at end of file or on an error.
void Drain(Fd* fd, std::string* out) {
  std::array<char, 16384> buf;
  for (;;) {
    const ssize_t n = ::read(fd->get(), buf.data(), buf.size());
    if (n > 0) {
      out->append(buf.data(), static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    fd->Reset();  // end of file or a real error
    return;
  }
}

// Writes as much of `data` from *offset as the pipe takes; closes `fd` when done or on EPIPE.
void Feed(Fd* fd, const std::string& data, size_t* offset) {
  while (*offset < data.size()) {
    const ssize_t n = ::write(fd->get(), data.data() + *offset, data.size() - *offset);
    if (n > 0) {
      *offset += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    break;  // EPIPE: the child does not read its input
  }
  fd->Reset();
}

}  // namespace

std::vector<std::string> ProgramCommand(const std::string& program) {
  std::vector<std::string> command;
#ifdef CK_TEST_EMULATOR
  // CMake's list, joined with spaces (tests/CMakeLists.txt).
  const std::string_view emulator = CK_TEST_EMULATOR;
  const bool built_here = program.starts_with(CK_TEST_BINARY_DIR);
  for (size_t start = 0; built_here && start <= emulator.size();) {
    size_t end = emulator.find(' ', start);
    if (end == std::string_view::npos) end = emulator.size();
    if (end > start) command.emplace_back(emulator.substr(start, end - start));
    start = end + 1;
  }
#endif
  command.push_back(program);
  return command;
}

std::string ProcessResult::Describe() const {
  std::string s;
  if (spawn_failed) {
    s = "spawn failed";
  } else if (timed_out) {
    s = "timed out";
  } else if (term_signal != 0) {
    s = "signal " + std::to_string(term_signal);
  } else {
    s = "exit " + std::to_string(exit_code);
  }
  return s + "; stderr: " + err;
}

ProcessResult RunProcess(const std::string& program, const std::vector<std::string>& args,
                         const RunOptions& options) {
  IgnoreSigpipeOnce();
  Pipe in, out, err;
  if (!MakePipe(&out) || !MakePipe(&err)) return SpawnFailure("pipe", errno);
  if (options.stdin_text && !MakePipe(&in)) return SpawnFailure("pipe", errno);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (options.stdin_text) {
    posix_spawn_file_actions_adddup2(&actions, in.read_end.get(), STDIN_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  posix_spawn_file_actions_adddup2(&actions, out.write_end.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.write_end.get(), STDERR_FILENO);

  // The child starts with default signal handling (SIGPIPE is ignored here) and no blocked signals.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults, empty;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigemptyset(&empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<std::string> argv_storage = ProgramCommand(program);
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  argv.reserve(argv_storage.size() + 1);
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return SpawnFailure("posix_spawn " + program, rc);

  // The child's ends belong to the child now; closing ours lets EOF arrive when it exits.
  in.read_end.Reset();
  out.write_end.Reset();
  err.write_end.Reset();

  ProcessResult result;
  const std::string stdin_text = options.stdin_text.value_or("");
  size_t stdin_offset = 0;
  if (in.write_end.valid()) {
    SetNonBlocking(in.write_end.get());
    if (stdin_text.empty()) in.write_end.Reset();
  }
  SetNonBlocking(out.read_end.get());
  SetNonBlocking(err.read_end.get());

  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  while (out.read_end.valid() || err.read_end.valid() || in.write_end.valid()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) {
      result.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    std::array<pollfd, 3> fds{};
    nfds_t count = 0;
    Fd* owners[3] = {};
    for (Fd* fd : {&out.read_end, &err.read_end}) {
      if (!fd->valid()) continue;
      fds[count] = {.fd = fd->get(), .events = POLLIN, .revents = 0};
      owners[count++] = fd;
    }
    if (in.write_end.valid()) {
      fds[count] = {.fd = in.write_end.get(), .events = POLLOUT, .revents = 0};
      owners[count++] = &in.write_end;
    }
    const auto wait_ms = std::min<long long>(left.count() + 1, 60000);
    const int ready = ::poll(fds.data(), count, static_cast<int>(wait_ms));
    if (ready < 0) {
      if (errno == EINTR) continue;
      result.timed_out = true;  // cannot wait any more: treat like a timeout
      ::kill(pid, SIGKILL);
      break;
    }
    for (nfds_t i = 0; i < count; ++i) {
      if (fds[i].revents == 0) continue;
      if (owners[i] == &in.write_end) {
        Feed(owners[i], stdin_text, &stdin_offset);
      } else {
        Drain(owners[i], owners[i] == &out.read_end ? &result.out : &result.err);
      }
    }
  }
  in.write_end.Reset();
  out.read_end.Reset();
  err.read_end.Reset();

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return SpawnFailure("waitpid", errno);
  }
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.term_signal = WTERMSIG(status);
  }
  return result;
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string templ =
      std::string(base != nullptr && base[0] != '\0' ? base : "/tmp") + "/cktest.XXXXXX";
  if (::mkdtemp(templ.data()) != nullptr) path_ = templ;
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::File(std::string_view name) const { return path_ + "/" + std::string(name); }

}  // namespace cktest
