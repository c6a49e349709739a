#include "sync/net_sync.h"

namespace ck_sync {
namespace {

void AddPullLine(const PullReport& pull, std::vector<std::string>* out) {
  const std::string seq = std::to_string(pull.seq);
  switch (pull.state) {
    case PullReport::State::kNotRun:
      break;
    case PullReport::State::kNoBundle:
      out->push_back("bundle: the hub has no bundle published yet");
      break;
    case PullReport::State::kUpToDate:
      out->push_back("bundle: up to date (seq " + seq + ")");
      break;
    case PullReport::State::kApplied:
      out->push_back("bundle: applied seq " + seq + " (was " + std::to_string(pull.previous_seq) +
                     ")" + (pull.resumed ? " after resuming the download" : ""));
      break;
    case PullReport::State::kRefused:
      out->push_back("bundle: refused: " + pull.status.message());
      break;
    case PullReport::State::kError:
      out->push_back("bundle: failed: " + pull.status.message());
      break;
  }
}

void AddPushLine(const PushReport& push, std::vector<std::string>* out) {
  switch (push.state) {
    case PushReport::State::kNotRun:
      break;
    case PushReport::State::kNothingToSend:
      out->push_back("journal: nothing to send (acknowledged through " +
                     std::to_string(push.recorded_ack) + ")");
      break;
    case PushReport::State::kPushed:
      out->push_back("journal: pushed entries " + std::to_string(push.first_seq) + ".." +
                     std::to_string(push.last_seq) + ", hub acknowledged " +
                     std::to_string(push.acked_seq) + " (stored " + std::to_string(push.stored) +
                     ", duplicates " + std::to_string(push.duplicates) + ")");
      break;
    case PushReport::State::kRefused:
      out->push_back("journal: refused by the hub: " + push.status.message());
      break;
    case PushReport::State::kError:
      out->push_back("journal: failed: " + push.status.message());
      break;
  }
}

void AddStatusLine(const StatusPushReport& status, std::vector<std::string>* out) {
  switch (status.state) {
    case StatusPushReport::State::kNotRun:
    case StatusPushReport::State::kNotSupported:  // an older hub: as before it had the endpoint
      break;
    case StatusPushReport::State::kSent:
      out->push_back("status: reported");
      break;
    case StatusPushReport::State::kRefused:
      out->push_back("status: refused by the hub: " + status.status.message());
      break;
    case StatusPushReport::State::kError:
      out->push_back("status: failed: " + status.status.message());
      break;
  }
}

}  // namespace

bool SyncReport::refused() const {
  return pull.state == PullReport::State::kRefused || push.state == PushReport::State::kRefused;
}

bool SyncReport::error() const {
  return pull.state == PullReport::State::kError || push.state == PushReport::State::kError;
}

std::vector<std::string> SyncReport::Lines() const {
  std::vector<std::string> out;
  AddPullLine(pull, &out);
  AddPushLine(push, &out);
  AddStatusLine(status_push, &out);
  if (!hub_time_status.ok())
    out.push_back("clock: the hub's time was not saved: " + hub_time_status.message());
  return out;
}

}  // namespace ck_sync
