#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "args.h"
#include "base/clock.h"
#include "base/file.h"
#include "base/time_format.h"
#include "bundle/importer.h"
#include "card/verifier.h"
#include "commands.h"
#include "registry/registry.h"
#include "scanner/image.h"
#include "scanner/qr_codec.h"
#include "verification_json.h"

namespace cardctl {
namespace {

void Print(const card::Verification& v) {
  std::string line =
      VerificationToJson(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

// Texts to verify from --text, --image or "-" (one card per non-empty line of stdin).
base::Result<std::vector<std::string>> CollectInputs(const Args& args) {
  std::vector<std::string> texts;
  const bool from_stdin = !args.positional().empty() && args.positional()[0] == "-";
  const size_t sources =
      args.GetAll("text").size() + args.GetAll("image").size() + (from_stdin ? 1 : 0);
  if (sources != 1 || args.positional().size() > (from_stdin ? 1u : 0u)) {
    return base::InvalidArgument("give exactly one of --text TEXT, --image FILE or -");
  }
  if (auto text = args.Get("text")) {
    texts.push_back(*text);
  } else if (auto image_path = args.Get("image")) {
    CK_ASSIGN_OR_RETURN(scanner::GrayImage image, scanner::LoadImage(*image_path));
    std::vector<scanner::QrSymbol> codes = scanner::ReadQrCodes(image.view());
    if (codes.empty()) return base::NotFound(*image_path + ": no QR code found in the image");
    for (auto& code : codes) texts.push_back(std::move(code.text));
  } else {
    std::string line;
    while (std::getline(std::cin, line)) {
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      if (!line.empty()) texts.push_back(line);
    }
  }
  return texts;
}

}  // namespace

int RunVerify(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {"pubkey", "at", "text", "image", "data-dir"}, {});
  if (!args.ok()) return Fail(args.status());
  std::vector<std::string> pubkeys = args->GetAll("pubkey");
  if (pubkeys.empty() == !args->Has("data-dir"))
    return Fail("give --pubkey FILE (repeatable) or --data-dir DIR");
  std::unique_ptr<registry::Registry> reg;
  if (auto dir = args->Get("data-dir")) {
    auto opened = registry::Registry::Open(*dir + "/" + bundle::kRegistryFile);
    if (!opened.ok()) return Fail(opened.status().WithContext("no usable registry in " + *dir));
    reg = std::move(opened).value();
  }
  card::MemoryKeyStore keys;
  for (const std::string& path : pubkeys) {
    auto key = card::PublicKey::FromPemFile(path);
    if (!key.ok()) return Fail(key.status());
    keys.Add({.kid = key->kid(), .iss = "", .key = *key});
  }
  std::unique_ptr<base::Clock> clock;
  if (auto at = args->Get("at")) {
    auto t = base::ParseIso8601(*at);
    if (!t.ok()) return Fail(t.status().WithContext("--at"));
    clock = std::make_unique<base::FakeClock>(*t);
  } else {
    clock = std::make_unique<base::SystemClock>();
  }
  auto texts = CollectInputs(*args);
  if (!texts.ok()) return Fail(texts.status());
  if (texts->empty()) return Fail("no card text on standard input");
  if (reg && clock->NowUnixSeconds() >= reg->meta().not_after) {
    std::fprintf(stderr, "cardctl: warning: the registry (seq %lld) is out of date since %s\n",
                 static_cast<long long>(reg->meta().seq),
                 base::FormatIso8601Utc(reg->meta().not_after).c_str());
  }
  card::Verifier verifier(reg ? static_cast<const card::KeyStore&>(*reg) : keys, reg.get(), *clock);
  if (reg) verifier.set_clock_floor(reg->meta().created);
  bool all_valid = true;
  for (const std::string& text : *texts) {
    card::Verification v = verifier.Verify(text);
    Print(v);
    all_valid = all_valid && v.verdict == card::Verdict::kValid;
  }
  return all_valid ? kExitOk : kExitRefused;
}

}  // namespace cardctl
