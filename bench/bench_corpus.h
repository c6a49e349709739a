// The recorded-frame corpus as the scanning benchmark sees it (tests/data/frames: one directory
// per tier, NAME.jpg beside NAME.txt holding the expected texts), and the frame-to-verdict
// latency run over it.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "scanner/image.h"

namespace bench {

struct CorpusFrame {
  std::string tier, name;
  scanner::GrayImage image;
  std::vector<std::string> expected;  // empty: no code in the frame
};

struct Corpus {
  std::vector<std::string> tiers;  // in difficulty order (docs/scanner.md)
  std::vector<CorpusFrame> frames;
};

// Loads every frame of every tier into memory.
base::Result<Corpus> LoadCorpus(const std::string& dir);

// Feeds the frames of `width` x `height` through a ScanPipeline (drop_stale_frames = false, no
// de-dup) at `fps` like a camera, verifies every decoded text with card::Verifier against
// DIR/issuer.pub.pem and prints the frame-to-verdict distribution against the p95 target. False
// if it could not run.
bool RunLatency(const Corpus& corpus, const std::string& dir, double fps, int width, int height,
                double target_p95_ms);

}  // namespace bench
