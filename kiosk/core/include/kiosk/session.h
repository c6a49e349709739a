// The kiosk's decision core: one session's state machine (idle, result, amount entry, confirm,
// check-in result), driven by events, with no SDL, camera or network in it. The SDL app and
// the headless JSON-lines front end both drive this class.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "card/admin_card.h"
#include "card/verifier.h"
#include "journal/journal.h"
#include "kiosk/clock_check.h"
#include "kiosk/outcome.h"
#include "registry/registry.h"
#include "rules/events.h"
#include "rules/offers.h"

namespace kiosk {

enum class Mode : uint8_t { kShop, kEvent };
// kVoidConfirm: a void of an earlier entry waits for its confirmation (docs/kiosk-app.md,
// "Corrections").
enum class State : uint8_t { kIdle, kResult, kAmountEntry, kConfirm, kVoidConfirm };
// "idle", "result", "amount", "confirm", "void_confirm"
std::string_view StateName(State s);

// Who voids an entry: the cashier (within the void window) or the admin (any time).
enum class Actor : uint8_t { kCashier, kAdmin };
std::string_view ActorName(Actor a);  // "cashier", "admin": the journal's actor field

enum class StalePolicy : uint8_t { kWarn, kRefuse };

struct Config {
  Mode mode = Mode::kShop;
  std::string partner_id;  // shop mode
  std::string event_id;    // event mode
  int64_t utc_offset_seconds = 3 * 3600;
  int64_t result_timeout_ms = 4000;  // a result screen closes by itself after this
  // An amount or confirm screen left alone this long is abandoned (nothing recorded): an hour-old
  // decision must not be confirmed after the offer's hours or the cap period have moved on.
  int64_t entry_timeout_ms = 120'000;
  int64_t doors_open_seconds = 3600;
  // The event's capacity when its registry entry has none (0: no limit).
  int64_t capacity = 0;
  StalePolicy stale_registry = StalePolicy::kWarn;
  // How long after an entry the cashier may void it (config void_window); later only the admin.
  int64_t void_window_seconds = 15 * 60;
  // A valid admin card opens the admin menu (the SDL app, which has one); without it (the
  // headless protocol) it is refused with ADMIN_CARD_NOT_HERE.
  bool admin_cards = false;
};

// Decisions of an admin card scan (docs/kiosk-app.md, "Admin card").
inline constexpr char kAdminCardAccepted[] = "ADMIN_CARD";
inline constexpr char kAdminCardNotHere[] = "ADMIN_CARD_NOT_HERE";

// What the screen shows now. Fields are meaningful in the states noted.
struct Screen {
  State state = State::kIdle;
  // result / amount / confirm. The codes are for display, the journal and the headless protocol;
  // what they mean for the person at the counter is `outcome`.
  std::string verdict;   // card verdict code, once a card was scanned
  std::string decision;  // "accepted" or a refusal / error code (result)
  // What the decision means (result; amount after a correctable refusal). Until something is
  // decided it reads as "cannot check".
  Outcome outcome = Outcome::kCannotCheck;
  std::string message;                   // English, for logs and the headless protocol
  std::string name, number_masked, org;  // from a verified card, when present
  int64_t purchase_minor = 0, discount_minor = 0, total_minor = 0;
  int64_t cashback_minor = 0;  // a cashback offer: what the member earns (discount 0, full total)
  std::string offer_id, offer_title;
  int64_t cap_used = 0, cap_limit = 0;
  // confirm: why the discount is less than the offer's rate would give, and the limit it met
  rules::DiscountClip clip = rules::DiscountClip::kNone;
  int64_t clip_minor = 0;
  // event results
  int64_t attendance = 0;
  int64_t capacity = 0;     // the event's (registry, else config), 0 without a limit
  int64_t first_entry = 0;  // Unix seconds, for "already checked in at HH:MM"
  int64_t entry_number = 0;
  int64_t manual_count = 0;  // of `attendance`: people let in without a card (manual counts)
  bool manual = false;       // this result is a manual count (no card)
  // journal
  std::string entry_uuid;  // set only once the entry is durable
  int64_t entry_seq = 0;
  // result: the entry just recorded may be voided by the cashier now ("Отменить")
  bool voidable = false;
  // void_confirm, and the result of a void: the entry voided (its amounts are in purchase_minor,
  // discount_minor; the member's masked ref in number_masked), and who voids it.
  std::string void_uuid, void_kind;
  int64_t void_time = 0, void_seq = 0;
  std::string actor;
  // an admin card was scanned (result): decision ADMIN_CARD (the admin menu opens), or its
  // refusal (the verdict code: EXPIRED, REVOKED = withdrawn, UNKNOWN_KEY, ..., or
  // ADMIN_CARD_NOT_HERE); its holder's name is in `name`, its id (hex) in `admin_id`
  bool admin_card = false;
  std::string admin_id;
  // amount or confirm: an admin card scanned over the customer being served was refused (its
  // decision, as above); the customer's amount or confirm stays, this says why until the next
  // amount, edit or confirm
  std::string admin_card_refused;
  // device state
  bool registry_stale = false;
  int64_t registry_seq = 0;
};

// One line of the "last transactions" list: an entry this device recorded, and its status.
struct RecentEntry {
  int64_t seq = 0, time_utc = 0;
  std::string uuid;
  std::string kind;  // journal kind: "discount", "checkin", "manual_count"
  std::string partner_id, event_id, offer_id;
  int64_t purchase_minor = 0, discount_minor = 0, cashback_minor = 0;
  std::string member;     // the member's masked ref ("••••0a1b"), "" for a manual count
  std::string decision;   // "accepted" or the refusal code
  std::string voided_by;  // the void's actor, "" when not voided
  int64_t voided_at = 0;  // the void's time
  // What a void would say now: "" when it may be voided (by the cashier: within the window),
  // else the refusal code (VOID_NOT_VOIDABLE, VOID_ALREADY, VOID_TOO_LATE).
  std::string cashier_void, admin_void;
};

// Not thread-safe: one UI thread drives it. All references must outlive the session; `registry`
// may be null (no registry applied yet: every scan gives NO_REGISTRY). `hub_time` (may be null:
// none) is the hub's time at the last sync, a clock anchor (kiosk/clock_check.h) that another
// thread may move on.
class Session {
 public:
  Session(const Config& config, const base::Clock& clock, card::Verifier* verifier,
          registry::Registry* registry, journal::Journal& journal,
          const std::atomic<int64_t>* hub_time = nullptr);

  // The clock's anchors now (the registry's, the hub's, the journal's last entry).
  ClockAnchors Anchors() const;

  const Screen& screen() const { return screen_; }
  Mode config_mode() const { return config_.mode; }

  // Called with the screen each time a scan's decision is shown (a result screen: accepted,
  // refused or cannot check; not a correction's: voids, undo, manual door counts), on the thread
  // that drives the session; the kiosk counts its refused scans with it.
  void set_on_result(std::function<void(const Screen&)> fn) { on_result_ = std::move(fn); }

  // A card. In a shop, a member whom no amount could give a discount (no offer for them here, not
  // today, a cap used up) is answered at once, with one journal entry and no amount screen.
  void Scan(std::string_view text);
  // An admin card (session_admin.cc): checked against the registry's admin keys and withdrawn
  // admin cards and journalled (a `rejected` entry whose actor is admin-card:<id>); the screen is
  // a result with admin_card set. Returns false, changing nothing, when `text` is not an admin
  // card: Scan() asks it of a card its member verifier refused as malformed, and the app of a
  // card scanned where a member card is not taken (amount, confirm, the admin screens). On the
  // amount or confirm screen a refused admin card keeps the customer's screen (admin_card_refused).
  bool ScanAdminCard(std::string_view text);
  void Amount(int64_t purchase_minor);
  // The amount being typed changed (amount screen): activity, as KeepAlive(), and a warning about
  // the amount typed before (below the minimum) no longer applies.
  void AmountEdited();
  void Confirm();
  void Cancel();
  // Input on the amount or confirm screen (a key typed) that is not yet an amount: keeps the
  // screen from being abandoned by entry_timeout_ms while the cashier types.
  void KeepAlive();
  // Lets time pass: closes a result screen after its timeout.
  void Tick();

  // Corrections (session_void.cc). Asks to void the entry `uuid` of this device's journal: the
  // void_confirm screen (Confirm() records the void, Cancel() leaves it), or a result refusing it
  // with the reason: VOID_UNKNOWN_ENTRY (not in this device's journal), VOID_OF_VOID,
  // VOID_NOT_VOIDABLE (a rejected scan, a refusal, a clock correction: nothing was given),
  // VOID_ALREADY, VOID_TOO_LATE (older than void_window_seconds: only the admin). Not while a
  // customer is being served (amount, confirm).
  void StartVoid(std::string_view uuid, Actor actor);
  // Event mode: StartVoid of the newest check-in or manual count here that no void cancels
  // (NOTHING_TO_UNDO without one).
  void UndoLastCheckin(Actor actor);
  // Event mode: a person let in without a card: a manual_count entry (no member), counted with
  // the members against the capacity (EVENT_FULL at capacity: nothing recorded).
  void ManualCount();
  // The newest `limit` discounts, check-ins and manual counts of this device, with their status.
  base::Result<std::vector<RecentEntry>> Recent(int limit = 20);

 private:
  void ShowResult();
  void ScanInShop(const card::Verification& v);
  // An admin card refused over the amount or confirm screen: journalled, the customer's screen
  // kept with admin_card_refused set (session_admin.cc).
  void RefuseAdminCardOverCustomer(const card::Verification& v);
  // The offer decision for `purchase` (nullopt: for any amount); nullopt after an error screen.
  std::optional<rules::OfferDecision> Decide(std::optional<int64_t> purchase);
  // The member's use of `o` in its cap period from `from` to `now` (journal_.Usage), from usage_
  // when it was read for the same period start and nothing was journalled since.
  base::Result<journal::DiscountUsage> UsageOf(const registry::Offer& o, int64_t from, int64_t now);
  void ShowOffer(const rules::OfferDecision& d);
  void RecordRefusal(const rules::OfferDecision& d);
  void ScanAtEvent(const card::Verification& v);
  bool Record(const journal::NewEntry& e);  // false (and an error screen) if the journal failed
  void RecordRejected(const card::Verification& v, const std::string& decision);
  void Fail(const std::string& code, const std::string& message);
  void Reset();
  bool DeviceReady();
  bool ClockTrusted();  // false (and an error screen) when the wall clock is behind or ahead
  // session_void.cc
  // Why `e` may not be voided by `actor` now ("" when it may); `why` gets the English reason.
  std::string VoidRefusal(const journal::Entry& e, Actor actor, std::string* why);
  void RefuseVoid(const std::string& code, const std::string& why);
  void ConfirmVoid();
  bool EventCounts(const std::string& event_id, int64_t* members, int64_t* manual);

  Config config_;
  const base::Clock& clock_;
  card::Verifier* verifier_;
  registry::Registry* registry_;
  std::optional<card::AdminCardVerifier> admin_verifier_;  // with the registry
  journal::Journal& journal_;
  const std::atomic<int64_t>* hub_time_;
  Screen screen_;
  std::optional<card::MemberCard> card_;  // the verified card being served
  // The partner's offers, read once: the registry does not change under a session.
  std::optional<std::vector<registry::Offer>> offers_;
  // The served member's use of each capped offer, read at the scan (the answer before the amount)
  // and reused at the amount and its corrections. An entry is valid for its period start and the
  // journal's last seq when read: a new period, or any entry appended since, reads the journal
  // again. Cleared with the card.
  struct CachedUsage {
    std::string offer_id;
    int64_t from = 0, last_seq = 0;
    journal::DiscountUsage usage;
  };
  std::vector<CachedUsage> usage_;
  std::string verdict_;
  int64_t result_since_ns_ = 0;
  int64_t activity_ns_ = 0;             // last scan or amount, for entry_timeout_ms
  Actor void_actor_ = Actor::kCashier;  // void_confirm: who asked
  std::function<void(const Screen&)> on_result_;
  bool correcting_ = false;  // in a correction (session_void.cc): its results are not scans'
};

// "6900012345" -> "******2345": the card number as a cashier may see it.
std::string MaskNumber(std::string_view number);
// A member's rid as the last transactions show it: "••••" and its last 4 hex digits.
std::string MaskRid(const card::Rid& rid);

}  // namespace kiosk
