#include "hub/ledger.h"

#include <string>
#include <utility>

namespace hub {

base::Status CheckBundleSeqIsNew(const std::optional<BundleRecord>& latest, int64_t seq) {
  if (latest && seq <= latest->seq) {
    return base::FailedPrecondition("bundle seq " + std::to_string(seq) +
                                    " is not above the published seq " +
                                    std::to_string(latest->seq));
  }
  return base::Status::Ok();
}

base::Result<Device> Ledger::AddDevice(const std::string& name, const std::string& kid_hex,
                                       const std::string& pubkey_pem, int64_t now) {
  Device added;
  CK_TRY(tables_->InTransaction([&](TableRows& t) -> base::Status {
    CK_ASSIGN_OR_RETURN(std::optional<Device> by_name, t.DeviceByName(name));
    if (by_name) return base::AlreadyExists("a device named '" + name + "' is already enrolled");
    CK_ASSIGN_OR_RETURN(std::optional<Device> by_kid, t.DeviceByKid(kid_hex));
    if (by_kid) {
      return base::AlreadyExists("this key (kid " + kid_hex + ") is already enrolled as '" +
                                 by_kid->name + "'");
    }
    base::Result<Device> d = t.InsertDevice(name, kid_hex, pubkey_pem, now);
    if (!d.ok() && d.status().code() == base::StatusCode::kAlreadyExists) {
      // Enrolled by another hub instance between the checks and the insert.
      return base::AlreadyExists("the name '" + name + "' or the key (kid " + kid_hex +
                                 ") is already enrolled");
    }
    CK_ASSIGN_OR_RETURN(added, std::move(d));
    return base::Status::Ok();
  }));
  return added;
}

base::Status Ledger::WithdrawDevice(const std::string& name) {
  return tables_->Run([&](TableRows& t) -> base::Status {
    CK_ASSIGN_OR_RETURN(int64_t changed, t.SetWithdrawn(name));
    if (changed == 0) return base::NotFound("no device named '" + name + "'");
    return base::Status::Ok();
  });
}

base::Result<std::optional<Device>> Ledger::FindDeviceByKid(const std::string& kid_hex) {
  std::optional<Device> found;
  CK_TRY(tables_->Run([&](TableRows& t) -> base::Status {
    CK_ASSIGN_OR_RETURN(found, t.DeviceByKid(kid_hex));
    return base::Status::Ok();
  }));
  return found;
}

base::Result<std::optional<Device>> Ledger::FindDeviceByName(const std::string& name) {
  std::optional<Device> found;
  CK_TRY(tables_->Run([&](TableRows& t) -> base::Status {
    CK_ASSIGN_OR_RETURN(found, t.DeviceByName(name));
    return base::Status::Ok();
  }));
  return found;
}

base::Result<std::vector<Device>> Ledger::ListDevices() {
  std::vector<Device> all;
  CK_TRY(tables_->Run([&](TableRows& t) -> base::Status {
    CK_ASSIGN_OR_RETURN(all, t.Devices());
    return base::Status::Ok();
  }));
  return all;
}

base::Status Ledger::TouchDevice(int64_t device_id, int64_t now) {
  return tables_->Run([&](TableRows& t) { return t.SetLastContact(device_id, now); });
}

base::Result<PutResult> Ledger::PutEntries(int64_t device_id,
                                           const std::vector<journal::Entry>& entries,
                                           int64_t now) {
  PutResult res;
  CK_TRY(tables_->InTransaction([&](TableRows& t) -> base::Status {
    res = PutResult();
    // Locked first: batches of one device (from any hub instance) are taken one at a time, and
    // each sees every entry the one before it committed.
    CK_ASSIGN_OR_RETURN(std::optional<Device> device, t.DeviceById(device_id, /*lock=*/true));
    if (!device) return base::NotFound("no such device");
    for (const journal::Entry& e : entries) {
      CK_ASSIGN_OR_RETURN(bool inserted, t.InsertEntry(device_id, e, now));
      ++(inserted ? res.stored : res.duplicates);
    }
    // acked_seq: walk up from the recorded one while the next seq is held.
    int64_t acked = device->acked_seq;
    CK_TRY(t.ScanSeqsAbove(device_id, acked, [&acked](int64_t seq) {
      if (seq != acked + 1) return false;
      ++acked;
      return true;
    }));
    CK_TRY(t.SetAckedSeq(device_id, acked, now));
    res.acked_seq = acked;
    return base::Status::Ok();
  }));
  return res;
}

base::Result<int64_t> Ledger::AckedSeq(int64_t device_id) {
  int64_t acked = 0;
  CK_TRY(tables_->Run([&](TableRows& t) -> base::Status {
    CK_ASSIGN_OR_RETURN(std::optional<Device> device, t.DeviceById(device_id, /*lock=*/false));
    if (!device) return base::NotFound("no such device");
    acked = device->acked_seq;
    return base::Status::Ok();
  }));
  return acked;
}

base::Status Ledger::ForEachEntry(std::optional<int64_t> device_id,
                                  const std::function<base::Status(const StoredEntry&)>& fn) {
  return tables_->Run([&](TableRows& t) { return t.ScanEntries(device_id, fn); });
}

base::Status Ledger::AddBundle(const BundleRecord& bundle) {
  return tables_->InTransaction([&](TableRows& t) -> base::Status {
    // Publishers on other instances wait here, so the check and the insert are one step.
    CK_TRY(t.LockBundles());
    CK_ASSIGN_OR_RETURN(std::optional<BundleRecord> latest, t.LatestBundle());
    CK_TRY(CheckBundleSeqIsNew(latest, bundle.seq));
    return t.InsertBundle(bundle);
  });
}

base::Result<std::optional<BundleRecord>> Ledger::LatestBundle() {
  std::optional<BundleRecord> latest;
  CK_TRY(tables_->Run([&](TableRows& t) -> base::Status {
    CK_ASSIGN_OR_RETURN(latest, t.LatestBundle());
    return base::Status::Ok();
  }));
  return latest;
}

}  // namespace hub
