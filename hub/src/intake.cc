#include "hub/intake.h"

#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "base/hex.h"
#include "base/time_format.h"
#include "journal/export.h"

namespace hub {
namespace {

base::Status Refused(BatchIntake* intake, BatchRefusal why, base::Status st) {
  intake->refusal = why;
  return st;
}

std::string TimeText(int64_t t) {
  return t > 0 && t < 253402300800 ? base::FormatIso8601Utc(t) : std::to_string(t);
}

// The first time in the batch after `latest`, named; Ok when there is none.
base::Status CheckNotAfter(const journal::ExportCheck& c, int64_t latest) {
  const std::string clock = ", after the hub's clock allows (" + TimeText(latest) + ")";
  if (c.header.created > latest) {
    return base::InvalidArgument("from the future: the batch was created " +
                                 TimeText(c.header.created) + clock);
  }
  for (const journal::Entry& e : c.entries) {
    if (e.time_utc > latest) {
      return base::InvalidArgument("from the future: entry seq " + std::to_string(e.seq) +
                                   " is dated " + TimeText(e.time_utc) + clock);
    }
  }
  return base::Status::Ok();
}

}  // namespace

base::Result<card::PublicKey> DeviceKey(const Device& device) {
  static std::shared_mutex mu;
  static std::unordered_map<std::string, card::PublicKey> keys;
  {
    std::shared_lock<std::shared_mutex> lock(mu);
    if (auto it = keys.find(device.pubkey_pem); it != keys.end()) return it->second;
  }
  CK_ASSIGN_OR_RETURN(card::PublicKey key, card::PublicKey::FromPem(device.pubkey_pem));
  std::unique_lock<std::shared_mutex> lock(mu);
  if (keys.size() >= kDeviceKeysCached) keys.clear();
  keys.emplace(device.pubkey_pem, key);
  return key;
}

base::Result<Device> EnrolledDevice(HubStore& store, const card::Kid& kid, BatchRefusal* why) {
  *why = BatchRefusal::kNone;
  CK_ASSIGN_OR_RETURN(std::optional<Device> dev, store.FindDeviceByKid(base::ToHex(kid)));
  if (!dev) {
    *why = BatchRefusal::kUnknownDevice;
    return base::NotFound("unknown device");
  }
  if (dev->withdrawn) {
    *why = BatchRefusal::kWithdrawn;
    return base::PermissionDenied("device '" + dev->name + "' is withdrawn");
  }
  return *dev;
}

base::Status TakeBatch(HubStore& store, const Device& device, base::ByteSpan file, int64_t now,
                       BatchIntake* intake, const BatchRules& rules) {
  *intake = BatchIntake();
  base::Result<card::PublicKey> pub = DeviceKey(device);
  if (!pub.ok()) {
    return Refused(intake, BatchRefusal::kKeyUnreadable, base::Internal("enrolled key unreadable"));
  }
  base::Result<journal::ExportCheck> check = journal::CheckExport(file, *pub);
  if (!check.ok()) {
    return Refused(intake, BatchRefusal::kNotABatch,
                   base::InvalidArgument("not a journal batch: " + check.status().message()));
  }
  intake->first_seq = check->header.first_seq;
  intake->last_seq = check->header.last_seq;
  if (check->signer != pub->kid()) {
    return Refused(intake, BatchRefusal::kWrongSigner,
                   base::PermissionDenied("batch signed by kid " + base::ToHex(check->signer) +
                                          ", not by the requesting device"));
  }
  if (!check->signature_ok) {
    return Refused(intake, BatchRefusal::kBadSignature,
                   base::Unauthenticated("batch signature: " + check->signature_problem));
  }
  if (!check->body_hash_ok) {
    return Refused(intake, BatchRefusal::kBadBody,
                   base::DataLoss("batch body does not match its signed hash"));
  }
  if (check->first_bad_seq != 0) {
    intake->first_bad_seq = check->first_bad_seq;
    return Refused(intake, BatchRefusal::kBadEntry,
                   base::DataLoss("entry seq " + std::to_string(check->first_bad_seq) + ": " +
                                  check->problem));
  }
  if (rules.latest_time) {
    if (base::Status st = CheckNotAfter(*check, *rules.latest_time); !st.ok()) {
      return Refused(intake, BatchRefusal::kFromTheFuture, st);
    }
  }
  base::Result<PutResult> put =
      store.PutEntries(device.id, check->header.journal_id, check->entries, now);
  if (!put.ok()) return Refused(intake, BatchRefusal::kRefusedByStore, put.status());
  intake->put = *put;
  return base::Status::Ok();
}

}  // namespace hub
