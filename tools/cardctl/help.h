// cardctl's help: `cardctl --help` lists every command; `cardctl help COMMAND [SUB]` shows its
// options. docs/cardctl.md has the same commands in full.
#pragma once

#include <string>
#include <vector>

namespace cardctl {

// The list of every command with its synopsis and one line on what it does.
std::string UsageText();

// The help of the commands whose name starts with `words` ("bundle" -> build, inspect, apply);
// empty when none.
std::string CommandHelp(const std::vector<std::string>& words);

}  // namespace cardctl
