#include "kiosk/device.h"

#include "base/file.h"
#include "base/time_format.h"
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

base::Result<journal::Entry> Device::ConfirmClock(const base::Clock& clock,
                                                  const std::string& actor) {
  const int64_t now = clock.NowUnixSeconds();
  const ClockAnchors a = Anchors();
  if (now < a.registry_created || now < a.hub_time) {
    const bool by_registry = a.registry_created >= a.hub_time;
    return base::FailedPrecondition(
        "the device clock (" + base::FormatIso8601Utc(now) + ") is earlier than " +
        (by_registry ? "the registry's creation time (" + base::FormatIso8601Utc(a.registry_created)
                     : "the hub's time at the last sync (" + base::FormatIso8601Utc(a.hub_time)) +
        "): set the clock first");
  }
  journal::NewEntry e;
  e.kind = journal::Kind::kClockCorrection;
  e.bundle_seq = registry ? registry->meta().seq : 0;
  e.actor = actor;
  e.clock_before_utc = a.Floor();
  return journal->Append(e);
}

}  // namespace kiosk
