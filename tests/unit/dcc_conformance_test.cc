// Runs the EU Digital COVID Certificate public test vectors through card::Verifier with
// kDccProfile. The DCC uses the same envelope as our cards (prefix, base45, zlib, COSE_Sign1,
// CWT), so every EXPECTED* flag about that envelope is asserted; the flags about the health
// certificate itself are listed in kOutOfScopeFlags.
//
// Which set runs: the complete set (all countries) at CK_DCC_COMPLETE_SET_DIR, i.e.
// ../shared/testdata/dcc beside the checkout, when that folder exists at test time; else the
// subset kept in tests/data/dcc. DccConformanceTest.EveryVectorOfTheSet prints which one ran, a
// row per top-level folder (a country, common/, or "root" for JSON files at the top): files,
// passed, with a skipped check, not run, failed; the total, and every skip with its reason.
//
// Each flag follows the reference runner's rule (tests/test_ehealth_certs.py in the complete set),
// checked in the order of the layers: UNPREFIX, B45DECODE, COMPRESSION, DECODE, VERIFY,
// EXPIRATIONCHECK, PICTUREDECODE. In particular:
// - VALIDATIONCLOCK without a UTC offset (most of NL, GE, GR, IS, VA) is read as UTC;
// - EXPIRATIONCHECK is, as in the reference runner, independent of the signature: for a verified
//   certificate it is the verifier's verdict (VALID, or NOT_YET_VALID/EXPIRED); for one whose
//   signature does not verify (PL 6: signed by another key than TESTCTX's), the verifier's own
//   time rule (card::CheckValidityPeriod) on the decoded, unverified claims. The reference also
//   requires the signer certificate's validity to span iat..exp; our key store takes no validity
//   from the certificate, so that part is not applied (by the runner's code it fails BG 4, iat
//   before the certificate, and PL 1.3.0/6, exp after it, both expected true);
// - PICTUREDECODE reads 2DCODE, else a PNG next to the JSON: XX/png/N.png, N_qr.png (IE),
//   XX/2DCode/png/N.png (DE), and the French names (N_Raw.json -> png/N.png,
//   test_pcr_ok.json -> png/test-pcr_ok.png);
// - a signer key the DCC profile refuses (ES 401-403: P-384) leaves the key store empty.
//
// Skips (complete set figures). Files that are not vectors and missing pictures are exact lists
// (NonVectorFiles, SkippedPictureFiles) that DccDataTest keeps honest. A row of known_issues.csv
// (upstream's list of wrong files, which its runner marks xfail) excuses only the check it names,
// and only where that check fails here; rows about checks we do not run need nothing.
//   folder  files  skipped                   why
//   root    2      6.json, not run           a bare decoded payload, not a test vector (QR, a
//                                            vector without a .json name, runs and passes)
//   common  38     B1: PICTUREDECODE         no 2DCODE and no picture file in the set
//   ES      27     401-403: VERIFY           known_issues.csv (#228): signer key not on P-256
// The FI rows of known_issues.csv (#407, VERIFY and EXPIRATIONCHECK) excuse nothing: those checks
// pass here. Folders with no JSON file (AD, EE, MA, MT, NO: pictures or notes; tests/, the
// reference runner) are listed by DccDataTest.FoldersWithoutVectorsAreKnown.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iostream>
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
constexpr size_t kMinSubsetFiles = 60;
constexpr size_t kMinCompleteFiles = 580;
constexpr std::string_view kRootFolder = "root";  // JSON files at the top of the set

// Health-certificate-only flags, deliberately not asserted: they are schema, JSON object and
// key-usage OID checks on the certificate inside the envelope we share, and ENCODE is issuer-side.
// Any other EXPECTED* key that is neither asserted nor listed here fails the test.
constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kOutOfScopeFlags{{
    {"EXPECTEDSCHEMAVALIDATION", "validates the DCC JSON payload against the EU DCC schema"},
    {"EXPECTEDVALIDJSON", "compares the decoded health certificate with the vector's JSON field"},
    {"EXPECTEDVALIDOBJECT", "checks the health certificate object (one of v/t/r, its fields)"},
    {"EXPECTEDKEYUSAGE",
     "checks the signer certificate's extended key usage OIDs (vaccination/test/recovery) "
     "against the certificate type"},
    {"EXPECTEDENCODE", "issuer side: re-encoding the JSON gives the same QR content"},
    {"EXPECTEDRESULTS",
     "a stray key inside EXPECTEDRESULTS (ES 1001-1003): no check, the reference runner ignores "
     "it"},
}};

// Checks we assert, in the order of the layers; the reference runner's test of each is named.
struct AssertedFlag {
  std::string_view flag;
  std::string_view reference_test;  // as in known_issues.csv
};
constexpr std::array<AssertedFlag, 7> kAssertedFlags{{
    {"EXPECTEDUNPREFIX", "test_un_prefix"},
    {"EXPECTEDB45DECODE", "test_b45decode"},
    {"EXPECTEDCOMPRESSION", "test_compression"},
    {"EXPECTEDDECODE", "test_cose_cbor"},
    {"EXPECTEDVERIFY", "test_verification_check"},
    {"EXPECTEDEXPIRATIONCHECK", "test_expiration_check"},
    {"EXPECTEDPICTUREDECODE", "test_picture_decode"},
}};

// JSON files that are not test vectors (no EXPECTEDRESULTS). Exact: see NonVectorListIsExact.
const std::map<std::string, std::string>& NonVectorFiles() {
  static const auto* const kFiles = new std::map<std::string, std::string>{
      {"6.json",
       "a bare decoded DCC payload (iss, iat, exp, hcert) at the top of the set: no PREFIX, "
       "TESTCTX or EXPECTEDRESULTS"},
  };
  return *kFiles;
}

// Files that expect EXPECTEDPICTUREDECODE but ship no picture: no 2DCODE in the JSON and no PNG
// next to it. Exact: see PictureSkipListIsExact.
const std::map<std::string, std::string>& SkippedPictureFiles() {
  static const auto* const kFiles = new std::map<std::string, std::string>{
      {"common/2DCode/raw/B1.json",
       "expects a QR picture, but the vector has no 2DCODE and common/ has no png folder"},
  };
  return *kFiles;
}

// --- The set ------------------------------------------------------------------------------------

struct VectorSet {
  std::filesystem::path root;
  bool complete = false;
};

const VectorSet& Set() {
  static const VectorSet* const kSet = [] {
    std::error_code ec;
    if (std::filesystem::is_directory(CK_DCC_COMPLETE_SET_DIR, ec)) {
      return new VectorSet{std::filesystem::path(CK_DCC_COMPLETE_SET_DIR).lexically_normal(), true};
    }
    return new VectorSet{std::filesystem::path(CK_TESTDATA_DIR) / "dcc", false};
  }();
  return *kSet;
}

std::filesystem::path DccDir() { return Set().root; }

std::string SetName() {
  return std::string(Set().complete ? "complete set" : "in-repo subset") + " at " +
         DccDir().string();
}

// A .json file, or a file without an extension holding a JSON object (the complete set's root
// holds a vector named just "QR").
bool IsJsonFile(const std::filesystem::path& path) {
  if (path.extension() == ".json") return true;
  if (path.has_extension()) return false;
  base::Result<std::string> text = base::ReadFile(path.string(), kMaxJsonBytes);
  if (!text.ok()) return false;
  const size_t first = text->find_first_not_of(" \t\r\n");
  return first != std::string::npos && (*text)[first] == '{';
}

// Paths of all JSON files relative to DccDir(), sorted. Empty if the directory is missing (the
// EveryVectorOfTheSet test then fails).
const std::vector<std::string>& JsonFiles() {
  static const auto* const kFiles = [] {
    auto* files = new std::vector<std::string>;
    std::error_code ec;
    std::filesystem::recursive_directory_iterator it(DccDir(), ec);
    for (; !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file() && IsJsonFile(it->path())) {
        files->push_back(it->path().lexically_relative(DccDir()).generic_string());
      }
    }
    std::sort(files->begin(), files->end());
    return files;
  }();
  return *kFiles;
}

// The top-level folder of a file: a country, "common", or kRootFolder.
std::string FolderOf(std::string_view rel) {
  const size_t slash = rel.find('/');
  return slash == std::string_view::npos ? std::string(kRootFolder)
                                         : std::string(rel.substr(0, slash));
}

std::vector<std::string> FilesOf(std::string_view folder) {
  std::vector<std::string> files;
  for (const std::string& rel : JsonFiles()) {
    if (FolderOf(rel) == folder) files.push_back(rel);
  }
  return files;
}

// Folders holding JSON files, sorted.
std::vector<std::string> Folders() {
  std::set<std::string> folders;
  for (const std::string& rel : JsonFiles()) folders.insert(FolderOf(rel));
  return {folders.begin(), folders.end()};
}

// Top-level folders without any JSON file (pictures or notes only, and the reference runner's).
std::vector<std::string> FoldersWithoutVectors() {
  std::vector<std::string> out;
  const std::vector<std::string> with = Folders();
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(DccDir(), ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && std::find(with.begin(), with.end(), name) == with.end()) {
      out.push_back(name);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
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

// --- Known issues --------------------------------------------------------------------------------

struct KnownIssue {
  std::string country;
  std::string test_set;  // a file stem; empty = every file of the country
  std::string reference_test;
  std::string reason;
  size_t line = 0;
};

base::Result<std::vector<KnownIssue>> LoadKnownIssues() {
  const std::string path = (DccDir() / "known_issues.csv").string();
  std::unique_ptr<std::FILE, decltype(&std::fclose)> file(std::fopen(path.c_str(), "rb"),
                                                          &std::fclose);
  if (file == nullptr) return base::NotFound("cannot open " + path);
  base::CsvReader reader(file.get(), "known_issues.csv");
  base::CsvRecord record;
  if (!reader.Next(&record)) return base::InvalidArgument("known_issues.csv: no header");
  CK_ASSIGN_OR_RETURN(base::CsvHeader header,
                      base::CsvHeader::Parse(record, {"test_name", "country", "test_set", "reason"},
                                             "known_issues.csv"));
  std::vector<KnownIssue> issues;
  while (reader.Next(&record)) {
    if (record.fields.size() != header.size()) {
      return base::InvalidArgument("known_issues.csv:" + std::to_string(record.line));
    }
    issues.push_back({.country = record.fields[header["country"]],
                      .test_set = record.fields[header["test_set"]],
                      .reference_test = record.fields[header["test_name"]],
                      .reason = record.fields[header["reason"]],
                      .line = record.line});
  }
  CK_TRY(reader.status());
  return issues;
}

const std::vector<KnownIssue>& KnownIssues() {
  static const auto* const kIssues = [] {
    base::Result<std::vector<KnownIssue>> loaded = LoadKnownIssues();
    return new std::vector<KnownIssue>(loaded.ok() ? std::move(*loaded)
                                                   : std::vector<KnownIssue>{});
  }();
  return *kIssues;
}

// The known issue of upstream's about `reference_test` on file `rel`, if any (the reference
// runner's match: country and file stem, or country alone).
const KnownIssue* FindKnownIssue(const std::string& rel, std::string_view reference_test) {
  const std::string country = FolderOf(rel);
  const std::string stem = std::filesystem::path(rel).stem().string();
  for (const KnownIssue& issue : KnownIssues()) {
    if (issue.country == country && issue.reference_test == reference_test &&
        (issue.test_set.empty() || issue.test_set == stem)) {
      return &issue;
    }
  }
  return nullptr;
}

// --- Vector inputs -------------------------------------------------------------------------------

// The validation clock. Like the reference runner (dateutil's isoparse, then UTC when naive), a
// date-time without an offset is read as UTC.
base::Result<int64_t> ParseValidationClock(const std::string& text) {
  const size_t t = text.find('T');
  if (t != std::string::npos && text.find_first_of("Zz+-", t) == std::string::npos) {
    return base::ParseIso8601(text + "Z");
  }
  return base::ParseIso8601(text);
}

// The PNG files that may hold a vector's QR code, next to its JSON XX/2DCode/raw/N.json:
// XX/png/N.png, XX/png/N_qr.png (IE), XX/2DCode/png/N.png (DE), and the French names:
// XX/png/M.png for N = M_Raw, and XX/png/test-pcr_ok.png for N = test_pcr_ok (first '_' -> '-').
// Files outside a country's 2DCode folder (the set's root) have no sibling pictures.
std::vector<std::filesystem::path> SiblingPngCandidates(const std::string& rel_path) {
  if (std::count(rel_path.begin(), rel_path.end(), '/') < 2) return {};
  const std::filesystem::path json_path = DccDir() / rel_path;
  const std::string stem = json_path.stem().string();
  const std::filesystem::path code_dir = json_path.parent_path().parent_path();  // XX/2DCode
  const std::filesystem::path png_dir = code_dir.parent_path() / "png";
  std::vector<std::filesystem::path> out = {png_dir / (stem + ".png"), png_dir / (stem + "_qr.png"),
                                            code_dir / "png" / (stem + ".png")};
  constexpr std::string_view kRaw = "_Raw";
  if (stem.size() > kRaw.size() && stem.ends_with(kRaw)) {
    out.push_back(png_dir / (stem.substr(0, stem.size() - kRaw.size()) + ".png"));
  }
  if (const size_t underscore = stem.find('_'); underscore != std::string::npos) {
    std::string hyphen = stem;
    hyphen[underscore] = '-';
    out.push_back(png_dir / (hyphen + ".png"));
  }
  return out;
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

bool IsAsserted(std::string_view flag) {
  return std::any_of(kAssertedFlags.begin(), kAssertedFlags.end(),
                     [flag](const AssertedFlag& entry) { return entry.flag == flag; });
}

// --- One vector ----------------------------------------------------------------------------------

// True if the verifier refused the input as MALFORMED at `stage` or at a layer below it.
bool MalformedAtOrBefore(const card::Verification& v, card::Stage stage) {
  return v.verdict == card::Verdict::kMalformed && v.stage <= stage;
}

bool MalformedAt(const card::Verification& v, card::Stage stage) {
  return v.verdict == card::Verdict::kMalformed && v.stage == stage;
}

struct Vector {
  std::string rel;
  json doc;
  std::string prefix;
  int64_t now = 0;
  std::map<std::string, bool> expected;  // canonical flag -> value
  card::Verification v;
  std::string key_note;  // why the key store stayed empty, if it did
};

std::string Describe(const Vector& vec) {
  std::string out =
      "file=" + vec.rel + " verdict=" + std::string(card::VerdictCode(vec.v.verdict)) +
      " stage=" + std::string(card::StageName(vec.v.stage)) + " detail=\"" + vec.v.detail + "\"";
  if (!vec.key_note.empty()) out += " key=\"" + vec.key_note + "\"";
  return out;
}

base::Status ReadExpected(const json& doc, std::map<std::string, bool>* expected) {
  if (!doc.contains("EXPECTEDRESULTS") || !doc["EXPECTEDRESULTS"].is_object()) {
    return base::InvalidArgument("no EXPECTEDRESULTS object");
  }
  for (const auto& [key, value] : doc["EXPECTEDRESULTS"].items()) {
    if (!value.is_boolean()) return base::InvalidArgument("flag " + key + " is not a boolean");
    const std::string flag = CanonicalFlag(key);
    auto [it, inserted] = expected->emplace(flag, value.get<bool>());
    if (!inserted && it->second != value.get<bool>()) {
      return base::InvalidArgument(key + " contradicts another spelling of " + flag);
    }
    if (!IsAsserted(flag) && !IsOutOfScope(flag)) {
      return base::InvalidArgument("unknown expected-result flag " + flag +
                                   ": assert it or list it as out of scope");
    }
  }
  return base::Status::Ok();
}

// Loads a vector and verifies its PREFIX at its validation clock.
base::Result<Vector> RunVerifier(const std::string& rel, json doc) {
  Vector vec{.rel = rel, .doc = std::move(doc)};
  CK_TRY(ReadExpected(vec.doc, &vec.expected));
  std::optional<std::string> prefix = TextMember(vec.doc, "PREFIX");
  if (!prefix) return base::InvalidArgument("no PREFIX");
  vec.prefix = *prefix;
  if (!vec.doc.contains("TESTCTX") || !vec.doc["TESTCTX"].is_object()) {
    return base::InvalidArgument("no TESTCTX");
  }
  const json& ctx = vec.doc["TESTCTX"];

  card::MemoryKeyStore keys;
  if (std::optional<std::string> cert_b64 = TextMember(ctx, "CERTIFICATE")) {
    std::optional<base::Bytes> der = DecodeBase64(*cert_b64);
    if (!der) return base::InvalidArgument("CERTIFICATE is not valid base64");
    base::Result<card::PublicKey> key = card::PublicKey::FromCertificateDer(*der);
    if (key.ok()) {
      keys.Add(card::IssuerKey{.kid = card::KidOfDer(*der), .iss = "", .key = *key});
    } else {
      vec.key_note = key.status().ToString();  // e.g. ES 401-403: not a key the DCC allows
    }
  }

  std::optional<std::string> clock_text = TextMember(ctx, "VALIDATIONCLOCK");
  if (!clock_text) clock_text = TextMember(ctx, "validationClockInstant");
  if (!clock_text) return base::InvalidArgument("no validation clock");
  CK_ASSIGN_OR_RETURN(vec.now, ParseValidationClock(*clock_text));
  base::FakeClock clock(vec.now);
  card::Verifier verifier(keys, /*status=*/nullptr, clock, card::kDccProfile);
  vec.v = verifier.Verify(vec.prefix);
  return vec;
}

enum class CheckOutcome { kOk, kFailed, kSkipped };
struct CheckResult {
  CheckOutcome outcome = CheckOutcome::kOk;
  std::string message;  // why it failed or was skipped
};

CheckResult Expect(bool holds, std::string_view flag, bool want) {
  if (holds) return {};
  return {CheckOutcome::kFailed, std::string(flag) + "=" + (want ? "true" : "false")};
}

// A layer flag: true = no layer up to `stage` refused; false = exactly `stage` refused.
CheckResult CheckLayer(const Vector& vec, std::string_view flag, bool want, card::Stage stage) {
  return Expect(want ? !MalformedAtOrBefore(vec.v, stage) : MalformedAt(vec.v, stage), flag, want);
}

// Like the reference runner, independent of the signature (see the header comment).
CheckResult CheckExpiration(const Vector& vec, bool want) {
  using card::Verdict;
  constexpr std::string_view kFlag = "EXPECTEDEXPIRATIONCHECK";
  if (vec.v.signature_ok) {
    // Without a status store, a verified certificate within iat..exp is VALID. Upstream's runner
    // accepts validation_clock <= exp, i.e. a certificate is still valid at its exp second.
    const bool in_time = vec.v.verdict == Verdict::kValid;
    const bool out_of_time =
        vec.v.verdict == Verdict::kNotYetValid || vec.v.verdict == Verdict::kExpired;
    return Expect(want ? in_time : out_of_time, kFlag, want);
  }
  if (!vec.v.claims) {
    return {CheckOutcome::kFailed, std::string(kFlag) + ": the claims did not decode"};
  }
  const Verdict t = card::CheckValidityPeriod(*vec.v.claims, vec.now, card::kDccProfile);
  CheckResult r = Expect((t == Verdict::kValid) == want, kFlag, want);
  if (r.outcome == CheckOutcome::kFailed)
    r.message += " (unverified claims: " + std::string(card::VerdictCode(t)) + ")";
  return r;
}

CheckResult CheckPicture(const Vector& vec, bool want) {
  constexpr std::string_view kFlag = "EXPECTEDPICTUREDECODE";
  base::Result<std::optional<base::Bytes>> picture = FindPicture(vec.rel, vec.doc);
  if (!picture.ok()) return {CheckOutcome::kFailed, picture.status().ToString()};
  auto listed = SkippedPictureFiles().find(vec.rel);
  if (!picture->has_value()) {
    if (listed != SkippedPictureFiles().end()) return {CheckOutcome::kSkipped, listed->second};
    return {CheckOutcome::kFailed,
            std::string(kFlag) + " expected but no picture, and not in the skip list"};
  }
  if (listed != SkippedPictureFiles().end()) {
    return {CheckOutcome::kFailed, "in the picture skip list but has a picture"};
  }
  const std::vector<std::string> texts = ReadQrTexts(**picture);
  const bool found = std::find(texts.begin(), texts.end(), vec.prefix) != texts.end();
  CheckResult r = Expect(found == want, kFlag, want);
  r.message += r.message.empty() ? "" : " (" + std::to_string(texts.size()) + " QR codes read)";
  return r;
}

CheckResult CheckFlag(const Vector& vec, std::string_view flag, bool want) {
  using card::Stage;
  if (flag == "EXPECTEDUNPREFIX") return CheckLayer(vec, flag, want, Stage::kPrefix);
  if (flag == "EXPECTEDB45DECODE") return CheckLayer(vec, flag, want, Stage::kBase45);
  // The DCC profile requires zlib, so an uncompressed payload (Z2) is refused here too.
  if (flag == "EXPECTEDCOMPRESSION") return CheckLayer(vec, flag, want, Stage::kZlib);
  // Decoding covers every layer up to the CWT claims (kCose, kClaims).
  if (flag == "EXPECTEDDECODE") {
    return Expect((vec.v.verdict != card::Verdict::kMalformed) == want, flag, want);
  }
  if (flag == "EXPECTEDVERIFY") return Expect(vec.v.signature_ok == want, flag, want);
  if (flag == "EXPECTEDEXPIRATIONCHECK") return CheckExpiration(vec, want);
  return CheckPicture(vec, want);
}

// --- One file, one folder ------------------------------------------------------------------------

enum class FileOutcome { kPassed, kSkippedCheck, kNotRun, kFailed };

struct FileReport {
  FileOutcome outcome = FileOutcome::kPassed;
  std::vector<std::string> failures;
  std::vector<std::string> skips;  // "file: FLAG: reason" (or "file: not run: reason")
};

FileReport RunFile(const std::string& rel) {
  FileReport report;
  auto fail = [&](const std::string& message) {
    report.outcome = FileOutcome::kFailed;
    report.failures.push_back("file=" + rel + ": " + message);
    return report;
  };
  base::Result<json> doc = LoadJson(DccDir() / rel);
  if (!doc.ok()) return fail(doc.status().ToString());
  const auto non_vector = NonVectorFiles().find(rel);
  if (non_vector != NonVectorFiles().end()) {
    if (doc->contains("EXPECTEDRESULTS")) return fail("listed as not a vector but has results");
    report.outcome = FileOutcome::kNotRun;
    report.skips.push_back(rel + ": not run: " + non_vector->second);
    return report;
  }
  base::Result<Vector> vec = RunVerifier(rel, std::move(*doc));
  if (!vec.ok()) return fail(vec.status().ToString());

  for (const AssertedFlag& asserted : kAssertedFlags) {
    auto it = vec->expected.find(std::string(asserted.flag));
    if (it == vec->expected.end()) continue;
    CheckResult r = CheckFlag(*vec, asserted.flag, it->second);
    if (r.outcome == CheckOutcome::kFailed) {
      if (const KnownIssue* issue = FindKnownIssue(rel, asserted.reference_test)) {
        r = {CheckOutcome::kSkipped, "known_issues.csv:" + std::to_string(issue->line) + " " +
                                         issue->reason + " (here: " + r.message + ")"};
      }
    }
    if (r.outcome == CheckOutcome::kFailed) {
      fail(r.message + "; " + Describe(*vec));
    } else if (r.outcome == CheckOutcome::kSkipped) {
      report.skips.push_back(rel + ": " + std::string(asserted.flag) + ": " + r.message);
      if (report.outcome == FileOutcome::kPassed) report.outcome = FileOutcome::kSkippedCheck;
    }
  }
  return report;
}

struct FolderRow {
  size_t files = 0;
  size_t passed = 0;
  size_t skipped_check = 0;
  size_t not_run = 0;
  size_t failed = 0;
  std::vector<std::string> skips;
};

void Tally(const FileReport& report, FolderRow* row) {
  ++row->files;
  switch (report.outcome) {
    case FileOutcome::kPassed:
      ++row->passed;
      break;
    case FileOutcome::kSkippedCheck:
      ++row->skipped_check;
      break;
    case FileOutcome::kNotRun:
      ++row->not_run;
      break;
    case FileOutcome::kFailed:
      ++row->failed;
      break;
  }
  row->skips.insert(row->skips.end(), report.skips.begin(), report.skips.end());
}

std::string FormatRow(const std::string& folder, const FolderRow& row) {
  char line[160];
  std::snprintf(line, sizeof line,
                "%-8s %5zu files %5zu passed %3zu with a skipped check %3zu not run %3zu failed",
                folder.c_str(), row.files, row.passed, row.skipped_check, row.not_run, row.failed);
  return line;
}

void Add(const FolderRow& row, FolderRow* total) {
  total->files += row.files;
  total->passed += row.passed;
  total->skipped_check += row.skipped_check;
  total->not_run += row.not_run;
  total->failed += row.failed;
  total->skips.insert(total->skips.end(), row.skips.begin(), row.skips.end());
}

// --- Tests ---------------------------------------------------------------------------------------

// Every JSON file of the set, folder by folder. Prints the set, a row per folder, the total and
// every skip with its reason. One test (not one per folder or file): its name does not depend on
// which set is present, and one process is the fastest under ASan.
TEST(DccConformanceTest, EveryVectorOfTheSet) {
  std::cout << "DCC vectors: " << SetName() << ": " << JsonFiles().size() << " JSON files in "
            << Folders().size() << " folders\n";
  FolderRow total;
  for (const std::string& folder : Folders()) {
    FolderRow row;
    for (const std::string& rel : FilesOf(folder)) {
      const FileReport report = RunFile(rel);
      for (const std::string& failure : report.failures) ADD_FAILURE() << failure;
      Tally(report, &row);
    }
    std::cout << "  " << FormatRow(folder, row) << "\n";
    Add(row, &total);
  }
  std::cout << "  " << FormatRow("total", total) << "\n";
  for (const std::string& skip : total.skips) std::cout << "  skipped " << skip << "\n";
  std::cout << std::flush;
  EXPECT_GE(total.files, Set().complete ? kMinCompleteFiles : kMinSubsetFiles) << SetName();
}

// Top-level folders of the complete set without any JSON file. Exact: the subset has none.
TEST(DccDataTest, FoldersWithoutVectorsAreKnown) {
  const std::vector<std::string> expected =
      Set().complete ? std::vector<std::string>{"AD", "EE", "MA", "MT", "NO", "tests"}
                     : std::vector<std::string>{};
  const std::vector<std::string> folders = FoldersWithoutVectors();
  std::cout << "DCC vectors: " << SetName() << ": folders without JSON files (pictures, notes, "
            << "the reference runner):";
  for (const std::string& folder : folders) std::cout << " " << folder;
  std::cout << std::endl;
  EXPECT_EQ(folders, expected);
}

// The listed files present in the set, loaded. A listed file that is absent is fine for the
// subset; the complete set must hold every one. (RunFile covers the other direction: an unlisted
// file without results or without a picture fails its folder's test.)
template <typename List>
std::map<std::string, json> LoadListed(const List& list) {
  std::map<std::string, json> out;
  const std::vector<std::string>& files = JsonFiles();
  for (const auto& [rel, reason] : list) {
    if (!std::binary_search(files.begin(), files.end(), rel)) {
      EXPECT_FALSE(Set().complete) << rel << " is listed but not in " << SetName();
      continue;
    }
    base::Result<json> doc = LoadJson(DccDir() / rel);
    EXPECT_TRUE(doc.ok()) << doc.status().ToString();
    if (doc.ok()) out.emplace(rel, std::move(*doc));
  }
  return out;
}

// Every file listed as not a vector lacks EXPECTEDRESULTS.
TEST(DccDataTest, NonVectorListIsExact) {
  for (const auto& [rel, doc] : LoadListed(NonVectorFiles())) {
    EXPECT_FALSE(doc.contains("EXPECTEDRESULTS")) << rel;
  }
}

// Every file in the picture skip list expects a picture decode and has no picture.
TEST(DccDataTest, PictureSkipListIsExact) {
  for (const auto& [rel, doc] : LoadListed(SkippedPictureFiles())) {
    EXPECT_TRUE(doc.contains("EXPECTEDRESULTS") &&
                doc["EXPECTEDRESULTS"].contains("EXPECTEDPICTUREDECODE"))
        << rel;
    base::Result<std::optional<base::Bytes>> picture = FindPicture(rel, doc);
    ASSERT_TRUE(picture.ok()) << "file=" << rel << ": " << picture.status().ToString();
    EXPECT_FALSE(picture->has_value()) << rel << " is listed but has a picture";
  }
}

// known_issues.csv lists upstream files known to be wrong, by the reference runner's test name. A
// row excuses only the check it names, and only where that check fails here (RunFile). Every row
// must name a test of the reference runner: one whose flag we assert, or one out of our scope.
TEST(DccDataTest, KnownIssuesNameKnownChecks) {
  const std::set<std::string> out_of_scope = {"test_cose_schema", "test_cose_json",
                                              "test_cbor_json", "test_expected_key_usage"};
  base::Result<std::vector<KnownIssue>> issues = LoadKnownIssues();
  ASSERT_TRUE(issues.ok()) << issues.status().ToString();
  EXPECT_FALSE(issues->empty());
  for (const KnownIssue& issue : *issues) {
    const bool asserted = std::any_of(
        kAssertedFlags.begin(), kAssertedFlags.end(),
        [&](const AssertedFlag& f) { return f.reference_test == issue.reference_test; });
    EXPECT_TRUE(asserted || out_of_scope.contains(issue.reference_test))
        << "known_issues.csv:" << issue.line << ": unknown test " << issue.reference_test;
  }
}

// Validation clocks without an offset are UTC, as in the reference runner.
TEST(DccDataTest, ValidationClockWithoutOffsetIsUtc) {
  EXPECT_EQ(ParseValidationClock("2021-10-01T00:15:17").value(), 1633047317);
  EXPECT_EQ(ParseValidationClock("2021-06-08T15:56:26.670297").value(), 1623167786);
  EXPECT_EQ(ParseValidationClock("2021-06-18T23:59:59+03:00").value(), 1624049999);
  EXPECT_EQ(ParseValidationClock("2021-05-25T03:00:00-02:00").value(), 1621918800);
  EXPECT_EQ(ParseValidationClock("2021-12-10T10:34:54.925Z").value(), 1639132494);
}

}  // namespace
