#include "args.h"
#include "commands.h"

namespace cardctl {

int RunUsbWatch(const std::vector<std::string>& /*argv*/) { return Fail("usb-watch: not built yet"); }

}  // namespace cardctl
