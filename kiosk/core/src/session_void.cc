// Corrections: voids of this device's own entries (a new journal entry naming the one it cancels,
// never an edit), the door's undo and manual counts, and the last transactions.
#include <cstdio>

#include "kiosk/session.h"

namespace kiosk {
namespace {

// Marks the session as in a correction while alive (Session::set_on_result leaves its results out).
class Correcting {
 public:
  explicit Correcting(bool* flag) : flag_(flag), was_(*flag) { *flag_ = true; }
  ~Correcting() { *flag_ = was_; }
  Correcting(const Correcting&) = delete;
  Correcting& operator=(const Correcting&) = delete;

 private:
  bool* flag_;
  bool was_;
};

constexpr char kVoided[] = "VOIDED";

bool Voidable(journal::Kind k) {
  return k == journal::Kind::kDiscount || k == journal::Kind::kCheckin ||
         k == journal::Kind::kManualCount;
}

std::string Minutes(int64_t seconds) { return std::to_string(seconds / 60) + " min"; }

}  // namespace

std::string_view ActorName(Actor a) { return a == Actor::kAdmin ? "admin" : "cashier"; }

std::string MaskRid(const card::Rid& rid) {
  char tail[5];
  std::snprintf(tail, sizeof tail, "%02x%02x", rid[6], rid[7]);
  return std::string("\u2022\u2022\u2022\u2022") + tail;
}

std::string Session::VoidRefusal(const journal::Entry& e, Actor actor, std::string* why) {
  if (e.kind == journal::Kind::kVoid) {
    *why = "entry " + std::to_string(e.seq) + " is itself a void: a void cannot be voided";
    return "VOID_OF_VOID";
  }
  if (!Voidable(e.kind) || e.decision != journal::kAccepted) {
    *why = "entry " + std::to_string(e.seq) + " (" + std::string(journal::KindName(e.kind)) + ", " +
           e.decision + ") gave nothing: only accepted discounts, check-ins and manual counts " +
           "can be voided";
    return "VOID_NOT_VOIDABLE";
  }
  base::Result<std::optional<journal::Entry>> v = journal_.VoidOf(e.uuid);
  if (!v.ok()) {
    *why = "cannot read the journal: " + v.status().message();
    return "JOURNAL_ERROR";
  }
  if (v->has_value()) {
    *why = "entry " + std::to_string(e.seq) + " was already voided (entry " +
           std::to_string((*v)->seq) + ", by " + (*v)->actor + ")";
    return "VOID_ALREADY";
  }
  const int64_t age = clock_.NowUnixSeconds() - e.time_utc;
  if (actor == Actor::kCashier && age > config_.void_window_seconds) {
    *why = "entry " + std::to_string(e.seq) + " is older than " +
           Minutes(config_.void_window_seconds) + ": only the admin can void it (admin menu)";
    return "VOID_TOO_LATE";
  }
  return "";
}

void Session::RefuseVoid(const std::string& code, const std::string& why) {
  screen_.decision = code;
  screen_.outcome = code == "JOURNAL_ERROR" ? Outcome::kCannotCheck : Outcome::kRefusedByRule;
  screen_.message = why;
  ShowResult();
}

void Session::StartVoid(std::string_view uuid_view, Actor actor) {
  const Correcting correcting(&correcting_);
  if (screen_.state == State::kAmountEntry || screen_.state == State::kConfirm) return;
  const std::string uuid(uuid_view);  // it may be this screen's own entry_uuid: copied first
  Reset();
  activity_ns_ = clock_.MonotonicNanos();
  screen_.actor = std::string(ActorName(actor));
  base::Result<std::optional<journal::Entry>> found = journal_.Find(uuid);
  if (!found.ok())
    return RefuseVoid("JOURNAL_ERROR", "cannot read the journal: " + found.status().message());
  if (!found->has_value()) {
    return RefuseVoid("VOID_UNKNOWN_ENTRY",
                      "no entry " + uuid +
                          " in this device's journal: only this device's own entries can be "
                          "voided here");
  }
  const journal::Entry& e = **found;
  screen_.void_uuid = e.uuid;
  screen_.void_kind = std::string(journal::KindName(e.kind));
  screen_.void_time = e.time_utc;
  screen_.void_seq = e.seq;
  screen_.purchase_minor = e.purchase_minor;
  screen_.discount_minor = e.discount_minor;
  screen_.total_minor = e.purchase_minor - e.discount_minor;
  screen_.offer_id = e.offer_id;
  screen_.manual = e.kind == journal::Kind::kManualCount;
  if (e.rid) screen_.number_masked = MaskRid(*e.rid);
  std::string why;
  const std::string refused = VoidRefusal(e, actor, &why);
  if (!refused.empty()) return RefuseVoid(refused, why);
  void_actor_ = actor;
  screen_.state = State::kVoidConfirm;
  screen_.message = "void entry " + std::to_string(e.seq) + "? confirm or cancel";
}

// Confirm() on the void_confirm screen: the void entry, after the same checks again.
void Session::ConfirmVoid() {
  const Correcting correcting(&correcting_);
  base::Result<std::optional<journal::Entry>> found = journal_.Find(screen_.void_uuid);
  if (!found.ok() || !found->has_value())
    return RefuseVoid("JOURNAL_ERROR", "cannot read the entry to void again");
  const journal::Entry& e = **found;
  std::string why;
  const std::string refused = VoidRefusal(e, void_actor_, &why);
  if (!refused.empty()) return RefuseVoid(refused, why);
  if (!ClockTrusted()) return;
  journal::NewEntry v{.kind = journal::Kind::kVoid,
                      .rid = e.rid,
                      .partner_id = e.partner_id,
                      .event_id = e.event_id,
                      .offer_id = e.offer_id,
                      .bundle_seq = screen_.registry_seq,
                      .decision = journal::kAccepted,
                      .ref_uuid = e.uuid,
                      .actor = std::string(ActorName(void_actor_))};
  const int64_t purchase = screen_.purchase_minor, discount = screen_.discount_minor;
  if (!Record(v)) return;
  screen_.purchase_minor = purchase;  // what the void cancels, for the result screen
  screen_.discount_minor = discount;
  screen_.total_minor = purchase - discount;
  screen_.decision = kVoided;
  screen_.outcome = Outcome::kVoided;
  screen_.message = "entry " + std::to_string(e.seq) + " voided";
  if (!e.event_id.empty()) {
    int64_t members = 0, manual = 0;
    if (EventCounts(e.event_id, &members, &manual)) {
      screen_.attendance = members + manual;
      screen_.manual_count = manual;
    }
  }
  ShowResult();
}

void Session::UndoLastCheckin(Actor actor) {
  const Correcting correcting(&correcting_);
  if (config_.mode != Mode::kEvent) return;
  if (screen_.state == State::kAmountEntry || screen_.state == State::kConfirm) return;
  base::Result<std::optional<journal::Entry>> last = journal_.LastCheckin(config_.event_id);
  if (!last.ok() || !last->has_value()) {
    Reset();
    return RefuseVoid(last.ok() ? "NOTHING_TO_UNDO" : "JOURNAL_ERROR",
                      last.ok() ? "no check-in here to undo" : last.status().message());
  }
  StartVoid((*last)->uuid, actor);
}

bool Session::EventCounts(const std::string& event_id, int64_t* members, int64_t* manual) {
  base::Result<int64_t> m = journal_.Attendance(event_id);
  base::Result<int64_t> n = journal_.ManualCount(event_id);
  if (!m.ok() || !n.ok()) return false;
  *members = *m;
  *manual = *n;
  return true;
}

void Session::ManualCount() {
  const Correcting correcting(&correcting_);
  if (config_.mode != Mode::kEvent) return;
  if (screen_.state == State::kAmountEntry || screen_.state == State::kConfirm) return;
  Reset();
  screen_.manual = true;
  if (!DeviceReady() || !ClockTrusted()) return;
  base::Result<std::optional<registry::Event>> ev = registry_->FindEvent(config_.event_id);
  if (!ev.ok() || !ev->has_value()) {
    return Fail("NO_EVENT", ev.ok() ? "event " + config_.event_id + " is not in the registry"
                                    : ev.status().message());
  }
  screen_.capacity = (*ev)->capacity.value_or(config_.capacity);
  int64_t members = 0, manual = 0;
  if (!EventCounts(config_.event_id, &members, &manual))
    return Fail("JOURNAL_ERROR", "cannot read previous check-ins");
  screen_.attendance = members + manual;
  screen_.manual_count = manual;
  if (screen_.capacity > 0 && screen_.attendance >= screen_.capacity) {
    screen_.decision = std::string(rules::CheckinCodeName(rules::CheckinCode::kEventFull));
    screen_.outcome = Outcome::kRefusedByRule;
    screen_.message = "event full: " + std::to_string(screen_.attendance) + " of " +
                      std::to_string(screen_.capacity) + " (nothing recorded)";
    return ShowResult();
  }
  journal::NewEntry e{.kind = journal::Kind::kManualCount,
                      .event_id = config_.event_id,
                      .bundle_seq = screen_.registry_seq,
                      .decision = journal::kAccepted,
                      .actor = std::string(ActorName(Actor::kCashier))};
  if (!Record(e)) return;
  screen_.decision = journal::kAccepted;
  screen_.outcome = Outcome::kValid;
  screen_.message = "let in without a card";
  screen_.attendance += 1;
  screen_.manual_count += 1;
  screen_.voidable = true;
  ShowResult();
}

base::Result<std::vector<RecentEntry>> Session::Recent(int limit) {
  CK_ASSIGN_OR_RETURN(std::vector<journal::Entry> entries, journal_.Recent(limit));
  std::vector<RecentEntry> out;
  for (const journal::Entry& e : entries) {
    RecentEntry r{.seq = e.seq,
                  .time_utc = e.time_utc,
                  .uuid = e.uuid,
                  .kind = std::string(journal::KindName(e.kind)),
                  .partner_id = e.partner_id,
                  .event_id = e.event_id,
                  .offer_id = e.offer_id,
                  .purchase_minor = e.purchase_minor,
                  .discount_minor = e.discount_minor,
                  .cashback_minor = e.cashback_minor,
                  .member = e.rid ? MaskRid(*e.rid) : "",
                  .decision = e.decision};
    CK_ASSIGN_OR_RETURN(std::optional<journal::Entry> v, journal_.VoidOf(e.uuid));
    if (v) {
      r.voided_by = v->actor;
      r.voided_at = v->time_utc;
    }
    std::string why;
    r.cashier_void = VoidRefusal(e, Actor::kCashier, &why);
    r.admin_void = VoidRefusal(e, Actor::kAdmin, &why);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace kiosk
