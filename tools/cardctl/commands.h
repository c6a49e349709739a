// cardctl subcommands. Each takes the arguments after its name and returns the process exit code.
#pragma once

#include <string>
#include <vector>

namespace cardctl {

int RunKeygen(const std::vector<std::string>& args);
int RunSecret(const std::vector<std::string>& args);
int RunIssue(const std::vector<std::string>& args);
int RunVerify(const std::vector<std::string>& args);
int RunBundle(const std::vector<std::string>& args);
int RunUsbWatch(const std::vector<std::string>& args);
int RunSync(const std::vector<std::string>& args);
int RunDevice(const std::vector<std::string>& args);
int RunJournal(const std::vector<std::string>& args);

}  // namespace cardctl
