// Writes synthetic admin CSV exports for registry benchmarks: N members (default 3.5 million),
// 500 partners, 2,000 offers, 200 events with rosters of 500 members each.
//
//   gen_registry_inputs OUT_DIR [MEMBERS]
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

namespace {

constexpr int kPartners = 500;
constexpr int kOffers = 2000;
constexpr int kEvents = 200;
constexpr int kRosterPerEvent = 500;

std::FILE* Open(const std::string& dir, const char* name) {
  std::string path = dir + "/" + name;
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) {
    std::perror(path.c_str());
    std::exit(2);
  }
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: gen_registry_inputs OUT_DIR [MEMBERS]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const long members = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 3'500'000;
  std::mt19937_64 rng(42);

  std::FILE* f = Open(dir, "members.csv");
  std::fputs("member_id,status,min_serial\n", f);
  for (long i = 0; i < members; ++i) {
    const unsigned r = static_cast<unsigned>(rng() % 100);
    const char* status = r < 95 ? "active" : r < 98 ? "suspended" : "revoked";
    std::fprintf(f, "EDU-%08ld,%s,%u\n", i, status, r < 90 ? 1u : 2u);
  }
  std::fclose(f);

  f = Open(dir, "partners.csv");
  std::fputs("partner_id,name,city,address\n", f);
  for (int i = 0; i < kPartners; ++i)
    std::fprintf(f, "P%04d,Partner %d,Tver,\"Street %d, 1\"\n", i, i, i);
  std::fclose(f);

  f = Open(dir, "offers.csv");
  std::fputs(
      "offer_id,partner_id,kind,value,min_purchase_minor,max_discount_minor,categories,orgs,valid_"
      "from,"
      "valid_to,weekdays,hours,cap_count,cap_amount_minor,cap_period,title\n",
      f);
  for (int i = 0; i < kOffers; ++i) {
    if (i % 2 == 0) {
      std::fprintf(f,
                   "O%05d,P%04d,percent,%d.5,10000,50000,0|1,,2026-01-01,2027-12-31,1-5,09:00-21:"
                   "00,2,,month,Offer %d\n",
                   i, i % kPartners, 5 + i % 10, i);
    } else {
      std::fprintf(f, "O%05d,P%04d,fixed,%d00,,,,,,,,,,,,Offer %d\n", i, i % kPartners, 10 + i % 90,
                   i);
    }
  }
  std::fclose(f);

  f = Open(dir, "events.csv");
  std::fputs("event_id,title,venue,starts,ends,mode,entries_per_member,capacity\n", f);
  for (int i = 0; i < kEvents; ++i) {
    std::fprintf(
        f,
        "E%03d,Event %d,Hall %d,2026-12-%02dT09:00:00+03:00,2026-12-%02dT18:00:00+03:00,%s,1,%d\n",
        i, i, i, 1 + i % 28, 1 + i % 28, i % 2 == 0 ? "roster" : "open", 1000);
  }
  std::fclose(f);

  f = Open(dir, "roster.csv");
  std::fputs("event_id,member_id\n", f);
  for (int e = 0; e < kEvents; ++e) {
    for (int k = 0; k < kRosterPerEvent; ++k) {
      std::fprintf(f, "E%03d,EDU-%08ld\n", e,
                   static_cast<long>(rng() % static_cast<unsigned long>(members)));
    }
  }
  std::fclose(f);
  return 0;
}
