#include "hub_fill.h"

#include <algorithm>
#include <optional>
#include <string>

#include "base/hex.h"
#include "card/crypto.h"

namespace benchfill {

std::vector<journal::Entry> MakeChain(int device, int64_t n, int64_t step) {
  std::vector<journal::Entry> out;
  out.reserve(static_cast<size_t>(n));
  journal::Hash prev{};
  for (int64_t seq = 1; seq <= n; ++seq) {
    journal::Entry e;
    e.seq = seq;
    e.uuid = journal::NewUuid();
    const bool checkin = seq % 10 == 0;
    e.kind = checkin ? journal::Kind::kCheckin : journal::Kind::kDiscount;
    e.time_utc = kStart + seq * step + device;
    e.mono_ns = seq * 1000;
    e.rid =
        card::Rid{static_cast<uint8_t>(device),  static_cast<uint8_t>(seq & 0xff), 0, 0, 0, 0, 0,
                  static_cast<uint8_t>(seq % 97)};
    if (checkin) {
      e.event_id = "E" + std::to_string(seq % 5);
    } else {
      e.partner_id = "P" + std::to_string(device % 50);
      e.offer_id = "O" + std::to_string(seq % 3);
      e.purchase_minor = 100000 + seq % 1000;
      if (seq % 7 == 0) {
        e.cashback_minor = 5000;  // a cashback offer: the till charged it all
      } else {
        e.discount_minor = 10000;
      }
    }
    e.bundle_seq = 1;
    e.verdict = "VALID";
    e.decision = journal::kAccepted;
    e.prev_hash = prev;
    e.hash = journal::ComputeHash(e);
    prev = e.hash;
    out.push_back(std::move(e));
  }
  return out;
}

base::Result<int64_t> Enroll(hub::HubStore& store, int device) {
  CK_ASSIGN_OR_RETURN(card::PrivateKey key, card::PrivateKey::Generate(card::Alg::kEdDSA));
  CK_ASSIGN_OR_RETURN(card::PublicKey pub, key.Public());
  CK_ASSIGN_OR_RETURN(
      hub::Device dev,
      store.AddDevice("k" + std::to_string(device), base::ToHex(pub.kid()), pub.ToPem(), kStart));
  return dev.id;
}

base::Result<int64_t> FillStore(hub::HubStore& store, int kiosks, int64_t total,
                                const std::function<int64_t(int device)>& received) {
  const int64_t per = std::max<int64_t>(1, total / kiosks);
  int64_t filled = 0;
  for (int d = 0; d < kiosks; ++d) {
    const std::string name = "k" + std::to_string(d);
    CK_ASSIGN_OR_RETURN(std::optional<hub::Device> held, store.FindDeviceByName(name));
    if (held) {
      CK_ASSIGN_OR_RETURN(int64_t acked, store.AckedSeq(held->id));
      if (acked == per) continue;
      return base::FailedPrecondition("the store holds " + name + " with " + std::to_string(acked) +
                                      " entries, not " + std::to_string(per) +
                                      ": start from an empty store");
    }
    CK_ASSIGN_OR_RETURN(int64_t device_id, Enroll(store, d));
    const std::vector<journal::Entry> chain = MakeChain(d, per, kYear / per);
    for (size_t i = 0; i < chain.size(); i += 10000) {
      std::vector<journal::Entry> batch(
          chain.begin() + static_cast<ptrdiff_t>(i),
          chain.begin() + static_cast<ptrdiff_t>(std::min(chain.size(), i + 10000)));
      CK_TRY(store.PutEntries(device_id, batch, received(d)).status());
    }
    filled += per;
  }
  return filled;
}

}  // namespace benchfill
