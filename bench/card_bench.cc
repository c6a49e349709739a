// Card verification cost: end to end (QR text -> verdict) against a bare OpenSSL verify of the
// same signature, in one run. After the run it prints the ratio per algorithm (target <= 1.1).
//
//   build/release/bench/card_bench
#include <benchmark/benchmark.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <cstdio>
#include <map>
#include <string>

#include "base/clock.h"
#include "card/cose.h"
#include "card/issuer.h"
#include "card/verifier.h"

namespace {

constexpr int64_t kNow = 1'800'000'000;

struct Fixture {
  explicit Fixture(card::Alg alg)
      : key(card::PrivateKey::Generate(alg).value()), pub(key.Public().value()) {
    keys.Add({.kid = pub.kid(), .iss = "", .key = pub});
    card::MemberCard c{.rid = {1, 2, 3, 4, 5, 6, 7, 8},
                       .serial = 3,
                       .org = "RU-EDU-69-SCH12",
                       .category = card::Category::kStudent,
                       .name = "Anna I.",
                       .number = "6900012345"};
    card::Claims claims{.iss = "RU-EDU-69", .iat = kNow - 86400, .exp = kNow + 86400, .card = c};
    text = card::CardIssuer::Create(card::PrivateKey::FromPem(*key.ToPem()).value())
               .value()
               .Issue(claims)
               .value();
    // The same signature and signed bytes, prepared once for the bare OpenSSL baseline.
    payload = *card::EncodeClaims(claims);
    base::Bytes prot = card::EncodeProtectedHeader(alg, pub.kid());
    card::BuildSigStructure(prot, payload, &tbs);
    raw_sig = *key.Sign(tbs);
    sig = raw_sig;
    if (alg == card::Alg::kES256) sig = ToDer(raw_sig);
  }

  static base::Bytes ToDer(const base::Bytes& raw) {
    ECDSA_SIG* s = ECDSA_SIG_new();
    ECDSA_SIG_set0(s, BN_bin2bn(raw.data(), 32, nullptr), BN_bin2bn(raw.data() + 32, 32, nullptr));
    int len = i2d_ECDSA_SIG(s, nullptr);
    base::Bytes der(static_cast<size_t>(len));
    uint8_t* p = der.data();
    i2d_ECDSA_SIG(s, &p);
    ECDSA_SIG_free(s);
    return der;
  }

  card::PrivateKey key;
  card::PublicKey pub;
  card::MemoryKeyStore keys;
  std::string text;
  base::Bytes payload, tbs, raw_sig, sig;
};

Fixture& Get(card::Alg alg) {
  static Fixture es(card::Alg::kES256);
  static Fixture ed(card::Alg::kEdDSA);
  return alg == card::Alg::kES256 ? es : ed;
}

// The floor: one EVP_DigestVerify with a parsed key, a reused context and a pre-fetched digest.
void BM_BareOpenSslVerify(benchmark::State& state, card::Alg alg) {
  Fixture& f = Get(alg);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  const EVP_MD* md = alg == card::Alg::kEdDSA ? nullptr : sha256;
  for (auto _ : state) {
    EVP_MD_CTX_reset(ctx);
    EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, f.pub.pkey());
    int rc = EVP_DigestVerify(ctx, f.sig.data(), f.sig.size(), f.tbs.data(), f.tbs.size());
    if (rc != 1) state.SkipWithError("bare verify failed");
    benchmark::DoNotOptimize(rc);
  }
  EVP_MD_free(sha256);
  EVP_MD_CTX_free(ctx);
}

// QR text -> verdict: prefix, base45, inflate, COSE, claims, key lookup, signature, time.
void BM_CardVerify(benchmark::State& state, card::Alg alg) {
  Fixture& f = Get(alg);
  base::FakeClock clock(kNow);
  card::Verifier verifier(f.keys, nullptr, clock);
  for (auto _ : state) {
    card::Verification v = verifier.Verify(f.text);
    if (v.verdict != card::Verdict::kValid) state.SkipWithError("card not valid");
    benchmark::DoNotOptimize(v);
  }
}

// The envelope alone (everything but the signature), to show where the difference goes.
void BM_CardDecodeOnly(benchmark::State& state, card::Alg alg) {
  Fixture& f = Get(alg);
  base::FakeClock clock(kNow);
  card::Verifier verifier(f.keys, nullptr, clock);
  card::Verification v;
  for (auto _ : state) {
    bool ok = verifier.Decode(f.text, &v);
    if (!ok) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(v);
  }
}

BENCHMARK_CAPTURE(BM_BareOpenSslVerify, ES256, card::Alg::kES256);
BENCHMARK_CAPTURE(BM_CardVerify, ES256, card::Alg::kES256);
BENCHMARK_CAPTURE(BM_CardDecodeOnly, ES256, card::Alg::kES256);
BENCHMARK_CAPTURE(BM_BareOpenSslVerify, EdDSA, card::Alg::kEdDSA);
BENCHMARK_CAPTURE(BM_CardVerify, EdDSA, card::Alg::kEdDSA);
BENCHMARK_CAPTURE(BM_CardDecodeOnly, EdDSA, card::Alg::kEdDSA);

// Console output as usual, plus the ratio card/bare per algorithm at the end.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred) continue;
      std::string name = r.benchmark_name();
      if (r.run_type == Run::RT_Aggregate) {
        if (r.aggregate_name != "median") continue;  // with --benchmark_repetitions
        name.resize(name.size() - std::string("_median").size());
      }
      times_[name] = r.GetAdjustedRealTime();
    }
  }
  void PrintRatios() const {
    for (const char* alg : {"ES256", "EdDSA"}) {
      const std::string suffix = std::string("/") + alg;
      auto bare = times_.find("BM_BareOpenSslVerify" + suffix);
      auto full = times_.find("BM_CardVerify" + suffix);
      if (bare == times_.end() || full == times_.end()) continue;
      std::printf("ratio card/bare %-6s %.3f  (card %.1f us, bare %.1f us)\n", alg,
                  full->second / bare->second, full->second / 1000.0, bare->second / 1000.0);
    }
  }

 private:
  std::map<std::string, double> times_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintRatios();
  benchmark::Shutdown();
  return 0;
}
