// Command-line flags for cardctl subcommands: "--name value", "--name=value" and bare switches.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"

namespace cardctl {

class Args {
 public:
  // `valued` flags take a value, `switches` do not; anything else starting with "--" is an error.
  // A lone "-" is a positional argument.
  static base::Result<Args> Parse(const std::vector<std::string>& argv,
                                  const std::set<std::string>& valued,
                                  const std::set<std::string>& switches);

  std::optional<std::string> Get(const std::string& name) const;
  std::vector<std::string> GetAll(const std::string& name) const;
  bool Has(const std::string& name) const { return values_.count(name) != 0; }
  // The value of a flag that must be given.
  base::Result<std::string> Require(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::multimap<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 1;  // a verdict other than VALID, a refused bundle, ...
inline constexpr int kExitUsage = 2;    // usage or I/O error; a message is on stderr

// Prints "cardctl: message" to stderr and returns kExitUsage.
int Fail(const base::Status& status);
int Fail(const std::string& message);

}  // namespace cardctl
