// cardctl: the admin's tool for keys, cards, bundles, journals and devices.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "args.h"
#include "base/fs.h"
#include "base/version.h"
#include "commands.h"
#include "help.h"

int main(int argc, char** argv) {
  if (argc >= 3 && std::strcmp(argv[1], "help") == 0) {
    const std::string help = cardctl::CommandHelp({argv + 2, argv + argc});
    if (help.empty()) {
      std::fprintf(stderr, "cardctl: no command '%s'\n\n%s", argv[2], cardctl::UsageText().c_str());
      return cardctl::kExitUsage;
    }
    std::fputs(help.c_str(), stdout);
    return cardctl::kExitOk;
  }
  if (argc < 2 || std::strcmp(argv[1], "help") == 0 || std::strcmp(argv[1], "--help") == 0 ||
      std::strcmp(argv[1], "-h") == 0) {
    std::fputs(cardctl::UsageText().c_str(), argc < 2 ? stderr : stdout);
    return argc < 2 ? cardctl::kExitUsage : cardctl::kExitOk;
  }
  const std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  base::PosixFileSystem fs;  // the one filesystem every command below uses
  if (cmd == "keygen") return cardctl::RunKeygen(args);
  if (cmd == "secret") return cardctl::RunSecret(args);
  if (cmd == "issue") return cardctl::RunIssue(fs, args);
  if (cmd == "issue-admin") return cardctl::RunIssueAdmin(args);
  if (cmd == "verify") return cardctl::RunVerify(args);
  if (cmd == "bundle") return cardctl::RunBundle(fs, args);
  if (cmd == "usb-watch") return cardctl::RunUsbWatch(fs, args);
  if (cmd == "sync") return cardctl::RunSync(fs, args);
  if (cmd == "device") return cardctl::RunDevice(fs, args);
  if (cmd == "journal") return cardctl::RunJournal(fs, args);
  if (cmd == "members-of") return cardctl::RunMembersOf(fs, args);
  if (cmd == "version" || cmd == "--version") {
    std::printf("cardctl %s\n", base::kProjectVersion);
    return cardctl::kExitOk;
  }
  std::fprintf(stderr, "cardctl: unknown command '%s'\n\n%s", cmd.c_str(),
               cardctl::UsageText().c_str());
  return cardctl::kExitUsage;
}
