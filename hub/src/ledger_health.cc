// The Ledger's device-health operations (hub/device_status.h): status reports and contacts, each
// kept for a known device only and bounded per device.
#include <string>
#include <vector>

#include "hub/ledger.h"

namespace hub {
namespace {

base::Status CheckLimit(int64_t limit) {
  if (limit < 0) {
    return base::InvalidArgument("limit must be 0 or more, got " + std::to_string(limit));
  }
  return base::Status::Ok();
}

base::Status DeviceExists(TableRows& t, int64_t device_id) {
  CK_ASSIGN_OR_RETURN(std::optional<Device> device, t.DeviceById(device_id, /*lock=*/false));
  if (!device) return base::NotFound("no device with id " + std::to_string(device_id));
  return base::Status::Ok();
}

}  // namespace

base::Status Ledger::RecordStatus(const DeviceStatus& s) {
  return tables_->InTransaction([&](TableRows& t) -> base::Status {
    CK_TRY(DeviceExists(t, s.device_id));
    return t.InsertStatus(s, kStatusesKept);
  });
}

base::Result<std::vector<DeviceStatus>> Ledger::LatestStatuses() {
  std::vector<DeviceStatus> out;
  CK_TRY(tables_->Run([&](TableRows& t) -> base::Status {
    CK_ASSIGN_OR_RETURN(out, t.LatestStatuses());
    return base::Status::Ok();
  }));
  return out;
}

base::Result<std::vector<DeviceStatus>> Ledger::StatusHistory(int64_t device_id, int64_t limit) {
  CK_TRY(CheckLimit(limit));
  std::vector<DeviceStatus> out;
  CK_TRY(tables_->Run([&](TableRows& t) -> base::Status {
    CK_ASSIGN_OR_RETURN(out, t.Statuses(device_id, limit));
    return base::Status::Ok();
  }));
  return out;
}

base::Status Ledger::RecordContact(const Contact& c) {
  return tables_->InTransaction([&](TableRows& t) -> base::Status {
    CK_TRY(DeviceExists(t, c.device_id));
    return t.InsertContact(c, kContactsKept);
  });
}

base::Result<std::vector<Contact>> Ledger::ListContacts(int64_t device_id, int64_t limit) {
  CK_TRY(CheckLimit(limit));
  std::vector<Contact> out;
  CK_TRY(tables_->Run([&](TableRows& t) -> base::Status {
    CK_ASSIGN_OR_RETURN(out, t.Contacts(device_id, limit));
    return base::Status::Ok();
  }));
  return out;
}

}  // namespace hub
