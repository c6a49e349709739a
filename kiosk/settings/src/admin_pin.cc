#include "kiosk_settings/admin_pin.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "base/file.h"
#include "base/fs.h"
#include "base/hex.h"

namespace kiosk_settings {
namespace {

constexpr std::string_view kFileName = "admin.pin";
constexpr std::string_view kVersion = "v1";
constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;
constexpr int kIterations = 200'000;
constexpr int kFreeTries = 3;            // wrong PINs before the first lock-out
constexpr int64_t kFirstLockout = 30;    // seconds
constexpr int64_t kMaxLockout = 3600;    // seconds
constexpr int kMaxFailures = 1'000'000;  // a larger count in the file is damage
constexpr size_t kMaxFileBytes = 4096;

bool IsPinShape(std::string_view pin) {
  return pin.size() >= 4 && pin.size() <= 12 &&
         std::all_of(pin.begin(), pin.end(), [](char c) { return c >= '0' && c <= '9'; });
}

base::Result<std::string> Pbkdf2(std::string_view pin, std::string_view salt) {
  std::string out(kHashBytes, '\0');
  if (PKCS5_PBKDF2_HMAC(pin.data(), static_cast<int>(pin.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), kIterations, EVP_sha256(),
                        static_cast<int>(out.size()),
                        reinterpret_cast<unsigned char*>(out.data())) != 1) {
    return base::Internal("PBKDF2 failed");
  }
  return out;
}

base::Result<std::string> RandomSalt() {
  std::string salt(kSaltBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) !=
      1) {
    return base::Internal("no random bytes for the PIN salt");
  }
  return salt;
}

bool SameBytes(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

template <typename T>
bool ParseDecimal(std::string_view text, T* out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

struct PinFile {
  std::string salt, hash;
  int failures = 0;
  int64_t locked_until = 0;
};

// The file is exactly five '\n'-terminated lines; anything else is damage.
base::Result<PinFile> ParsePinFile(std::string_view text, const std::string& path) {
  std::array<std::string_view, 5> lines;
  for (std::string_view& line : lines) {
    const size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return base::DataLoss(path + ": damaged (truncated)");
    line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
  }
  if (!text.empty()) return base::DataLoss(path + ": damaged (trailing data)");
  if (lines[0] != kVersion) return base::DataLoss(path + ": damaged (unknown version)");
  base::Result<base::Bytes> salt = base::FromHex(lines[1]);
  base::Result<base::Bytes> hash = base::FromHex(lines[2]);
  if (!salt.ok() || salt->size() != kSaltBytes || !hash.ok() || hash->size() != kHashBytes) {
    return base::DataLoss(path + ": damaged (salt or hash)");
  }
  PinFile f{std::string(base::AsChars(*salt)), std::string(base::AsChars(*hash))};
  if (!ParseDecimal(lines[3], &f.failures) || f.failures < 0 || f.failures > kMaxFailures ||
      !ParseDecimal(lines[4], &f.locked_until) || f.locked_until < 0) {
    return base::DataLoss(path + ": damaged (counter)");
  }
  return f;
}

}  // namespace

int64_t LockoutSeconds(int failures) {
  if (failures < kFreeTries) return 0;
  int64_t seconds = kFirstLockout;
  for (int i = kFreeTries; i < failures && seconds < kMaxLockout; ++i) seconds *= 2;
  return std::min(seconds, kMaxLockout);
}

base::Result<AdminPin> AdminPin::Open(base::FileSystem& fs, const std::string& data_dir,
                                      const base::Clock& clock) {
  AdminPin pin(fs, data_dir + "/" + std::string(kFileName), clock);
  base::Result<std::string> text = base::ReadFile(fs, pin.path_, kMaxFileBytes);
  if (!text.ok()) {
    if (text.status().code() == base::StatusCode::kNotFound) return pin;
    if (text.status().code() == base::StatusCode::kOutOfRange) {
      return base::DataLoss(pin.path_ + ": damaged (too large)");
    }
    return text.status();
  }
  CK_ASSIGN_OR_RETURN(PinFile f, ParsePinFile(*text, pin.path_));
  // The file does not say whether the PIN is the default one; the hash does (one PBKDF2 run).
  CK_ASSIGN_OR_RETURN(std::string default_hash, Pbkdf2(kDefaultAdminPin, f.salt));
  pin.is_default_ = SameBytes(default_hash, f.hash);
  pin.salt_ = std::move(f.salt);
  pin.hash_ = std::move(f.hash);
  pin.failures_ = f.failures;
  pin.locked_until_ = f.locked_until;
  // A deadline further away than the lock-out the counter earns means the clock went back (a
  // flat RTC battery) or the file was edited: wait the earned lock-out from now instead.
  const int64_t now = clock.NowUnixSeconds();
  pin.locked_until_ = std::min(pin.locked_until_, now + LockoutSeconds(pin.failures_));
  return pin;
}

base::Result<bool> PinTry::Right() const {
  if (!IsPinShape(pin)) return false;  // anything else is simply wrong, and counted
  if (salt.empty()) return SameBytes(pin, kDefaultAdminPin);  // no file yet: the default PIN
  CK_ASSIGN_OR_RETURN(std::string h, Pbkdf2(pin, salt));
  return SameBytes(h, hash);
}

std::optional<PinTry> AdminPin::StartCheck(std::string_view pin) {
  const int64_t now = clock_->NowUnixSeconds();
  locked_until_ = std::min(locked_until_, now + LockoutSeconds(failures_));  // see Open()
  if (locked_until_ > now) return std::nullopt;
  return PinTry{std::string(pin), salt_, hash_};
}

base::Result<PinCheck> AdminPin::FinishCheck(const base::Result<bool>& right) {
  if (!right.ok()) return right.status();
  if (*right) {
    if (failures_ == 0 && locked_until_ == 0) return PinCheck::kOk;
    failures_ = 0;
    locked_until_ = 0;
    CK_TRY(Save());
    return PinCheck::kOk;
  }
  failures_ = std::min(failures_ + 1, kMaxFailures);
  const int64_t lockout = LockoutSeconds(failures_);
  locked_until_ = lockout > 0 ? clock_->NowUnixSeconds() + lockout : 0;
  CK_TRY(Save());
  return PinCheck::kWrong;
}

base::Result<PinCheck> AdminPin::Check(std::string_view pin) {
  std::optional<PinTry> t = StartCheck(pin);
  if (!t) return PinCheck::kLockedOut;
  return FinishCheck(t->Right());
}

int64_t AdminPin::LockedForSeconds() const {
  const int64_t left = locked_until_ - clock_->NowUnixSeconds();
  return std::clamp<int64_t>(left, 0, LockoutSeconds(failures_));
}

base::Status AdminPin::Set(std::string_view pin) {
  if (!IsPinShape(pin)) return base::InvalidArgument("a PIN is 4 to 12 digits");
  CK_ASSIGN_OR_RETURN(std::string salt, RandomSalt());
  CK_ASSIGN_OR_RETURN(std::string hash, Pbkdf2(pin, salt));
  AdminPin before = *this;
  salt_ = std::move(salt);
  hash_ = std::move(hash);
  failures_ = 0;
  locked_until_ = 0;
  is_default_ = pin == kDefaultAdminPin;
  base::Status st = Save();
  if (!st.ok()) *this = std::move(before);  // the old PIN is still the one on disk
  return st;
}

base::Status AdminPin::Save() {
  if (salt_.empty()) {
    // Counting tries against the default PIN: the file needs a hash of it.
    CK_ASSIGN_OR_RETURN(salt_, RandomSalt());
    CK_ASSIGN_OR_RETURN(hash_, Pbkdf2(kDefaultAdminPin, salt_));
  }
  const std::string text = std::string(kVersion) + "\n" + base::ToHex(base::AsBytes(salt_)) + "\n" +
                           base::ToHex(base::AsBytes(hash_)) + "\n" + std::to_string(failures_) +
                           "\n" + std::to_string(locked_until_) + "\n";
  return base::WriteFileAtomic(*fs_, path_, text, 0600, base::Durability::kSync);
}

}  // namespace kiosk_settings
