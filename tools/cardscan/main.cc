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
#include <vector>

#include "base/clock.h"
#include "base/file.h"
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
      o.frames.rfind("/dev/video", 0) == 0 ? scanner::OpenV4l2Camera({.device = o.frames}, clock)
                                           : scanner::OpenRecording(o.frames, o.fps, pacing, clock);
  if (!source.ok()) {
    std::fprintf(stderr, "cardscan: %s\n", source.status().message().c_str());
    return 2;
  }
  // Verification (optional), on the decoding thread's results; the verifier is not thread-safe,
  // so results are handled one at a time under a lock.
  card::MemoryKeyStore keys;
  std::unique_ptr<registry::Registry> reg;
  std::unique_ptr<card::Verifier> verifier;
  if (o.verify) {
    if (!o.data_dir.empty()) {
      auto r = registry::Registry::Open(o.data_dir + "/registry.db");
      if (!r.ok()) return Usage(r.status().message());
      reg = std::move(r).value();
      verifier = std::make_unique<card::Verifier>(*reg, reg.get(), clock);
      verifier->set_clock_floor(reg->meta().created);
    } else {
      for (const std::string& path : o.pubkeys) {
        auto key = card::PublicKey::FromPemFile(path);
        if (!key.ok()) return Usage(key.status().message());
        keys.Add({.kid = key->kid(), .iss = "", .key = *key});
      }
      verifier = std::make_unique<card::Verifier>(keys, nullptr, clock);
    }
  }
  std::mutex mu;
  int64_t codes = 0;
  scanner::PipelineOptions popts;
  popts.dedupe_window_ms = o.dedupe_ms;
  popts.drop_stale_frames = o.realtime || o.frames.rfind("/dev/video", 0) == 0;
  auto on_result = [&](const scanner::ScanResult& r) {
    std::lock_guard<std::mutex> lock(mu);
    ++codes;
    const double ms = static_cast<double>(r.decoded_ns - r.capture_ns) / 1e6;
    std::string verdict;
    if (verifier) verdict = std::string(card::VerdictCode(verifier->Verify(r.text).verdict));
    const double verdict_ms = static_cast<double>(clock.MonotonicNanos() - r.capture_ns) / 1e6;
    if (o.json) {
      nlohmann::json j{{"text", r.text}, {"frame", r.frame_index}, {"capture_to_decode_ms", ms}};
      if (verifier) {
        j["verdict"] = verdict;
        j["capture_to_verdict_ms"] = verdict_ms;
      }
      std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
      std::printf("frame %lld  %.2f ms  %s%s%s\n", static_cast<long long>(r.frame_index), ms,
                  verifier ? verdict.c_str() : "", verifier ? "  " : "", r.text.c_str());
    }
    std::fflush(stdout);
  };
  auto on_state = [&](scanner::SourceState s) {
    std::fprintf(stderr, "cardscan: source %s\n", std::string(scanner::SourceStateName(s)).c_str());
  };
  std::fprintf(stderr, "cardscan: %s\n", (*source)->Describe().c_str());
  scanner::ScanPipeline pipeline(**source, clock, popts, on_result, on_state);
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
