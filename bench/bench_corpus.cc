#include "bench_corpus.h"

#include <dirent.h>

#include <algorithm>

#include "base/file.h"
#include "scanner/recorded_source.h"

namespace bench {
namespace {

constexpr const char* kTierOrder[] = {
    "clean",        "small", "rotation",     "perspective", "blur",     "noise",
    "low_contrast", "glare", "phone_screen", "multi",       "tilt40",   "tilt50",
    "tilt60",       "bend",  "motion",       "exposure",    "large_4k", "none"};

std::vector<std::string> SubDirectories(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] != '.' && e->d_type == DT_DIR) out.emplace_back(e->d_name);
    }
    ::closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

base::Result<Corpus> LoadCorpus(const std::string& dir) {
  Corpus c;
  std::vector<std::string> found = SubDirectories(dir);
  for (const char* t : kTierOrder) {
    if (std::find(found.begin(), found.end(), t) != found.end()) c.tiers.emplace_back(t);
  }
  for (const std::string& t : found) {
    if (std::find(c.tiers.begin(), c.tiers.end(), t) == c.tiers.end()) c.tiers.push_back(t);
  }
  for (const std::string& tier : c.tiers) {
    CK_ASSIGN_OR_RETURN(std::vector<std::string> files, scanner::ListImages(dir + "/" + tier));
    for (const std::string& file : files) {
      const std::string stem = file.substr(0, file.rfind('.'));
      CorpusFrame f;
      f.tier = tier;
      f.name = stem;
      CK_ASSIGN_OR_RETURN(f.image, scanner::LoadImage(dir + "/" + tier + "/" + file));
      CK_ASSIGN_OR_RETURN(std::string golden,
                          base::ReadFile(dir + "/" + tier + "/" + stem + ".txt", 64 * 1024));
      f.expected = Lines(golden);
      c.frames.push_back(std::move(f));
    }
  }
  if (c.frames.empty()) return base::NotFound(dir + ": no frames");
  return c;
}

}  // namespace bench
