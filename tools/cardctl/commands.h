// cardctl subcommands. Each takes the arguments after its name and returns the process exit code;
// those that touch files take the filesystem main() owns.
#pragma once

#include <string>
#include <vector>

#include "base/fs.h"

namespace cardctl {

int RunKeygen(const std::vector<std::string>& args);
int RunSecret(const std::vector<std::string>& args);
int RunIssue(base::FileSystem& fs, const std::vector<std::string>& args);
int RunIssueAdmin(const std::vector<std::string>& args);
int RunVerify(const std::vector<std::string>& args);
int RunBundle(base::FileSystem& fs, const std::vector<std::string>& args);
int RunUsbWatch(base::FileSystem& fs, const std::vector<std::string>& args);
int RunSync(base::FileSystem& fs, const std::vector<std::string>& args);
int RunDevice(base::FileSystem& fs, const std::vector<std::string>& args);
int RunMembersOf(base::FileSystem& fs, const std::vector<std::string>& args);
int RunJournal(base::FileSystem& fs, const std::vector<std::string>& args);

}  // namespace cardctl
