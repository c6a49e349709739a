#include "kiosk/device.h"

#include "base/file.h"
#include "journal/chain.h"
#include "journal/device_key.h"

namespace kiosk {

base::Result<Device> Device::Open(base::FileSystem& fs, const std::string& data_dir,
                                  const base::Clock& clock) {
  Device d;
  d.data_dir = data_dir;
  CK_TRY(base::MakeDirs(data_dir, 0700));
  // A journal that went missing is not replaced here: that is an admin's decision.
  CK_ASSIGN_OR_RETURN(d.journal, journal::OpenDeviceJournal(fs, data_dir, clock));
  CK_TRY(journal::LoadOrCreateDeviceKey(fs, data_dir).status());
  d.ReloadRegistry(clock);
  return d;
}

void Device::ReloadRegistry(const base::Clock& clock) {
  verifier.reset();
  registry.reset();
  open_problem.clear();
  base::Result<std::unique_ptr<registry::Registry>> r =
      registry::Registry::Open(data_dir + "/registry.db");
  if (!r.ok()) {
    open_problem = r.status().message();
    return;
  }
  registry = std::move(r).value();
  verifier = std::make_unique<card::Verifier>(*registry, registry.get(), clock);
  // Never accept a wall clock earlier than the registry's creation. The session checks the
  // clock against every anchor before it verifies (kiosk/clock_check.h); the journal's and the
  // hub's move on, so they are not fixed into the verifier here.
  verifier->set_clock_floor(registry->meta().created);
}

ClockAnchors Device::Anchors() const {
  return AnchorsOf(registry ? &registry->meta() : nullptr, hub_time->load(), journal->last_time());
}

}  // namespace kiosk
