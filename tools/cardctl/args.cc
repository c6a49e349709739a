#include "args.h"

#include <cstdio>

namespace cardctl {

base::Result<Args> Args::Parse(const std::vector<std::string>& argv,
                               const std::set<std::string>& valued,
                               const std::set<std::string>& switches) {
  Args a;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
      a.positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (switches.count(name) != 0) {
      if (inline_value) return base::InvalidArgument("--" + name + " takes no value");
      a.values_.emplace(name, "");
    } else if (valued.count(name) != 0) {
      if (inline_value) {
        a.values_.emplace(name, *inline_value);
      } else if (i + 1 < argv.size()) {
        a.values_.emplace(name, argv[++i]);
      } else {
        return base::InvalidArgument("--" + name + " needs a value");
      }
    } else {
      return base::InvalidArgument("unknown option --" + name);
    }
  }
  return a;
}

std::optional<std::string> Args::Get(const std::string& name) const {
  auto range = values_.equal_range(name);
  if (range.first == range.second) return std::nullopt;
  return std::prev(range.second)->second;  // the last one given wins
}

std::vector<std::string> Args::GetAll(const std::string& name) const {
  std::vector<std::string> out;
  auto range = values_.equal_range(name);
  for (auto it = range.first; it != range.second; ++it) out.push_back(it->second);
  return out;
}

base::Result<std::string> Args::Require(const std::string& name) const {
  std::optional<std::string> v = Get(name);
  if (!v) return base::InvalidArgument("missing required option --" + name);
  return *v;
}

int Fail(const base::Status& status) { return Fail(status.message()); }

int Fail(const std::string& message) {
  std::fprintf(stderr, "cardctl: %s\n", message.c_str());
  return kExitUsage;
}

}  // namespace cardctl
