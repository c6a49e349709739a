// Generates the recorded-frame corpus of the scanner (tests/data/frames, see
// tests/data/frames/generate.sh and docs/scanner.md): real signed cards (UC1 texts issued with
// card::CardIssuer under a fixed-seed Ed25519 key, so every run writes the same bytes) shown to a
// simulated camera in difficulty tiers. Each frame is NAME.jpg beside NAME.txt, the texts
// expected in it one per line (empty: no code), like zxing-cpp's test/samples.
//
//   gen_frames OUT_DIR [--per-tier N] [--tier NAME] [--quality Q]
//
// A camera recording of given cards instead (the demo's, kiosk --camera DIR): each line of FILE
// is a card's text, rendered as a clean QR code in the middle of a white 640x480 frame; an empty
// line is a blank frame. Frames are OUT_DIR/0001.jpg, 0002.jpg ... in the order of the lines.
//
//   gen_frames --texts FILE --out OUT_DIR [--quality Q]
#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "base/file.h"
#include "card/issuer.h"
#include "card/rid.h"
#include "frame_scenes.h"
#include "scanner/qr_codec.h"

namespace {

// Fixed issuing time, so that texts do not depend on the day the corpus was generated.
constexpr int64_t kIat = 1'767'225'600;  // 2026-01-01T00:00:00Z
constexpr int64_t kValidDays = 3650;

struct Member {
  const char* id;
  const char* org;
  card::Category category;
  const char* name;  // "" = no name on the card
  const char* number;
  uint32_t serial;
};

constexpr Member kMembers[] = {
    {"M-000101", "RU-EDU-69-SCH12", card::Category::kStudent, "Anna I.", "6900012345", 1},
    {"M-000102", "RU-EDU-69-SCH12", card::Category::kEmployee, "Boris K.", "6900012346", 2},
    {"M-004711", "RU-HLTH-69-HOSP3", card::Category::kEmployee, "Vera S.", "6900477110", 1},
    {"M-010001", "RU-EDU-69-UNIV1", card::Category::kStudent, "", "6901000100", 1},
    {"M-020202", "RU-TRN-69-DEPOT2", card::Category::kRetired, "Grigory P.", "", 3},
    {"M-030303", "RU-EDU-69-KG7", card::Category::kUnionStaff, "Darya M.", "6903030303", 1},
    {"M-040404", "RU-CULT-69-LIB", card::Category::kEmployee, "", "", 1},
    {"M-050505", "RU-HLTH-69-POLY1", card::Category::kRetired, "Yelena T.", "6905050505", 5},
};

// PKCS#8 for an Ed25519 key is a fixed 16-byte prefix and the 32-byte seed (RFC 8410).
base::Result<card::PrivateKey> KeyFromSeed(uint64_t seed) {
  unsigned char der[48] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
                           0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
  synth::Rng rng(seed);
  for (size_t i = 16; i < 48; ++i) der[i] = static_cast<unsigned char>(rng.Next());
  unsigned char b64[80] = {};
  EVP_EncodeBlock(b64, der, sizeof der);
  const std::string pem = "-----BEGIN PRIVATE KEY-----\n" +
                          std::string(reinterpret_cast<const char*>(b64)) +
                          "\n-----END PRIVATE KEY-----\n";
  return card::PrivateKey::FromPem(pem);
}

base::Result<std::vector<std::string>> IssueCards(const std::string& out_dir) {
  CK_ASSIGN_OR_RETURN(card::PrivateKey key, KeyFromSeed(0x636b6672616d6573ULL));  // "ckframes"
  CK_ASSIGN_OR_RETURN(card::PublicKey pub, key.Public());
  CK_TRY(base::WriteFileAtomic(out_dir + "/issuer.pub.pem", pub.ToPem(), 0644,
                               base::Durability::kDeferred));
  CK_ASSIGN_OR_RETURN(card::CardIssuer issuer, card::CardIssuer::Create(std::move(key)));
  base::Bytes secret(32);
  synth::Rng rng(42);
  for (uint8_t& b : secret) b = static_cast<uint8_t>(rng.Next());
  std::vector<std::string> texts;
  for (const Member& m : kMembers) {
    card::MemberCard c{.rid = card::ComputeRid(secret, m.id),
                       .serial = m.serial,
                       .org = m.org,
                       .category = m.category};
    if (*m.name != '\0') c.name = m.name;
    if (*m.number != '\0') c.number = m.number;
    card::Claims claims{
        .iss = "RU-TU-69", .iat = kIat, .exp = kIat + kValidDays * 86400, .card = c};
    CK_ASSIGN_OR_RETURN(std::string text, issuer.Issue(claims));
    texts.push_back(std::move(text));
  }
  return texts;
}

struct Args {
  std::string out;
  int per_tier = 0;  // 0: each tier's own count
  int quality = 90;
  std::string only_tier;
};

bool ParseArgs(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; ++i) {
    const std::string s = argv[i];
    if (s == "--per-tier" && i + 1 < argc) {
      a->per_tier = std::atoi(argv[++i]);
    } else if (s == "--quality" && i + 1 < argc) {
      a->quality = std::atoi(argv[++i]);
    } else if (s == "--tier" && i + 1 < argc) {
      a->only_tier = argv[++i];
    } else if (a->out.empty() && s[0] != '-') {
      a->out = s;
    } else {
      return false;
    }
  }
  return !a->out.empty() && a->per_tier >= 0 && a->quality >= 50 && a->quality <= 100;
}

base::Status WriteFrame(const std::string& dir, const std::string& name, const scenes::Frame& f,
                        int quality) {
  CK_ASSIGN_OR_RETURN(std::string jpeg, synth::EncodeJpeg(synth::ToGray8(f.canvas), f.canvas.width,
                                                          f.canvas.height, quality));
  std::string golden;
  for (const std::string& t : f.texts) golden += t + "\n";
  CK_TRY(base::WriteFileAtomic(dir + "/" + name + ".jpg", jpeg, 0644, base::Durability::kDeferred));
  return base::WriteFileAtomic(dir + "/" + name + ".txt", golden, 0644,
                               base::Durability::kDeferred);
}

}  // namespace

// Text mode: one clean 640x480 frame per line of `texts_path` (a QR code, or blank when empty).
int WriteTextFrames(const std::string& texts_path, const std::string& out, int quality) {
  base::Result<std::string> texts = base::ReadFile(texts_path, size_t{1} << 20);
  if (!texts.ok()) {
    std::fprintf(stderr, "gen_frames: %s\n", texts.status().ToString().c_str());
    return 1;
  }
  if (base::Status st = base::MakeDirs(out); !st.ok()) {
    std::fprintf(stderr, "gen_frames: %s\n", st.ToString().c_str());
    return 1;
  }
  constexpr int kWidth = 640, kHeight = 480;
  int n = 0;
  size_t pos = 0;
  while (pos < texts->size()) {
    size_t end = texts->find('\n', pos);
    if (end == std::string::npos) end = texts->size();
    std::string text = texts->substr(pos, end - pos);
    pos = end + 1;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    std::vector<uint8_t> gray(static_cast<size_t>(kWidth) * kHeight, 255);
    if (!text.empty()) {
      // The largest whole module size that fits the frame with room around the code.
      base::Result<scanner::GrayImage> qr = base::InvalidArgument("too long for 640x480");
      for (int module_px = 8; module_px >= 2; --module_px) {
        qr = scanner::RenderQr(text, {.module_px = module_px});
        if (!qr.ok() || (qr->width <= kHeight - 40 && qr->height <= kHeight - 40)) break;
      }
      if (!qr.ok() || qr->width > kWidth || qr->height > kHeight) {
        std::fprintf(stderr, "gen_frames: %s line %d: %s\n", texts_path.c_str(), n + 1,
                     qr.ok() ? "code too large for 640x480" : qr.status().ToString().c_str());
        return 1;
      }
      const int ox = (kWidth - qr->width) / 2, oy = (kHeight - qr->height) / 2;
      for (int y = 0; y < qr->height; ++y)
        for (int x = 0; x < qr->width; ++x)
          gray[static_cast<size_t>(oy + y) * kWidth + static_cast<size_t>(ox + x)] =
              qr->pixels[static_cast<size_t>(y) * static_cast<size_t>(qr->width) +
                         static_cast<size_t>(x)];
    }
    base::Result<std::string> jpeg = synth::EncodeJpeg(gray, kWidth, kHeight, quality);
    char name[32];
    std::snprintf(name, sizeof name, "/%04d.jpg", ++n);
    base::Status st =
        jpeg.ok() ? base::WriteFileAtomic(out + name, *jpeg, 0644, base::Durability::kDeferred)
                  : jpeg.status();
    if (!st.ok()) {
      std::fprintf(stderr, "gen_frames: %s\n", st.ToString().c_str());
      return 1;
    }
  }
  if (base::Status st = base::SyncFilesystem(out); !st.ok()) {
    std::fprintf(stderr, "gen_frames: %s\n", st.ToString().c_str());
    return 1;
  }
  std::fprintf(stderr, "gen_frames: %d frames into %s\n", n, out.c_str());
  return 0;
}

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--texts") == 0) {
    std::string texts, out;
    int quality = 92;
    bool ok = true;
    for (int i = 1; i < argc; ++i) {
      const std::string s = argv[i];
      if (s == "--texts" && i + 1 < argc) {
        texts = argv[++i];
      } else if (s == "--out" && i + 1 < argc) {
        out = argv[++i];
      } else if (s == "--quality" && i + 1 < argc) {
        quality = std::atoi(argv[++i]);
      } else {
        ok = false;
      }
    }
    if (!ok || texts.empty() || out.empty() || quality < 50 || quality > 100) {
      std::fprintf(stderr, "usage: gen_frames --texts FILE --out OUT_DIR [--quality Q]\n");
      return 2;
    }
    return WriteTextFrames(texts, out, quality);
  }
  Args args;
  if (!ParseArgs(argc, argv, &args)) {
    std::fprintf(stderr,
                 "usage: gen_frames OUT_DIR [--per-tier N] [--tier NAME] [--quality Q]\n"
                 "   or: gen_frames --texts FILE --out OUT_DIR [--quality Q]\n");
    return 2;
  }
  if (base::Status st = base::MakeDirs(args.out); !st.ok()) {
    std::fprintf(stderr, "gen_frames: %s\n", st.ToString().c_str());
    return 1;
  }
  base::Result<std::vector<std::string>> texts = IssueCards(args.out);
  if (!texts.ok()) {
    std::fprintf(stderr, "gen_frames: issuing cards: %s\n", texts.status().ToString().c_str());
    return 1;
  }
  const scenes::CardSet cards(*texts);
  std::string manifest = "frame\tsize\tcodes\tparameters\n";
  int total = 0;
  for (const scenes::TierSpec& tier : scenes::kTiers) {
    if (!args.only_tier.empty() && args.only_tier != tier.name) continue;
    const std::string dir = args.out + "/" + tier.name;
    if (base::Status st = base::MakeDirs(dir); !st.ok()) {
      std::fprintf(stderr, "gen_frames: %s\n", st.ToString().c_str());
      return 1;
    }
    const int n = args.per_tier > 0 ? args.per_tier : tier.frames;
    for (int i = 0; i < n; ++i) {
      // Four frames in five at 640x480 (the kiosk camera), the rest larger.
      const bool vga = !tier.big_only && i % 5 != 4;
      const int w = vga ? 640 : tier.big_width, h = vga ? 480 : tier.big_height;
      synth::Rng rng(synth::SeedOf(tier.name, i));
      scenes::Frame f = tier.make(cards, rng, w, h);
      char name[64];
      std::snprintf(name, sizeof name, "%03d-%dx%d", i, w, h);
      const int quality = tier.quality > 0 ? std::min(tier.quality, args.quality) : args.quality;
      if (base::Status st = WriteFrame(dir, name, f, quality); !st.ok()) {
        std::fprintf(stderr, "gen_frames: %s\n", st.ToString().c_str());
        return 1;
      }
      manifest += std::string(tier.name) + "/" + name + "\t" + std::to_string(w) + "x" +
                  std::to_string(h) + "\t" + std::to_string(f.texts.size()) + "\t" + f.params +
                  "\n";
      ++total;
    }
  }
  if (args.only_tier.empty()) {
    if (base::Status st = base::WriteFileAtomic(args.out + "/manifest.tsv", manifest, 0644,
                                                base::Durability::kDeferred);
        !st.ok()) {
      std::fprintf(stderr, "gen_frames: %s\n", st.ToString().c_str());
      return 1;
    }
  }
  if (base::Status st = base::SyncFilesystem(args.out); !st.ok()) {
    std::fprintf(stderr, "gen_frames: %s\n", st.ToString().c_str());
    return 1;
  }
  std::fprintf(stderr, "gen_frames: %d frames into %s (card texts %zu-%zu chars)\n", total,
               args.out.c_str(), cards.min_length(), cards.max_length());
  return 0;
}
