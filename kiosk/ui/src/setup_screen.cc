// The not-provisioned screen: what is missing, where the bundle key goes, the device id (what the
// admin enrols or writes down). Amber, like every device problem a person can fix.
#include <string>

#include "builder.h"

namespace kiosk_ui::view_internal {

void Builder::NotProvisioned() {
  v_.name = "not_provisioned";
  v_.background = t_.warning;
  const Setup& s = m_.setup;
  Text({U(16), U(16), w_ - U(32), U(56)}, S("setup.title"), 32, t_.text, Align::kCenter, true);
  const std::string problem = s.problem.empty()
                                  ? s_.Format("setup.key_missing", {{"path", s.trust_path}})
                                  : s_.Format("setup.key_bad", {{"why", s.problem}});
  Text({U(24), U(84), w_ - U(48), U(64)}, problem, 20, t_.text, Align::kLeft, true);
  Text({U(24), U(156), w_ - U(48), U(120)}, s_.Format("setup.what_to_do", {{"path", s.trust_path}}),
       20, t_.text, Align::kLeft);
  const std::string id = m_.status.device_id.empty() ? "-" : m_.status.device_id;
  Fill({0, h_ - U(72), w_, U(72)}, t_.panel);
  Text({U(24), h_ - U(72), w_ - U(48), U(72)}, s_.Format("setup.device", {{"id", id}}), 24, t_.text,
       Align::kLeft, true);
}

}  // namespace kiosk_ui::view_internal
