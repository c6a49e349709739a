// The endpoints of the hub protocol (docs/hub-protocol.md), as the hub serves them and the kiosk's
// client requests them (after the hub URL's prefix, if any).
#pragma once

namespace ck_protocol {

inline constexpr char kHealthPath[] = "/v1/health";
inline constexpr char kBundlePath[] = "/v1/bundle";
inline constexpr char kJournalPath[] = "/v1/journal";
// GET /v1/bundle: a kiosk that takes delta bundles names its applied seq in this header.
inline constexpr char kRegistrySeqHeader[] = "CK-Registry-Seq";

}  // namespace ck_protocol
