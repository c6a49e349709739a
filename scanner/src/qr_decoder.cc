// The live-path decoder's passes over one frame (scanner/qr_decoder.h says which and why). The
// parts they use each have their own file: the finder scan (finder_scan.h), the grid sampler
// (grid_sampler.h) and its perspective math (homography.h), the luminance operations
// (luma_ops.h) and the adapter to ZXing-cpp (zxing_reader.h).
#include "scanner/qr_decoder.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "finder_scan.h"
#include "grid_deblur.h"
#include "grid_fit.h"
#include "grid_sampler.h"
#include "homography.h"
#include "luma_ops.h"
#include "zxing_reader.h"

namespace scanner {
namespace {

using qr::Finder;
using qr::LevelRange;
using qr::Pt;
using qr::Quad;
using qr::Region;
using qr::Seen;
using qr::Tone;

// Below this spread of the 2nd..98th percentiles the contrast pass is worth a try: HybridBinarizer
// treats 8x8 blocks whose range is under 24 levels as flat, so a 20-40 level code is lost.
constexpr int kNarrowRange = 160;
// Regions whose modules are smaller than this many pixels are enlarged before reading.
constexpr double kZoomBelowModule = 4.0;
// Regions whose modules are at least this many pixels are first read at their own scale.
constexpr double kNativeMinModule = 3.0;
constexpr double kTargetModule = 4.5;
constexpr int kMaxRegionReads = 3;
constexpr double kRegionBudget = 2.5;
// Regions per frame whose grid may have the sampled read's second chances (grid_fit.h,
// grid_deblur.h): the best supported ones whose first placement failed.
constexpr int kSecondChances = 2;

// A region is read when two of its finder patterns lie in a symbol read.
bool IsRead(const Region& r, const std::vector<Quad>& read_at) {
  return std::any_of(read_at.begin(), read_at.end(), [&r](const Quad& q) {
    int inside = 0;
    for (const auto& p : r.finders) inside += qr::Inside(q, p[0], p[1]) ? 1 : 0;
    return inside >= 2;
  });
}

// Reads one region cut out, enlarged by percent/100, its levels mapped by `tone` from its own ink
// and paper levels. The symbols read go to *read_at. Returns whether it read something.
bool ReadRegion(const Frame& f, const Region& r, int percent, Tone tone,
                const ZXing::DecodeHints& hints, std::vector<uint8_t>* cut_pixels,
                std::vector<uint8_t>* pixels, std::vector<std::string>* texts,
                std::vector<Quad>* read_at) {
  const Frame cut = percent == 100 ? qr::Cut(f, r.box) : qr::Enlarge(f, r.box, percent, cut_pixels);
  if (cut.data == nullptr || cut.width < 2 || cut.height < 2) return false;
  const size_t before = texts->size();
  qr::Read(qr::Stretch(cut, qr::PercentileRange(cut), tone, pixels), hints, texts, read_at,
           {r.box.x0, r.box.y0, percent});
  return texts->size() > before;
}

// Reads one region by sampling its module grid (grid_sampler.h): through the alignment pattern
// found near the fourth corner if it looks like one, else (or if that fails) through where the
// finder patterns put it; then, only where those fail, the second chances the options allow:
// through the alignment patterns found one by one and through offsets from that (grid_fit.h),
// and deblurred (grid_deblur.h). The symbol read goes to *read_at.
class SampledRead {
 public:
  // *second_chances: how many regions of the frame may still have them (they cost 1-3 ms).
  SampledRead(const Frame& f, const DecoderOptions& o, const ZXing::DecodeHints& pure,
              qr::GridScratch s, std::vector<std::string>* texts, int* second_chances)
      : f_(f), o_(o), pure_(pure), s_(s), texts_(texts), second_chances_(second_chances) {}

  // `centres`: the region's finder patterns, any order. Returns whether it read something.
  bool Run(const Region& r, const std::array<Pt, 3>& centres, std::vector<Quad>* read_at) {
    if (!qr::PlanGrid(f_, r.box, r.light, centres, r.module, &plan_)) return false;
    if (!(plan_.found_good && Through(plan_.found)) && !Through(plan_.guess) && !SecondChances()) {
      return false;
    }
    Quad quad{};
    const int dim = plan_.dim;
    const Pt corners[4] = {map_(0, 0), map_(dim, 0), map_(dim, dim), map_(0, dim)};
    for (size_t i = 0; i < 4; ++i) {
      quad[i] = {static_cast<int>(std::lround(corners[i].x)),
                 static_cast<int>(std::lround(corners[i].y))};
    }
    read_at->push_back(quad);
    return true;
  }

 private:
  bool Through(Pt corner) {
    qr::Homography h;
    return qr::CornerHomography(plan_, corner, &h) && Attempt(h);
  }

  bool SecondChances() {
    if (*second_chances_ <= 0 || !(o_.grid_refit || o_.deblur_pass)) return false;
    --*second_chances_;
    qr::GridMap fitted;
    if (!qr::CornerHomography(plan_, plan_.found_good ? plan_.found : plan_.guess, &fitted.h)) {
      return false;
    }
    const qr::GridMap first = fitted;
    if (o_.grid_refit) {
      if (qr::FitAlignments(f_, plan_, &fitted.h) > 0 && Attempt(fitted)) return true;
      qr::GridMap bent = fitted;
      qr::FitOffsets(f_, plan_, &bent);
      if (Attempt(bent)) return true;
    }
    if (o_.deblur_pass) {
      // Through the alignment patterns found if they were, else where the finder patterns put
      // the fourth corner.
      if (Deblurred(o_.grid_refit ? fitted : first)) return true;
    }
    return false;
  }

  bool Attempt(const qr::GridMap& m) {
    Frame image;
    return qr::SampleMap(f_, plan_, m, s_, &image) && Read(image, m);
  }

  bool Deblurred(const qr::GridMap& m) {
    return qr::DeblurGrid(f_, plan_, m, s_, &bits_) &&
           Read(qr::PureImage(bits_, plan_.dim, s_.image), m);
  }

  bool Read(const Frame& image, const qr::GridMap& m) {
    std::vector<std::string> got;
    qr::Read(image, pure_, &got);
    for (std::string& t : got) {
      if (std::find(texts_->begin(), texts_->end(), t) == texts_->end()) texts_->push_back(t);
    }
    if (!got.empty()) map_ = m;
    return !got.empty();
  }

  const Frame& f_;
  const DecoderOptions& o_;
  const ZXing::DecodeHints& pure_;
  const qr::GridScratch s_;
  std::vector<std::string>* texts_;
  int* second_chances_;
  qr::GridPlan plan_;
  qr::GridMap map_;
  std::vector<uint8_t> bits_;
};

// The decoder's buffers, reused from frame to frame.
struct Buffers {
  std::vector<uint8_t>*scratch, *zoomed, *region, *grey, *grid, *pure;
};

// One frame's reading: the passes in their order and the state they share (what was read and
// where, the polarity of the codes read, the pixel budget of the region reads). Lives within one
// Decode call: it refers to the frame, the options and the decoder's buffers.
class FrameRead {
 public:
  FrameRead(const Frame& f, const DecoderOptions& o, Buffers b, const QrDecoder::OnText& on_text)
      : f_(f),
        o_(o),
        b_(b),
        on_text_(on_text),
        hints_(qr::Hints(o, o.binarizer)),
        other_(qr::Hints(o, o.binarizer == Binarizer::kLocalAverage ? Binarizer::kGlobalHistogram
                                                                    : Binarizer::kLocalAverage)),
        pure_(qr::PureHints(hints_)),
        range_(qr::PercentileRange(f)),
        budget_(kRegionBudget * f.width * f.height) {}

  std::vector<std::string> Run() {
    // Without the scan, no code can be ruled out.
    Seen seen{!o_.region_pass, !o_.region_pass};
    if (!o_.region_pass) {
      Whole();
    } else {
      RegionPasses(&seen);
    }
    if (texts_.empty()) Fallbacks(seen);
    if (texts_.empty() && o_.region_pass && o_.grid_refit) SteepPass();
    Emit();
    return std::move(texts_);
  }

 private:
  // Hands the texts read since the last call to on_text_: a code is reported when Reed-Solomon
  // accepted it, not when the search for more codes in the frame has ended.
  void Emit() {
    for (; on_text_ && emitted_ < texts_.size(); ++emitted_) on_text_(texts_[emitted_]);
  }

  void Whole() {
    qr::Read(f_, hints_, &texts_, &read_at_);
    if (texts_.empty() && o_.second_binarizer) qr::Read(f_, other_, &texts_, &read_at_);
    Emit();
  }

  void RegionPasses(Seen* seen) {
    regions_ = qr::QrRegions(f_, std::max(1, o_.scan_step), seen, &finders_);
    done_.assign(regions_.size(), 0);
    // 1. Each region cut out, at its own scale where its modules are large enough (a fraction of
    // a frame's cost), else enlarged.
    const bool all_read = FirstRegionPass();
    // 2. The whole frame, unless every region found was read and no two finder patterns outside
    // the symbols read may belong together (a code whose triple the scan missed).
    if (texts_.empty() || !all_read || Unexplained()) {
      const size_t before = texts_.size();
      Whole();
      if (polarity_ == 0 && texts_.size() > before) polarity_ = 1;  // ZXing reads dark on light
    }
    // 3. Regions still not read: enlarged where their modules are small, then squared (glare).
    SecondRegionPass();
  }

  // Returns whether every region found was read (or tried).
  bool FirstRegionPass() {
    bool all_read = true;
    int tried = 0;
    for (size_t i = 0; i < regions_.size(); ++i) {
      const Region& r = regions_[i];
      if (static_cast<int>(texts_.size()) >= o_.max_symbols) break;
      if (IsRead(r, read_at_) || !Wanted(r.light)) continue;
      if (tried++ >= kMaxRegionReads) return false;
      // Enough to bring the modules to kTargetModule pixels, at most zoom_percent.
      done_[i] = r.module >= kNativeMinModule
                     ? 100
                     : std::clamp(static_cast<int>(std::ceil(kTargetModule * 10 / r.module)) * 10,
                                  100, std::max(100, o_.zoom_percent));
      if (!Afford(r, done_[i])) {
        done_[i] = 0;
        all_read = false;
        continue;
      }
      const size_t before = texts_.size();
      if (Sampled(r)) {
        Note(before, r.light);
        continue;
      }
      if (!ReadRegion(f_, r, done_[i], ToneOf(r), hints_, b_.zoomed, b_.region, &texts_,
                      &read_at_)) {
        all_read = false;
      }
      Note(before, r.light);
    }
    return all_read;
  }

  bool Sampled(const Region& r) {
    std::array<Pt, 3> centres{};
    for (size_t q = 0; q < 3; ++q) centres[q] = {finders_[r.ids[q]].x, finders_[r.ids[q]].y};
    return SampledRead(f_, o_, pure_, {b_.grey, b_.grid, b_.pure}, &texts_, &second_chances_)
        .Run(r, centres, &read_at_);
  }

  // Where nothing was read: the triples the scan refused as too far from square (a code seen at
  // 50-60 degrees), each read only from its sampled grid.
  void SteepPass() {
    int tried = 0;
    for (const Region& r : qr::SteepRegions(f_, finders_)) {
      if (!Wanted(r.light)) continue;
      if (tried++ >= kMaxRegionReads) return;
      if (Sampled(r)) return Emit();
    }
  }

  // Two finder patterns of the wanted polarity outside every symbol read that may belong together.
  bool Unexplained() const {
    const auto outside = [this](const Finder& c) {
      return std::none_of(read_at_.begin(), read_at_.end(), [&c](const Quad& q) {
        return qr::Inside(q, static_cast<int>(c.x), static_cast<int>(c.y));
      });
    };
    for (size_t i = 0; i < finders_.size(); ++i) {
      if (!Wanted(finders_[i].light) || finders_[i].hits < 2 || !outside(finders_[i])) continue;
      for (size_t j = i + 1; j < finders_.size(); ++j) {
        if (finders_[j].hits >= 2 && qr::IsPair(finders_[i], finders_[j]) && outside(finders_[j])) {
          return true;
        }
      }
    }
    return false;
  }

  void SecondRegionPass() {
    int tried = 0;
    for (size_t i = 0; i < regions_.size(); ++i) {
      const Region& r = regions_[i];
      if (static_cast<int>(texts_.size()) >= o_.max_symbols || tried >= kMaxRegionReads) break;
      if (IsRead(r, read_at_) || !Wanted(r.light)) continue;
      ++tried;
      const int percent = r.module < kZoomBelowModule ? std::max(100, o_.zoom_percent) : 100;
      if (done_[i] == 0 && !Afford(r, percent)) continue;
      if (done_[i] != percent && Afford(r, percent) &&
          ReadRegion(f_, r, percent, ToneOf(r), hints_, b_.zoomed, b_.region, &texts_, &read_at_)) {
        Emit();
        continue;
      }
      if (o_.glare_pass && !r.light && qr::PercentileRange(qr::Cut(f_, r.box)).clipped &&
          Afford(r, percent)) {
        ReadRegion(f_, r, percent, Tone::kSquare, hints_, b_.zoomed, b_.region, &texts_, &read_at_);
        Emit();
      }
    }
  }

  // Whole-frame fallbacks when nothing was read, each only where it can help and finder patterns
  // were seen.
  void Fallbacks(const Seen& seen) {
    if (o_.contrast_pass && seen.dark_pair && range_.hi - range_.lo < kNarrowRange) {
      qr::Read(qr::Stretch(f_, range_, Tone::kLinear, b_.scratch), hints_, &texts_);
      if (!texts_.empty()) return;
    }
    if (o_.glare_pass && seen.dark_pair && range_.clipped) {
      qr::Read(qr::Stretch(f_, range_, Tone::kSquare, b_.scratch), hints_, &texts_);
      if (!texts_.empty()) return;
    }
    if (o_.invert_pass && seen.light_pair) {
      qr::Read(qr::Stretch(f_, range_, Tone::kInvert, b_.scratch), hints_, &texts_);
    }
  }

  // Region reads cost about their pixels: at most kRegionBudget frames' worth per frame (triples
  // across the cards of a multi-card frame make large boxes).
  bool Afford(const Region& r, int percent) {
    const double px = static_cast<double>(r.box.x1 - r.box.x0) * (r.box.y1 - r.box.y0) * percent *
                      percent / 10000.0;
    if (px > budget_) return false;
    budget_ -= px;
    return true;
  }

  // Once a code is read, only codes of its polarity are looked for (a frame shows printed cards
  // or a phone screen): light-on-dark triples in a card's print are spurious.
  bool Wanted(bool light) const { return polarity_ == 0 || polarity_ == (light ? 2 : 1); }
  void Note(size_t before, bool light) {
    if (polarity_ == 0 && texts_.size() > before) polarity_ = light ? 2 : 1;
    Emit();
  }

  static Tone ToneOf(const Region& r) { return r.light ? Tone::kInvert : Tone::kLinear; }

  const Frame& f_;
  const DecoderOptions& o_;
  const Buffers b_;
  const QrDecoder::OnText& on_text_;
  size_t emitted_ = 0;  // texts_ handed to on_text_
  const ZXing::DecodeHints hints_, other_, pure_;
  const LevelRange range_;
  double budget_;
  std::vector<std::string> texts_;
  std::vector<Quad> read_at_;  // where the symbols read are
  std::vector<Finder> finders_;
  std::vector<Region> regions_;
  std::vector<int> done_;  // per region: the enlargement the first pass read it at, 0 if none
  int second_chances_ = kSecondChances;
  int polarity_ = 0;  // 1: a dark-on-light code was read, 2: light-on-dark
};

}  // namespace

std::vector<std::string> QrDecoder::Decode(const Frame& f) { return Decode(f, nullptr); }

std::vector<std::string> QrDecoder::Decode(const Frame& f, const OnText& on_text) {
  if (f.data == nullptr || f.width <= 0 || f.height <= 0 || f.stride < f.width) return {};
  const Buffers buffers{&scratch_, &zoomed_, &region_, &grey_, &grid_, &pure_};
  const int factor = options_.shrink_width > 0 ? f.width / options_.shrink_width : 0;
  if (factor >= 2) {
    const Frame shrunk = qr::Shrink(f, factor, &shrunk_);
    if (shrunk.data != nullptr) {
      std::vector<std::string> texts = FrameRead(shrunk, options_, buffers, on_text).Run();
      if (!texts.empty()) return texts;
    }
  }
  return FrameRead(f, options_, buffers, on_text).Run();
}

}  // namespace scanner
