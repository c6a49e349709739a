// Private to ck_scanner: where QR codes may be in a frame. A scan of every `step`th row for finder
// patterns (dark-light-dark-light-dark in the ratio 1:1:3:1:1, or its inverse, across and then
// down the column through the centre), grouped by three into regions that may each be one symbol.
// A scan of every second row of a 640x480 frame costs about a ZXing pass' binarisation; the
// decoder uses it to decide what to cut out and read. Free functions; thread-compatible.
#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include "luma_ops.h"
#include "scanner/image.h"

namespace scanner::qr {

// One finder pattern seen: its centre and module size in pixels.
struct Finder {
  double x = 0, y = 0, module = 0;
  int hits = 0, last_row = 0;  // rows scanned that matched it; the last of them
  bool light = false;          // light-on-dark (an inverted code: phone dark mode)
};

// Where a code may be: a box around three finder patterns, quiet zone included.
struct Region {
  Box box;
  double module = 0;   // pixels per module
  bool light = false;  // light on dark
  int support = 0;     // rows that matched its finder patterns: how sure we are
  std::array<std::array<int, 2>, 3> finders{};  // their centres
  std::array<size_t, 3> ids{};                  // ... and indices in the scan's list
};

// What the scan saw: two finder patterns that may belong to one symbol, of either polarity. A
// code whose third finder pattern is washed out or too faint for the scan still shows a pair.
struct Seen {
  bool dark_pair = false, light_pair = false;
};

// Five run lengths r[0..5) in the ratio 1:1:3:1:1 of a finder pattern, each within half a
// module; the module (total / 7) into *module.
bool FinderRatio(const int* r, double* module);

// Finder patterns in every `step`th row (step >= 1), confirmed down their columns.
std::vector<Finder> FindFinders(const Frame& f, int step);

// Could a, b, c be the finder patterns of one symbol, `a` the corner? Similar module sizes, two
// equally long sides (within perspective) at about a right angle, 14..120 modules long.
bool IsTriple(const Finder& a, const Finder& b, const Finder& c);

// How far apart a triple's finder patterns may be in module size (ratio) and side length (ratio),
// and how far from square the corner (|cos| of its angle below).
struct TripleLimits {
  double modules = 1.6, sides = 2, cosine = 0.6;  // IsTriple's: 53..127 degrees
};
// A code seen at 50-60 degrees: the far finder patterns half the size and distance of the near.
inline constexpr TripleLimits kSteep{2.6, 3.6, 0.8};
bool IsTripleWithin(const Finder& a, const Finder& b, const Finder& c, const TripleLimits& l);

// The triples (a the corner) that IsTriple refuses but the kSteep limits allow, the best supported
// first: where nothing else was read, a strongly foreshortened code's.
std::vector<Region> SteepRegions(const Frame& f, const std::vector<Finder>& finders);

// Could a and b be two finder patterns of one symbol?
bool IsPair(const Finder& a, const Finder& b);

// Every triple of the finder patterns found that may be one symbol, the best supported first,
// none sharing two finder patterns with one before it. The finder patterns (at most the 24 best
// supported) go to *finders, which Region::ids index; *seen tells which polarities showed a pair.
std::vector<Region> QrRegions(const Frame& f, int step, Seen* seen, std::vector<Finder>* finders);

}  // namespace scanner::qr
