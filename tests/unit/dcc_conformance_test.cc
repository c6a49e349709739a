// Runs the EU Digital COVID Certificate public test vectors (tests/data/dcc, see its README.md)
// through card::Verifier with kDccProfile. The DCC uses the same envelope as our cards (prefix,
// base45, zlib, COSE_Sign1, CWT), so every EXPECTED* flag about that envelope is asserted; the
// flags that are about the health certificate itself are listed below as out of scope.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/csv.h"
#include "base/file.h"
#include "base/status.h"
#include "base/time_format.h"
#include "card/crypto.h"
#include "card/profile.h"
#include "card/stores.h"
#include "card/verdict.h"
#include "card/verifier.h"
#include "scanner/image.h"
#include "scanner/qr_codec.h"

namespace {

using nlohmann::json;

constexpr size_t kMaxJsonBytes = 1 << 20;
constexpr size_t kMaxPngBytes = 4 << 20;
constexpr size_t kMinVectorFiles = 60;

// Health-certificate-only flags, deliberately not asserted: they are schema, JSON object and
// key-usage OID checks on the certificate inside the envelope we share, and ENCODE is issuer-side.
// Any other EXPECTED* key that is neither asserted nor listed here fails the test.
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kOutOfScopeFlags{{
    {"EXPECTEDSCHEMAVALIDATION", "validates the DCC JSON payload against the EU DCC schema"},
    {"EXPECTEDVALIDJSON", "compares the decoded health certificate with the vector's JSON field"},
    {"EXPECTEDVALIDOBJECT", "checks the health certificate object (one of v/t/r, its fields)"},
    {"EXPECTEDKEYUSAGE",
     "checks the signer certificate's extended key usage OIDs (vaccination/test/recovery) "
     "against the certificate type"},
    {"EXPECTEDENCODE", "issuer side: re-encoding the JSON gives the same QR content"},
}};

// Files that expect EXPECTEDPICTUREDECODE but ship no picture: no 2DCODE in the JSON and no PNG
// next to it. Must be exact: see PictureSkipListIsExact.
const std::map<std::string, std::string>& SkippedPictureFiles() {
  static const auto* const kFiles = new std::map<std::string, std::string>{
      {"common/2DCode/raw/B1.json",
       "expects a QR picture, but the vector has no 2DCODE and common/ has no png folder"},
  };
  return *kFiles;
}

// known_issues.csv test names that concern checks out of our scope (schema, health certificate
// JSON and CBOR contents, key-usage OIDs).
const std::set<std::string>& OutOfScopeKnownIssueTests() {
  static const auto* const kTests = new std::set<std::string>{
      "test_cose_schema", "test_cose_json", "test_cbor_json", "test_expected_key_usage"};
  return *kTests;
}

std::filesystem::path DccDir() { return std::filesystem::path(CK_TESTDATA_DIR) / "dcc"; }

// Paths of all JSON vectors relative to DccDir(), sorted. Empty if the directory is missing (the
// FoundEnoughVectors test then fails).
std::vector<std::string> FindVectorFiles() {
  std::vector<std::string> files;
  std::error_code ec;
  std::filesystem::recursive_directory_iterator it(DccDir(), ec);
  for (; !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".json") {
      files.push_back(it->path().lexically_relative(DccDir()).generic_string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string TestNameOf(std::string_view rel_path) {
  if (rel_path.ends_with(".json")) rel_path.remove_suffix(5);
  std::string name;
  for (char c : rel_path) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    name.push_back(alnum ? c : '_');
  }
  return name;
}

// Standard base64 (RFC 4648) with padding; whitespace is ignored. std::nullopt on bad input.
std::optional<base::Bytes> DecodeBase64(std::string_view text) {
  base::Bytes out;
  uint32_t acc = 0;
  int bits = 0;
  size_t padding = 0;
  size_t symbols = 0;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    ++symbols;
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding > 0) return std::nullopt;  // data after padding
    uint32_t v = 0;
    if (c >= 'A' && c <= 'Z') {
      v = static_cast<uint32_t>(c - 'A');
    } else if (c >= 'a' && c <= 'z') {
      v = static_cast<uint32_t>(c - 'a') + 26;
    } else if (c >= '0' && c <= '9') {
      v = static_cast<uint32_t>(c - '0') + 52;
    } else if (c == '+') {
      v = 62;
    } else if (c == '/') {
      v = 63;
    } else {
      return std::nullopt;
    }
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> bits));
      acc &= (1u << bits) - 1;
    }
  }
  if (symbols % 4 != 0 || padding > 2 || acc != 0) return std::nullopt;
  return out;
}

base::Result<json> LoadJson(const std::filesystem::path& path) {
  base::Result<std::string> text = base::ReadFile(path.string(), kMaxJsonBytes);
  if (!text.ok()) return text.status();
  json doc = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return base::InvalidArgument(path.string() + ": not a JSON object");
  }
  return doc;
}

// A text member of a JSON object, or std::nullopt if absent or not a non-empty string.
std::optional<std::string> TextMember(const json& object, std::string_view key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  std::string value = it->get<std::string>();
  if (value.empty()) return std::nullopt;
  return value;
}

// The PNG files that may hold a vector's QR code, next to its JSON:
// XX/2DCode/raw/N.json -> XX/png/N.png, XX/png/N_qr.png (IE) or XX/2DCode/png/N.png (DE).
std::vector<std::filesystem::path> SiblingPngCandidates(const std::string& rel_path) {
  const std::filesystem::path json_path = DccDir() / rel_path;
  const std::string stem = json_path.stem().string();
  const std::filesystem::path code_dir = json_path.parent_path().parent_path();  // XX/2DCode
  const std::filesystem::path country_dir = code_dir.parent_path();
  return {country_dir / "png" / (stem + ".png"), country_dir / "png" / (stem + "_qr.png"),
          code_dir / "png" / (stem + ".png")};
}

// The encoded picture of a vector: 2DCODE (base64 PNG) when present, else a sibling PNG file.
// std::nullopt if there is no picture anywhere; an error if one exists but cannot be read.
base::Result<std::optional<base::Bytes>> FindPicture(const std::string& rel_path, const json& doc) {
  if (std::optional<std::string> b64 = TextMember(doc, "2DCODE")) {
    std::optional<base::Bytes> png = DecodeBase64(*b64);
    if (!png) return base::InvalidArgument("2DCODE is not valid base64");
    return std::optional<base::Bytes>(std::move(*png));
  }
  for (const std::filesystem::path& candidate : SiblingPngCandidates(rel_path)) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(candidate, ec)) continue;
    base::Result<std::string> data = base::ReadFile(candidate.string(), kMaxPngBytes);
    if (!data.ok()) return data.status();
    base::ByteSpan bytes = base::AsBytes(*data);
    return std::optional<base::Bytes>(base::Bytes(bytes.begin(), bytes.end()));
  }
  return std::optional<base::Bytes>();
}

// Texts of all QR codes in an encoded image; empty if the image does not decode.
std::vector<std::string> ReadQrTexts(base::ByteSpan encoded) {
  std::vector<std::string> texts;
  base::Result<scanner::GrayImage> image = scanner::DecodeImage(encoded);
  if (!image.ok()) return texts;
  for (const scanner::QrSymbol& symbol : scanner::ReadQrCodes(image->view())) {
    texts.push_back(symbol.text);
  }
  return texts;
}

// The flag a key of EXPECTEDRESULTS means. Some upstream files and docs misspell the expiration
// flag as EXPTECTEDEXPIRED; upstream's README lists it as the result of "check the exp field
// against VALIDATIONCLOCK", with the same polarity as the other flags (true = the check passes).
std::string CanonicalFlag(const std::string& key) {
  if (key == "EXPTECTEDEXPIRED") return "EXPECTEDEXPIRATIONCHECK";
  return key;
}

bool IsOutOfScope(std::string_view flag) {
  return std::any_of(kOutOfScopeFlags.begin(), kOutOfScopeFlags.end(),
                     [flag](const auto& entry) { return entry.first == flag; });
}

// True if the verifier refused the input as MALFORMED at `stage` or at a layer below it.
bool MalformedAtOrBefore(const card::Verification& v, card::Stage stage) {
  return v.verdict == card::Verdict::kMalformed && v.stage <= stage;
}

bool MalformedAt(const card::Verification& v, card::Stage stage) {
  return v.verdict == card::Verdict::kMalformed && v.stage == stage;
}

std::string Describe(const std::string& rel_path, const card::Verification& v) {
  return "file=" + rel_path + " verdict=" + std::string(card::VerdictCode(v.verdict)) +
         " stage=" + std::string(card::StageName(v.stage)) + " detail=\"" + v.detail + "\"";
}

class DccVectorTest : public testing::TestWithParam<std::string> {};

TEST_P(DccVectorTest, EnvelopeMatchesExpectedResults) {
  const std::string& rel = GetParam();
  base::Result<json> loaded = LoadJson(DccDir() / rel);
  ASSERT_TRUE(loaded.ok()) << "file=" << rel << ": " << loaded.status().ToString();
  const json& doc = *loaded;

  std::optional<std::string> prefix = TextMember(doc, "PREFIX");
  ASSERT_TRUE(prefix.has_value()) << "file=" << rel << ": no PREFIX";
  ASSERT_TRUE(doc.contains("TESTCTX") && doc["TESTCTX"].is_object())
      << "file=" << rel << ": no TESTCTX";
  const json& ctx = doc["TESTCTX"];

  card::MemoryKeyStore keys;
  if (std::optional<std::string> cert_b64 = TextMember(ctx, "CERTIFICATE")) {
    std::optional<base::Bytes> der = DecodeBase64(*cert_b64);
    ASSERT_TRUE(der.has_value()) << "file=" << rel << ": CERTIFICATE is not valid base64";
    base::Result<card::PublicKey> key = card::PublicKey::FromCertificateDer(*der);
    ASSERT_TRUE(key.ok()) << "file=" << rel << ": " << key.status().ToString();
    keys.Add(card::IssuerKey{.kid = card::KidOfDer(*der), .iss = "", .key = *key});
  }

  std::optional<std::string> clock_text = TextMember(ctx, "VALIDATIONCLOCK");
  if (!clock_text) clock_text = TextMember(ctx, "validationClockInstant");
  ASSERT_TRUE(clock_text.has_value()) << "file=" << rel << ": no validation clock";
  base::Result<int64_t> now = base::ParseIso8601(*clock_text);
  ASSERT_TRUE(now.ok()) << "file=" << rel << ": " << now.status().ToString();
  base::FakeClock clock(*now);

  card::Verifier verifier(keys, /*status=*/nullptr, clock, card::kDccProfile);
  const card::Verification v = verifier.Verify(*prefix);
  const std::string what = Describe(rel, v);

  ASSERT_TRUE(doc.contains("EXPECTEDRESULTS") && doc["EXPECTEDRESULTS"].is_object()) << what;
  std::map<std::string, bool> expected;
  for (const auto& [key, value] : doc["EXPECTEDRESULTS"].items()) {
    ASSERT_TRUE(value.is_boolean()) << "flag " << key << " is not a boolean; " << what;
    const std::string flag = CanonicalFlag(key);
    auto [it, inserted] = expected.emplace(flag, value.get<bool>());
    ASSERT_TRUE(inserted || it->second == value.get<bool>())
        << key << " contradicts another spelling of " << flag << "; " << what;
  }

  using card::Stage;
  using card::Verdict;
  for (const auto& [flag, want] : expected) {
    if (IsOutOfScope(flag)) continue;
    if (flag == "EXPECTEDUNPREFIX") {
      if (want) {
        EXPECT_FALSE(MalformedAtOrBefore(v, Stage::kPrefix)) << flag << "=true; " << what;
      } else {
        EXPECT_TRUE(MalformedAt(v, Stage::kPrefix)) << flag << "=false; " << what;
      }
    } else if (flag == "EXPECTEDB45DECODE") {
      if (want) {
        EXPECT_FALSE(MalformedAtOrBefore(v, Stage::kBase45)) << flag << "=true; " << what;
      } else {
        EXPECT_TRUE(MalformedAt(v, Stage::kBase45)) << flag << "=false; " << what;
      }
    } else if (flag == "EXPECTEDCOMPRESSION") {
      // The DCC profile requires zlib, so an uncompressed payload (Z2) is refused here too.
      if (want) {
        EXPECT_FALSE(MalformedAtOrBefore(v, Stage::kZlib)) << flag << "=true; " << what;
      } else {
        EXPECT_TRUE(MalformedAt(v, Stage::kZlib)) << flag << "=false; " << what;
      }
    } else if (flag == "EXPECTEDDECODE") {
      // Decoding covers every layer up to the CWT claims (kCose, kClaims).
      EXPECT_EQ(v.verdict != Verdict::kMalformed, want) << flag << "=" << want << "; " << what;
    } else if (flag == "EXPECTEDVERIFY") {
      EXPECT_EQ(v.signature_ok, want) << flag << "=" << want << "; " << what;
    } else if (flag == "EXPECTEDEXPIRATIONCHECK") {
      if (want) {
        // Without a status store, a verified card within iat..exp is VALID. Upstream's runner
        // accepts validation_clock <= exp, i.e. a certificate is still valid at its exp second.
        EXPECT_TRUE(v.signature_ok) << flag << "=true; " << what;
        EXPECT_EQ(v.verdict, Verdict::kValid) << flag << "=true; " << what;
      } else {
        EXPECT_TRUE(v.verdict == Verdict::kNotYetValid || v.verdict == Verdict::kExpired)
            << flag << "=false; " << what;
      }
    } else if (flag == "EXPECTEDPICTUREDECODE") {
      base::Result<std::optional<base::Bytes>> picture = FindPicture(rel, doc);
      ASSERT_TRUE(picture.ok()) << picture.status().ToString() << "; " << what;
      const bool skipped = SkippedPictureFiles().contains(rel);
      if (!picture->has_value()) {
        EXPECT_TRUE(skipped) << flag << " expected but no picture, and not in the skip list; "
                             << what;
        continue;
      }
      ASSERT_FALSE(skipped) << "in the picture skip list but has a picture; " << what;
      const std::vector<std::string> texts = ReadQrTexts(**picture);
      const bool found = std::find(texts.begin(), texts.end(), *prefix) != texts.end();
      EXPECT_EQ(found, want) << flag << "=" << want << " (" << texts.size()
                             << " QR codes decoded); " << what;
    } else {
      ADD_FAILURE() << "unknown expected-result flag " << flag
                    << ": assert it or list it as out of scope; " << what;
    }
  }
}

std::string VectorTestName(const testing::TestParamInfo<std::string>& param) {
  return TestNameOf(param.param);
}

INSTANTIATE_TEST_SUITE_P(Vectors, DccVectorTest, testing::ValuesIn(FindVectorFiles()),
                         VectorTestName);

TEST(DccDataTest, FoundEnoughVectors) {
  EXPECT_GE(FindVectorFiles().size(), kMinVectorFiles) << "in " << DccDir().string();
}

// Every file in the picture skip list exists, expects a picture decode and has no picture; every
// file that expects one and has no picture is in the list.
TEST(DccDataTest, PictureSkipListIsExact) {
  std::set<std::string> without_picture;
  for (const std::string& rel : FindVectorFiles()) {
    base::Result<json> doc = LoadJson(DccDir() / rel);
    ASSERT_TRUE(doc.ok()) << doc.status().ToString();
    if (!doc->contains("EXPECTEDRESULTS") ||
        !(*doc)["EXPECTEDRESULTS"].contains("EXPECTEDPICTUREDECODE")) {
      continue;
    }
    base::Result<std::optional<base::Bytes>> picture = FindPicture(rel, *doc);
    ASSERT_TRUE(picture.ok()) << "file=" << rel << ": " << picture.status().ToString();
    if (!picture->has_value()) without_picture.insert(rel);
  }
  std::set<std::string> listed;
  for (const auto& [rel, reason] : SkippedPictureFiles()) listed.insert(rel);
  EXPECT_EQ(without_picture, listed);
}

// known_issues.csv lists upstream files known to be wrong. For the countries we ship, every listed
// issue must be about a check we do not run; otherwise the failing vector needs attention here.
TEST(DccDataTest, KnownIssuesOfShippedCountriesAreOutOfScope) {
  std::set<std::string> countries;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(DccDir(), ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && name != "common") countries.insert(name);
  }
  ASSERT_FALSE(countries.empty()) << "no country folders in " << DccDir().string();

  const std::string csv_path = (DccDir() / "known_issues.csv").string();
  std::unique_ptr<std::FILE, decltype(&std::fclose)> file(std::fopen(csv_path.c_str(), "rb"),
                                                          &std::fclose);
  ASSERT_NE(file, nullptr) << "cannot open " << csv_path;
  base::CsvReader reader(file.get(), "known_issues.csv");
  base::CsvRecord record;
  ASSERT_TRUE(reader.Next(&record)) << reader.status().ToString();
  base::Result<base::CsvHeader> header =
      base::CsvHeader::Parse(record, {"test_name", "country", "test_set"}, "known_issues.csv");
  ASSERT_TRUE(header.ok()) << header.status().ToString();

  size_t rows = 0;
  while (reader.Next(&record)) {
    ++rows;
    ASSERT_EQ(record.fields.size(), header->size()) << "known_issues.csv:" << record.line;
    const std::string& country = record.fields[(*header)["country"]];
    if (!countries.contains(country)) continue;
    const std::string& test = record.fields[(*header)["test_name"]];
    EXPECT_TRUE(OutOfScopeKnownIssueTests().contains(test))
        << "known_issues.csv:" << record.line << ": " << country << " "
        << record.fields[(*header)["test_set"]] << " has a known issue in " << test
        << ", which this suite asserts";
  }
  ASSERT_TRUE(reader.status().ok()) << reader.status().ToString();
  EXPECT_GT(rows, 0u);
}

}  // namespace
