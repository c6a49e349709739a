#include "kiosk/session.h"

#include "rules/local_time.h"

namespace kiosk {

std::string_view StateName(State s) {
  switch (s) {
    case State::kIdle:
      return "idle";
    case State::kResult:
      return "result";
    case State::kAmountEntry:
      return "amount";
    case State::kConfirm:
      return "confirm";
    case State::kVoidConfirm:
      return "void_confirm";
  }
  return "idle";
}

std::string MaskNumber(std::string_view number) {
  if (number.size() <= 4) return std::string(number);
  return std::string(number.size() - 4, '*') + std::string(number.substr(number.size() - 4));
}

Session::Session(const Config& config, const base::Clock& clock, card::Verifier* verifier,
                 registry::Registry* registry, journal::Journal& journal,
                 const std::atomic<int64_t>* hub_time)
    : config_(config),
      clock_(clock),
      verifier_(verifier),
      registry_(registry),
      journal_(journal),
      hub_time_(hub_time) {
  if (registry_ != nullptr) {
    admin_verifier_.emplace(*registry_, clock_);
    admin_verifier_->set_clock_floor(registry_->meta().created);
  }
  Reset();
}

ClockAnchors Session::Anchors() const {
  return AnchorsOf(registry_ != nullptr ? &registry_->meta() : nullptr,
                   hub_time_ != nullptr ? hub_time_->load() : 0, journal_.last_time());
}

void Session::Reset() {
  screen_ = Screen();
  card_.reset();
  usage_.clear();
  verdict_.clear();
  if (registry_ != nullptr) {
    screen_.registry_seq = registry_->meta().seq;
    screen_.registry_stale = clock_.NowUnixSeconds() >= registry_->meta().not_after;
  }
}

void Session::ShowResult() {
  screen_.state = State::kResult;
  result_since_ns_ = clock_.MonotonicNanos();
  if (on_result_ && !correcting_) on_result_(screen_);
}

void Session::Fail(const std::string& code, const std::string& message) {
  screen_.decision = code;
  screen_.outcome = Outcome::kCannotCheck;  // every failure here is the device's, not the card's
  screen_.message = message;
  ShowResult();
}

bool Session::DeviceReady() {
  if (registry_ == nullptr || verifier_ == nullptr) {
    Fail("NO_REGISTRY", "no registry on this device: import a bundle from USB");
    return false;
  }
  if (screen_.registry_stale && config_.stale_registry == StalePolicy::kRefuse) {
    Fail("REGISTRY_OUT_OF_DATE", "the registry is out of date: import a new bundle");
    return false;
  }
  return true;
}

bool Session::ClockTrusted() {
  const int64_t now = clock_.NowUnixSeconds();
  const ClockAnchors anchors = Anchors();
  const ClockState state = CheckClock(now, anchors);
  if (state == ClockState::kOk) return true;
  Fail(std::string(ClockCode(state)), ClockProblem(state, now, anchors));
  return false;
}

bool Session::Record(const journal::NewEntry& e) {
  // Checked here too, at the one place entries are written: no entry at a time the kiosk cannot
  // stand behind (time never runs backwards on the record, nor leaps far ahead of every anchor).
  const int64_t now = clock_.NowUnixSeconds();
  const ClockAnchors anchors = Anchors();
  const ClockState clock = CheckClock(now, anchors);
  base::Result<journal::Entry> entry =
      clock == ClockState::kOk ? journal_.Append(e)
                               : base::FailedPrecondition(ClockProblem(clock, now, anchors));
  if (!entry.ok()) {
    // Nothing was recorded, so nothing may be shown as given: no discount, no entry.
    screen_.discount_minor = 0;
    screen_.cashback_minor = 0;
    screen_.total_minor = screen_.purchase_minor;
    screen_.entry_number = 0;
    screen_.entry_uuid.clear();
    screen_.entry_seq = 0;
    if (clock != ClockState::kOk) {
      Fail(std::string(ClockCode(clock)), entry.status().message());
    } else if (entry.status().code() == base::StatusCode::kDataLoss) {
      // journal.db or its WAL was removed, replaced or truncated: every later write fails too.
      Fail("JOURNAL_ERROR", "cannot record: call the admin (" + entry.status().message() +
                                "); not recorded: do not give the discount or entry");
    } else {
      Fail("JOURNAL_ERROR",
           "not recorded (" + entry.status().message() + "): do not give the discount or entry");
    }
    return false;
  }
  screen_.entry_uuid = entry->uuid;
  screen_.entry_seq = entry->seq;
  return true;
}

void Session::RecordRejected(const card::Verification& v, const std::string& decision) {
  journal::NewEntry e;
  e.kind = journal::Kind::kRejected;
  if (v.signature_ok && v.claims && v.claims->card)
    e.rid = v.claims->card->rid;  // never a forged rid
  e.partner_id = config_.mode == Mode::kShop ? config_.partner_id : "";
  e.event_id = config_.mode == Mode::kEvent ? config_.event_id : "";
  e.bundle_seq = screen_.registry_seq;
  e.verdict = std::string(card::VerdictCode(v.verdict));
  e.decision = decision;
  screen_.decision = decision;
  screen_.message = v.detail;
  const bool recorded = Record(e);
  // The card is refused whether or not its rejection could be recorded: the answer stays no.
  screen_.outcome = OutcomeOf(v.verdict);
  if (recorded) ShowResult();
}

void Session::Scan(std::string_view text) {
  Reset();
  activity_ns_ = clock_.MonotonicNanos();
  if (!DeviceReady()) return;
  if (!ClockTrusted()) {
    screen_.verdict = std::string(card::VerdictCode(card::Verdict::kError));
    return;
  }
  card::Verification v = verifier_->Verify(text);
  screen_.verdict = std::string(card::VerdictCode(v.verdict));
  if (v.verdict == card::Verdict::kError) {
    Fail(v.error_code.empty() ? "ERROR" : v.error_code, v.detail);  // the device, not the card
    return;
  }
  if (v.verdict == card::Verdict::kMalformed && v.stage == card::Stage::kClaims &&
      ScanAdminCard(text)) {
    return;  // an admin card: its own screen and entry
  }
  if (v.verdict != card::Verdict::kValid) {
    RecordRejected(v, screen_.verdict);
    return;
  }
  const card::MemberCard& c = *v.claims->card;
  screen_.name = c.name.value_or("");
  screen_.number_masked = c.number ? MaskNumber(*c.number) : "";
  screen_.org = c.org;
  card_ = c;
  verdict_ = screen_.verdict;
  if (config_.mode == Mode::kShop) {
    ScanInShop(v);
  } else {
    ScanAtEvent(v);
  }
}

void Session::ScanInShop(const card::Verification&) {
  std::optional<rules::OfferDecision> d = Decide(std::nullopt);
  if (!d) return;
  if (rules::RefusedForEveryAmount(*d)) {
    // Answered before the amount is asked: no amount would change it.
    ShowOffer(*d);
    screen_.purchase_minor = screen_.total_minor = 0;
    RecordRefusal(*d);
    return;
  }
  screen_.state = State::kAmountEntry;
  screen_.message = "enter the purchase amount";
}

std::optional<rules::OfferDecision> Session::Decide(std::optional<int64_t> purchase) {
  if (!offers_) {
    base::Result<std::vector<registry::Offer>> offers = registry_->OffersOf(config_.partner_id);
    if (!offers.ok()) {
      Fail("REGISTRY_ERROR", offers.status().message());
      return std::nullopt;
    }
    offers_ = std::move(offers).value();
  }
  const int64_t now = clock_.NowUnixSeconds();
  const rules::LocalTime local = rules::ToLocal(now, config_.utc_offset_seconds);
  std::string usage_error;
  const rules::UsageFn usage = [&](const registry::Offer& o, int64_t* count, int64_t* amount) {
    const int64_t from = rules::PeriodStart(*o.cap_period, now, config_.utc_offset_seconds);
    base::Result<journal::DiscountUsage> u = UsageOf(o, from, now);
    if (!u.ok()) {
      usage_error = u.status().message();
      *count = INT64_MAX;  // unknown usage: refuse rather than risk exceeding a cap
      *amount = INT64_MAX;
      return;
    }
    *count = u->count;
    *amount = u->discount_minor;
  };
  rules::OfferDecision d = purchase
                               ? rules::ChooseOffer(*offers_, *card_, *purchase, local, usage)
                               : rules::ChooseOfferForAnyAmount(*offers_, *card_, local, usage);
  if (!usage_error.empty()) {
    Fail("JOURNAL_ERROR", "cannot read this member's previous discounts: " + usage_error);
    return std::nullopt;
  }
  return d;
}

base::Result<journal::DiscountUsage> Session::UsageOf(const registry::Offer& o, int64_t from,
                                                      int64_t now) {
  // Entries are never back-dated (the clock check), so in one period and with no entry appended
  // since, the count read at the scan is the count now.
  const int64_t last_seq = journal_.last_seq();
  for (const CachedUsage& c : usage_) {
    if (c.offer_id == o.offer_id && c.from == from && c.last_seq == last_seq) return c.usage;
  }
  CK_ASSIGN_OR_RETURN(journal::DiscountUsage u,
                      journal_.Usage(card_->rid, o.offer_id, from, now + 1));
  std::erase_if(usage_, [&](const CachedUsage& c) { return c.offer_id == o.offer_id; });
  usage_.push_back({.offer_id = o.offer_id, .from = from, .last_seq = last_seq, .usage = u});
  return u;
}

void Session::ShowOffer(const rules::OfferDecision& d) {
  screen_.purchase_minor = d.purchase_minor;
  screen_.discount_minor = d.discount_minor;
  screen_.cashback_minor = d.cashback_minor;
  screen_.total_minor = d.total_minor;
  screen_.offer_id = d.offer_id;
  screen_.offer_title = d.title;
  screen_.cap_used = d.used;
  screen_.cap_limit = d.limit;
  screen_.clip = d.clip;
  screen_.clip_minor = d.clip_minor;
  screen_.message = d.message;
  if (!d.accepted()) {
    screen_.decision = std::string(rules::OfferCodeName(d.code));
    screen_.outcome = OutcomeOf(d.code);
  }
}

// A final refusal: one entry, then the result.
void Session::RecordRefusal(const rules::OfferDecision& d) {
  journal::NewEntry e{.kind = journal::Kind::kDiscount,
                      .rid = card_->rid,
                      .partner_id = config_.partner_id,
                      .offer_id = d.offer_id,
                      .purchase_minor = screen_.purchase_minor,
                      .bundle_seq = screen_.registry_seq,
                      .verdict = verdict_,
                      .decision = screen_.decision};
  if (Record(e)) ShowResult();
}

void Session::Amount(int64_t purchase) {
  if ((screen_.state != State::kAmountEntry && screen_.state != State::kConfirm) || !card_) return;
  activity_ns_ = clock_.MonotonicNanos();
  screen_.admin_card_refused.clear();
  std::optional<rules::OfferDecision> d = Decide(purchase);
  if (!d) return;
  ShowOffer(*d);
  if (d->accepted()) {
    screen_.decision.clear();
    screen_.outcome = Outcome::kCannotCheck;  // nothing decided until it is confirmed
    screen_.state = State::kConfirm;
    return;
  }
  if (d->code == rules::OfferCode::kBadAmount || d->code == rules::OfferCode::kBelowMinimum) {
    screen_.state = State::kAmountEntry;  // the cashier can correct the amount
    return;
  }
  RecordRefusal(*d);
}

void Session::AmountEdited() {
  if (screen_.state != State::kAmountEntry) return;
  activity_ns_ = clock_.MonotonicNanos();
  screen_.admin_card_refused.clear();
  screen_.decision.clear();
  screen_.outcome = Outcome::kCannotCheck;
  screen_.message = "enter the purchase amount";
}

void Session::Confirm() {
  if (screen_.state == State::kVoidConfirm) return ConfirmVoid();
  if (screen_.state != State::kConfirm || !card_) return;
  screen_.admin_card_refused.clear();
  journal::NewEntry e{.kind = journal::Kind::kDiscount,
                      .rid = card_->rid,
                      .partner_id = config_.partner_id,
                      .offer_id = screen_.offer_id,
                      .purchase_minor = screen_.purchase_minor,
                      .discount_minor = screen_.discount_minor,
                      .bundle_seq = screen_.registry_seq,
                      .verdict = verdict_,
                      .decision = journal::kAccepted,
                      .cashback_minor = screen_.cashback_minor};
  if (!Record(e)) return;
  screen_.decision = journal::kAccepted;
  screen_.outcome = OutcomeOf(rules::OfferCode::kAccepted);
  screen_.voidable = true;
  ShowResult();
}

void Session::ScanAtEvent(const card::Verification&) {
  base::Result<std::optional<registry::Event>> ev = registry_->FindEvent(config_.event_id);
  if (!ev.ok() || !ev->has_value()) {
    Fail("NO_EVENT",
         ev.ok() ? "event " + config_.event_id + " is not in the registry" : ev.status().message());
    return;
  }
  registry::Event event = **ev;
  if (!event.capacity && config_.capacity > 0) event.capacity = config_.capacity;
  screen_.capacity = event.capacity.value_or(0);
  rules::CheckinFacts f;
  f.now = clock_.NowUnixSeconds();
  f.doors_open_seconds = config_.doors_open_seconds;
  base::Result<bool> on = registry_->OnRoster(event.event_id, card_->rid);
  base::Result<std::pair<int64_t, int64_t>> seen = journal_.CheckinsOf(card_->rid, event.event_id);
  int64_t members = 0, manual = 0;
  if (!on.ok() || !seen.ok() || !EventCounts(event.event_id, &members, &manual)) {
    Fail("JOURNAL_ERROR", "cannot read previous check-ins");
    return;
  }
  f.on_roster = *on;
  f.entries = seen->first;
  f.first_entry = seen->second;
  f.attendance = members + manual;  // people let in without a card take places too
  screen_.manual_count = manual;
  rules::CheckinDecision d = rules::EvaluateCheckin(event, f, config_.utc_offset_seconds);
  screen_.decision = std::string(rules::CheckinCodeName(d.code));
  screen_.outcome = OutcomeOf(d.code);
  screen_.message = d.message;
  screen_.attendance = f.attendance;  // the count before this entry until it is recorded
  screen_.first_entry = d.first_entry;
  journal::NewEntry e{.kind = journal::Kind::kCheckin,
                      .rid = card_->rid,
                      .event_id = event.event_id,
                      .bundle_seq = screen_.registry_seq,
                      .verdict = verdict_,
                      .decision = screen_.decision};
  if (!Record(e)) return;
  screen_.attendance = d.attendance;
  screen_.entry_number = d.entry_number;
  screen_.voidable = d.code == rules::CheckinCode::kAccepted;
  ShowResult();
}

void Session::Cancel() { Reset(); }

void Session::KeepAlive() {
  if (screen_.state == State::kAmountEntry || screen_.state == State::kConfirm)
    activity_ns_ = clock_.MonotonicNanos();
}

void Session::Tick() {
  const int64_t now = clock_.MonotonicNanos();
  if (screen_.state == State::kResult) {
    if (now - result_since_ns_ >= config_.result_timeout_ms * 1'000'000) Reset();
  } else if (screen_.state == State::kAmountEntry || screen_.state == State::kConfirm ||
             screen_.state == State::kVoidConfirm) {
    if (now - activity_ns_ >= config_.entry_timeout_ms * 1'000'000) Reset();
  }
}

}  // namespace kiosk
