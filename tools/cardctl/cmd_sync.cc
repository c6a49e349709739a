#include "args.h"
#include "commands.h"

namespace cardctl {

int RunSync(const std::vector<std::string>& /*argv*/) { return Fail("sync: not built yet"); }
int RunDevice(const std::vector<std::string>& /*argv*/) { return Fail("device: not built yet"); }

}  // namespace cardctl
