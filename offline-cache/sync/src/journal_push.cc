#include "journal_push.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "journal/export.h"
#include "protocol/paths.h"

namespace ck_sync {
namespace {

void Fail(PushReport* rep, base::Status status) {
  rep->state = PushReport::State::kError;
  rep->status = std::move(status);
}

PushReport Failed(PushReport rep, base::Status status) {
  Fail(&rep, std::move(status));
  return rep;
}

// Adds a later batch's report to the cycle's totals.
void AddBatch(const PushReport& rep, PushReport* total) {
  total->state = rep.state;
  total->status = rep.status;
  total->attempts += rep.attempts;
  if (rep.state != PushReport::State::kPushed) return;
  total->last_seq = rep.last_seq;
  total->acked_seq = rep.acked_seq;
  total->stored += rep.stored;
  total->duplicates += rep.duplicates;
  total->recorded_ack = rep.recorded_ack;
}

}  // namespace

PushReport JournalPush::Run() {
  // Batches of kBatchEntries until the hub has everything, so a kiosk back from weeks offline
  // catches up in one cycle; bounded so that one cycle always ends.
  PushReport total;
  // The journal as it is on disk now (the session may have appended since this connection was
  // opened or last read it); entries appended during the cycle go with the next one.
  if (base::Status st = journal_.ReloadTail(); !st.ok()) return Failed(total, st);
  hub_held_.reset();
  bool probed = false;
  for (int batch = 0; batch < kMaxBatchesPerCycle; ++batch) {
    const int64_t before = Position(total.recorded_ack);
    last_http_status_ = 0;
    PushReport rep = PushBatch();
    if (rep.state == PushReport::State::kRefused && last_http_status_ == 409 && !probed) {
      // Refused after a gap in what the hub holds (entries acknowledged here because they went
      // out on a USB stick): send from the hub's end instead; the journal still holds them.
      probed = true;
      std::optional<int64_t> held = ProbeHeld();
      if (held && *held < rep.first_seq - 1) {
        hub_held_ = *held;
        --batch;
        continue;
      }
    }
    if (batch == 0) {
      total = rep;
    } else {
      AddBatch(rep, &total);
    }
    if (rep.state == PushReport::State::kNothingToSend && batch > 0) {
      total.state = PushReport::State::kPushed;
      total.status = base::Status::Ok();
      break;
    }
    const int64_t reached = Position(rep.recorded_ack);
    if (rep.state != PushReport::State::kPushed || reached >= journal_.last_seq() ||
        (batch > 0 && reached <= before)) {
      break;
    }
  }
  return total;
}

int64_t JournalPush::Position(int64_t recorded_ack) const {
  return hub_held_ ? std::min(recorded_ack, *hub_held_) : recorded_ack;
}

std::optional<int64_t> JournalPush::ProbeHeld() {
  // An empty batch: the hub answers with the seq it holds contiguously.
  base::Result<base::Bytes> empty = journal::WriteExport(journal_, journal::kMaxSeq, device_id_,
                                                         device_key_, clock_.NowUnixSeconds(), 1);
  if (!empty.ok()) return std::nullopt;
  PushReport probe;
  std::optional<HttpResponse> answer = Send(*empty, &probe);
  if (!answer) return std::nullopt;
  const nlohmann::json j = nlohmann::json::parse(answer->body, nullptr, false);
  if (!j.is_object() || !j.contains("acked_seq") || !j["acked_seq"].is_number_integer()) {
    return std::nullopt;
  }
  return j["acked_seq"].get<int64_t>();
}

PushReport JournalPush::PushBatch() {
  PushReport rep;
  base::Result<int64_t> acked = journal_.AckedSeq();
  if (!acked.ok()) return Failed(rep, acked.status());
  rep.recorded_ack = *acked;
  const int64_t from = Position(*acked);  // the batch starts after it
  const int64_t last = journal_.last_seq();
  if (from >= last) {
    rep.state = PushReport::State::kNothingToSend;
    return rep;
  }
  rep.first_seq = from + 1;
  rep.last_seq = std::min(last, from + kBatchEntries);
  // Exactly first_seq..last_seq, even when the session appends while the batch is written.
  base::Result<base::Bytes> batch =
      journal::WriteExport(journal_, rep.first_seq, device_id_, device_key_,
                           clock_.NowUnixSeconds(), rep.last_seq - rep.first_seq + 1);
  if (!batch.ok()) return Failed(rep, batch.status());
  if (batch->size() > kMaxBatchBytes) {
    // 5,000 entries are ~0.8 MB; this needs entries far larger than any the journal accepts.
    return Failed(rep,
                  base::OutOfRange("the unacknowledged entries make a batch of " +
                                   std::to_string(batch->size()) +
                                   " bytes, above the hub's limit; collect them by USB stick"));
  }
  std::optional<HttpResponse> answer = Send(*batch, &rep);
  if (answer) RecordAnswer(*answer, &rep);
  return rep;
}

std::optional<HttpResponse> JournalPush::Send(const base::Bytes& batch, PushReport* rep) {
  std::optional<HttpResponse> answer;
  RunWithRetry(
      retry_,
      [&]() -> bool {
        rep->status = base::Status::Ok();
        base::Result<HttpResponse> r =
            hub_.Post(ck_protocol::kJournalPath, batch, "application/octet-stream");
        if (!r.ok()) {
          rep->state = PushReport::State::kError;
          rep->status = r.status();
          return !IsTransientTransportError(r.status());
        }
        if (r->status == 200) {
          answer = std::move(r).value();
          return true;
        }
        last_http_status_ = r->status;
        const bool transient = IsTransientHttpStatus(r->status);
        rep->state = transient ? PushReport::State::kError : PushReport::State::kRefused;
        rep->status = HttpError("POST /v1/journal", *r);
        return !transient;
      },
      &rep->attempts);
  return answer;
}

void JournalPush::RecordAnswer(const HttpResponse& answer, PushReport* rep) {
  const nlohmann::json j = nlohmann::json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("acked_seq") || !j["acked_seq"].is_number_integer()) {
    Fail(rep, base::DataLoss("the hub's answer has no acked_seq: " + answer.body.substr(0, 200)));
    return;
  }
  rep->acked_seq = j["acked_seq"].get<int64_t>();
  if (j.contains("stored") && j["stored"].is_number_integer())
    rep->stored = j["stored"].get<int64_t>();
  if (j.contains("duplicates") && j["duplicates"].is_number_integer())
    rep->duplicates = j["duplicates"].get<int64_t>();
  if (rep->acked_seq > journal_.last_seq()) {
    Fail(rep, base::FailedPrecondition(
                  "the hub acknowledged seq " + std::to_string(rep->acked_seq) +
                  " but this journal ends at " + std::to_string(journal_.last_seq()) +
                  " (a reinstalled kiosk with an enrolled old key?)"));
    return;
  }
  if (rep->acked_seq > rep->last_seq) {
    // The hub holds entries of this device that this batch did not carry.
    Fail(rep,
         base::FailedPrecondition("the hub acknowledged seq " + std::to_string(rep->acked_seq) +
                                  " but was sent seq " + std::to_string(rep->first_seq) + ".." +
                                  std::to_string(rep->last_seq) + "; not recorded"));
    return;
  }
  // The hub's acked_seq stops at its first gap. Entries collected by USB stick (acknowledged here,
  // never uploaded) are such a gap for ever: when the hub says it holds every entry of this batch,
  // and everything before it was already acknowledged, the batch reached the union too.
  int64_t record = rep->acked_seq;
  if (rep->stored + rep->duplicates == rep->last_seq - rep->first_seq + 1) {
    record = std::max(record, rep->last_seq);
  }
  if (record > 0) {
    if (base::Status st = journal_.Ack(record); !st.ok()) {
      Fail(rep, st);
      return;
    }
  }
  if (hub_held_) hub_held_ = rep->acked_seq;
  base::Result<int64_t> now_acked = journal_.AckedSeq();
  rep->recorded_ack = now_acked.ok() ? *now_acked : rep->acked_seq;
  rep->state = PushReport::State::kPushed;
  rep->status = base::Status::Ok();
}

}  // namespace ck_sync
