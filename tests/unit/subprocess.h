// Test helpers: run a program (no shell) capturing its output, and a self-deleting temp directory.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cktest {

struct RunOptions {
  // Written to the child's standard input, which is then closed. Without it the child reads
  // /dev/null.
  std::optional<std::string> stdin_text;
  // The child is killed with SIGKILL when it runs longer than this.
  std::chrono::milliseconds timeout{30000};
};

struct ProcessResult {
  int exit_code = -1;      // the exit status, or -1 if the child did not exit normally
  int term_signal = 0;     // the signal that ended the child, or 0
  bool timed_out = false;  // the child was killed because it ran out of time
  bool spawn_failed = false;
  std::string out;  // everything the child wrote to stdout
  std::string err;  // everything the child wrote to stderr (or why spawning failed)

  // "exit 2" / "signal 9" / "timed out", then stderr: for assertion messages.
  std::string Describe() const;
};

// The command line that starts `program` (a path): {program}; but in a cross-build whose tests run
// under an emulator (CMAKE_CROSSCOMPILING_EMULATOR, e.g. qemu-aarch64), a program of the build tree
// (the project's own, built for the target) gets that emulator's command before it. Spawn element
// 0 with the whole vector as its argv.
std::vector<std::string> ProgramCommand(const std::string& program);

// Runs `program` (a path, not looked up in PATH; through ProgramCommand) with `args` (argv[1]...),
// reading stdout and stderr through pipes until the child exits or the timeout passes.
ProcessResult RunProcess(const std::string& program, const std::vector<std::string>& args,
                         const RunOptions& options = {});

// A fresh directory (mkdtemp under $TMPDIR or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Empty if the directory could not be created.
  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string File(std::string_view name) const;

 private:
  std::string path_;
};

}  // namespace cktest
