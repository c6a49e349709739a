// The parts of a kiosk that live in its data directory, opened together: the applied registry
// (if any), the journal, the card verifier over them with its clock floor, and the device key.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/fs.h"
#include "card/verifier.h"
#include "journal/journal.h"
#include "kiosk/clock_check.h"
#include "registry/registry.h"

namespace kiosk {

struct Device {
  std::string data_dir;
  std::unique_ptr<registry::Registry> registry;  // null when no bundle was applied yet
  std::unique_ptr<journal::Journal> journal;
  std::unique_ptr<card::Verifier> verifier;  // null with the registry
  std::string open_problem;                  // why the registry could not be opened, if so
  // The hub's time at the last successful sync (0: none), a clock anchor: set from the data
  // directory by whoever reads it (the kiosk's wiring) and by the background sync's thread.
  std::unique_ptr<std::atomic<int64_t>> hub_time = std::make_unique<std::atomic<int64_t>>(0);

  // Opens DIR (creating it and, on a new device, the journal). A missing or unusable registry is
  // not an error here: the kiosk starts and says so on screen. A journal that existed and is
  // missing or replaced is (kDataLoss, journal::OpenDeviceJournal): an admin must decide.
  // `clock` must outlive the device.
  static base::Result<Device> Open(base::FileSystem& fs, const std::string& data_dir,
                                   const base::Clock& clock);
  // Reopens the registry after a bundle was applied.
  void ReloadRegistry(const base::Clock& clock);

  // The clock's anchors now (kiosk/clock_check.h): the registry's, the hub's, the journal's.
  ClockAnchors Anchors() const;

  // An admin confirms that the wall clock is right: a clock correction entry (time_utc = the
  // clock now, clock_before_utc = the floor it replaces, `actor`), after which the correction is
  // the journal's anchor, so a kiosk whose journal holds a far-ahead entry works again. Refused
  // (kFailedPrecondition, nothing written) for a clock earlier than the registry's creation or
  // the hub's time: those anchors are signed or came over the pinned connection, and an admin's
  // word does not overrule them. Journal errors are the journal's.
  base::Result<journal::Entry> ConfirmClock(const base::Clock& clock, const std::string& actor);
};

}  // namespace kiosk
