// The admin's CSV exports -> registry records, checked row by row. Bad rows are reported as
// "FILE:LINE: why" (all of them, up to a limit) and nothing is returned when any row is bad.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "registry/records.h"

namespace registry {

// Called now and then with the file name and the rows read so far (progress on large inputs).
using ProgressFn = std::function<void(const std::string& file, size_t rows)>;

inline constexpr size_t kMaxReportedRowErrors = 50;

// members.csv: member_id,status,min_serial. Returns records sorted by rid; member IDs never leave
// this function (the rid is the HMAC of the member ID under the status secret).
base::Result<std::vector<MemberRecord>> ReadMembersCsv(const std::string& path,
                                                       base::ByteSpan status_secret,
                                                       const ProgressFn& progress);
// partners.csv: partner_id,name,city,address
base::Result<std::vector<Partner>> ReadPartnersCsv(const std::string& path);
// offers.csv: see DESIGN.md section 7; every offer's partner must be in `partner_ids`.
base::Result<std::vector<Offer>> ReadOffersCsv(const std::string& path,
                                               const std::set<std::string>& partner_ids);
// events.csv: event_id,title,venue,starts,ends,mode,entries_per_member,capacity
base::Result<std::vector<Event>> ReadEventsCsv(const std::string& path);
// roster.csv: event_id,member_id -> (event_id, rid), sorted; events must be in `event_ids`.
base::Result<std::vector<std::pair<std::string, card::Rid>>> ReadRosterCsv(
    const std::string& path, base::ByteSpan status_secret, const std::set<std::string>& event_ids,
    const ProgressFn& progress);

}  // namespace registry
