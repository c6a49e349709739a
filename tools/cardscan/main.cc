// cardscan: the scan path without a screen. Frames from a camera or a recording go through the
// same pipeline as in the kiosk (capture thread, latest-frame mailbox, decoding thread, de-dup);
// every decoded code is printed, optionally verified.
//
//   cardscan --frames DIR|FILE.y4m|/dev/videoN [--verify (--data-dir DIR | --pubkey FILE...)]
//            [--json] [--realtime] [--fps N] [--dedupe-ms N]
#include <cstdio>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/file.h"
#include "base/status.h"
#include "card/verifier.h"
#include "registry/registry.h"
#include "scanner/frame_source.h"
#include "scanner/recorded_source.h"
#include "scanner/scan_pipeline.h"
#include "scanner/v4l2_source.h"

namespace {

constexpr char kUsage[] =
    "usage: cardscan --frames DIR|FILE.y4m|/dev/videoN [--verify (--data-dir DIR | --pubkey "
    "FILE...)]\n"
    "                [--json] [--realtime] [--fps N] [--dedupe-ms N]\n"
    "DIR holds PNG, JPEG or WebP images, read in name order.\n"
    "Prints one line per decoded QR code: its text, the frame index, capture-to-decode time and,\n"
    "with --verify, the card verdict. Recordings play as fast as possible (every frame decoded)\n"
    "unless --realtime plays them at their frame rate, dropping frames the decoder cannot keep up "
    "with.\n";

struct Options {
  std::string frames, data_dir;
  std::vector<std::string> pubkeys;
  bool verify = false, json = false, realtime = false;
  double fps = 30;
  int64_t dedupe_ms = 3000;
};

int Usage(const std::string& why) {
  std::fprintf(stderr, "cardscan: %s\n%s", why.c_str(), kUsage);
  return 2;
}

bool Parse(int argc, char** argv, Options* o, std::string* error) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    std::string v;
    if (a == "--frames" && value(&o->frames)) continue;
    if (a == "--data-dir" && value(&o->data_dir)) continue;
    if (a == "--pubkey" && value(&v)) {
      o->pubkeys.push_back(v);
      continue;
    }
    if (a == "--fps" && value(&v)) {
      o->fps = std::atof(v.c_str());
      continue;
    }
    if (a == "--dedupe-ms" && value(&v)) {
      o->dedupe_ms = std::atoll(v.c_str());
      continue;
    }
    if (a == "--verify")
      o->verify = true;
    else if (a == "--json")
      o->json = true;
    else if (a == "--realtime")
      o->realtime = true;
    else {
      *error = "unknown or incomplete option " + a;
      return false;
    }
  }
  if (o->frames.empty())
    *error = "--frames is required";
  else if (o->verify && o->data_dir.empty() == o->pubkeys.empty())
    *error = "--verify needs --data-dir DIR or --pubkey FILE";
  else if (!o->verify && (!o->data_dir.empty() || !o->pubkeys.empty()))
    *error = "--data-dir/--pubkey need --verify";
  else if (o->fps <= 0 || o->fps > 240)
    *error = "--fps must be 1-240";
  return error->empty();
}

bool IsCamera(const std::string& frames) { return frames.rfind("/dev/video", 0) == 0; }

// The card verification of --verify: keys from the registry of --data-dir or from --pubkey
// files. Not movable (the verifier refers to the keys and the registry beside it).
struct Verification {
  card::MemoryKeyStore keys;
  std::unique_ptr<registry::Registry> reg;
  std::unique_ptr<card::Verifier> verifier;  // null without --verify

  [[nodiscard]] base::Status Open(const Options& o, const base::Clock& clock) {
    if (!o.verify) return base::Status::Ok();
    if (!o.data_dir.empty()) {
      auto r = registry::Registry::Open(o.data_dir + "/registry.db");
      if (!r.ok()) return r.status();
      reg = std::move(r).value();
      verifier = std::make_unique<card::Verifier>(*reg, reg.get(), clock);
      verifier->set_clock_floor(reg->meta().created);
      return base::Status::Ok();
    }
    for (const std::string& path : o.pubkeys) {
      auto key = card::PublicKey::FromPemFile(path);
      if (!key.ok()) return key.status();
      keys.Add({.kid = key->kid(), .iss = "", .key = *key});
    }
    verifier = std::make_unique<card::Verifier>(keys, nullptr, clock);
    return base::Status::Ok();
  }
};

// Prints one decoded code (and its verdict): a JSON line with --json, else a text line.
// Called on the decoding thread; the verifier is not thread-safe, so results are handled one at
// a time under a lock.
class ResultPrinter {
 public:
  ResultPrinter(const Options& o, card::Verifier* verifier, const base::Clock& clock)
      : json_(o.json), verifier_(verifier), clock_(clock) {}

  void operator()(const scanner::ScanResult& r) {
    std::lock_guard<std::mutex> lock(mu_);
    const double ms = static_cast<double>(r.decoded_ns - r.capture_ns) / 1e6;
    std::string verdict;
    if (verifier_) verdict = std::string(card::VerdictCode(verifier_->Verify(r.text).verdict));
    const double verdict_ms = static_cast<double>(clock_.MonotonicNanos() - r.capture_ns) / 1e6;
    if (json_) {
      nlohmann::json j{{"text", r.text}, {"frame", r.frame_index}, {"capture_to_decode_ms", ms}};
      if (verifier_) {
        j["verdict"] = verdict;
        j["capture_to_verdict_ms"] = verdict_ms;
      }
      std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
      std::printf("frame %lld  %.2f ms  %s%s%s\n", static_cast<long long>(r.frame_index), ms,
                  verifier_ ? verdict.c_str() : "", verifier_ ? "  " : "", r.text.c_str());
    }
    std::fflush(stdout);
  }

 private:
  const bool json_;
  card::Verifier* const verifier_;
  const base::Clock& clock_;
  std::mutex mu_;
};

// Runs the pipeline until the source ends (a camera: until killed); the exit code.
int Scan(const Options& o, scanner::FrameSource& source, card::Verifier* verifier,
         const base::Clock& clock) {
  scanner::PipelineOptions popts;
  popts.dedupe_window_ms = o.dedupe_ms;
  popts.drop_stale_frames = o.realtime || IsCamera(o.frames);
  ResultPrinter printer(o, verifier, clock);
  auto on_result = [&printer](const scanner::ScanResult& r) { printer(r); };
  auto on_state = [](scanner::SourceState s) {
    std::fprintf(stderr, "cardscan: source %s\n", std::string(scanner::SourceStateName(s)).c_str());
  };
  std::fprintf(stderr, "cardscan: %s\n", source.Describe().c_str());
  scanner::ScanPipeline pipeline(source, clock, popts, on_result, on_state);
  pipeline.WaitUntilDrained(24 * 3600 * 1000);  // a camera runs until killed
  pipeline.Stop();
  const scanner::PipelineStats st = pipeline.stats();
  if (!pipeline.source_status().ok()) {
    std::fprintf(stderr, "cardscan: source failed: %s\n",
                 pipeline.source_status().message().c_str());
  }
  std::fprintf(stderr, "cardscan: %lld frames captured, %lld decoded, %lld dropped, %lld codes\n",
               static_cast<long long>(st.frames_captured),
               static_cast<long long>(st.frames_decoded), static_cast<long long>(st.frames_dropped),
               static_cast<long long>(st.codes_reported));
  return pipeline.source_status().ok() ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::string error;
  if (argc > 1 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (!Parse(argc, argv, &o, &error)) return Usage(error);
  base::SystemClock clock;
  const scanner::Pacing pacing =
      o.realtime ? scanner::Pacing::kRealTime : scanner::Pacing::kAsFastAsPossible;
  base::Result<std::unique_ptr<scanner::FrameSource>> source =
      IsCamera(o.frames) ? scanner::OpenV4l2Camera({.device = o.frames}, clock)
                         : scanner::OpenRecording(o.frames, o.fps, pacing, clock);
  if (!source.ok()) {
    std::fprintf(stderr, "cardscan: %s\n", source.status().message().c_str());
    return 2;
  }
  Verification verification;
  if (const base::Status st = verification.Open(o, clock); !st.ok()) return Usage(st.message());
  return Scan(o, **source, verification.verifier.get(), clock);
}
