// Every card verdict and every rule code has the outcome the kiosk shows for it (colour, icon,
// word, tone). The tables name each code by its stable string; the loops walk every value of each
// enum, so a new code without a row here fails (and without a case in kiosk/outcome.cc does not
// compile).
#include "kiosk/outcome.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <string_view>

namespace kiosk {
namespace {

using Table = std::map<std::string, Outcome, std::less<>>;

// Walks 0, 1, 2... while `name` gives a new code: the name functions fall back to a code already
// seen for a value that is no enumerator. Checks each value against `want` and that `want` holds no
// code the enum lacks.
template <typename Enum, typename NameFn>
void ExpectEveryValue(const Table& want, NameFn name, std::string_view what) {
  std::set<std::string, std::less<>> seen;
  for (int i = 0; i < 256; ++i) {
    const auto value = static_cast<Enum>(i);
    const std::string code(name(value));
    if (!seen.insert(code).second) break;
    auto it = want.find(code);
    if (it == want.end()) {
      ADD_FAILURE() << what << " " << code << " has no outcome in this table";
      continue;
    }
    EXPECT_EQ(OutcomeName(OutcomeOf(value)), OutcomeName(it->second)) << what << " " << code;
  }
  EXPECT_EQ(seen.size(), want.size()) << what << ": the table names codes the enum does not have";
}

TEST(OutcomeTest, EveryCardVerdict) {
  const Table want = {
      {"MALFORMED", Outcome::kInvalid},     {"UNKNOWN_KEY", Outcome::kInvalid},
      {"KEY_NOT_VALID", Outcome::kInvalid}, {"BAD_SIGNATURE", Outcome::kInvalid},
      {"NOT_YET_VALID", Outcome::kInvalid}, {"EXPIRED", Outcome::kInvalid},
      {"REVOKED", Outcome::kInvalid},       {"SUSPENDED", Outcome::kInvalid},
      {"NOT_A_MEMBER", Outcome::kInvalid},  {"VALID", Outcome::kValid},
      {"ERROR", Outcome::kCannotCheck},  // the device could not decide
  };
  ExpectEveryValue<card::Verdict>(want, card::VerdictCode, "verdict");
}

TEST(OutcomeTest, EveryOfferCode) {
  const Table want = {
      {"accepted", Outcome::kValid},
      {"NO_OFFER", Outcome::kRefusedByRule},
      {"BAD_AMOUNT", Outcome::kRefusedByRule},
      {"CATEGORY_NOT_ELIGIBLE", Outcome::kRefusedByRule},
      {"ORG_NOT_ELIGIBLE", Outcome::kRefusedByRule},
      {"OFFER_NOT_STARTED", Outcome::kRefusedByRule},
      {"OFFER_ENDED", Outcome::kRefusedByRule},
      {"WRONG_DAY", Outcome::kRefusedByRule},
      {"OUTSIDE_HOURS", Outcome::kRefusedByRule},
      {"BELOW_MINIMUM", Outcome::kRefusedByRule},
      {"LIMIT_REACHED", Outcome::kRefusedByRule},
      {"AMOUNT_LIMIT_REACHED", Outcome::kRefusedByRule},
  };
  ExpectEveryValue<rules::OfferCode>(want, rules::OfferCodeName, "offer code");
}

TEST(OutcomeTest, EveryCheckinCode) {
  const Table want = {
      {"accepted", Outcome::kValid},
      {"NOT_REGISTERED", Outcome::kInvalid},  // not this member's event
      {"ALREADY_CHECKED_IN", Outcome::kRefusedByRule},
      {"EVENT_FULL", Outcome::kRefusedByRule},
      {"DOORS_NOT_OPEN", Outcome::kRefusedByRule},
      {"EVENT_OVER", Outcome::kRefusedByRule},
  };
  ExpectEveryValue<rules::CheckinCode>(want, rules::CheckinCodeName, "check-in code");
}

TEST(OutcomeTest, NamesAreDistinct) {
  std::set<std::string_view> names;
  for (Outcome o :
       {Outcome::kValid, Outcome::kInvalid, Outcome::kRefusedByRule, Outcome::kCannotCheck})
    EXPECT_TRUE(names.insert(OutcomeName(o)).second) << OutcomeName(o);
}

}  // namespace
}  // namespace kiosk
