// Errors as values: Status and Result<T>.
//
// A Status carries a code that a user-facing layer maps to a message or exit code, plus a detail
// text for logs and command-line output. Result<T> holds either a T or a non-OK Status.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace base {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // bad input from a caller or a file (usage, malformed data)
  kNotFound,            // a named thing does not exist
  kAlreadyExists,       // refused because it is already there
  kFailedPrecondition,  // the system is not in a state where this can run
  kOutOfRange,          // a value outside its allowed range (e.g. a size limit)
  kUnauthenticated,     // a signature or MAC did not verify
  kPermissionDenied,    // the caller may not do this
  kDataLoss,            // stored data is corrupt or truncated
  kUnavailable,         // a resource is temporarily missing (device unplugged, network down)
  kInternal,            // a bug or an unexpected library failure
  kIo,                  // an operating-system I/O error
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "CODE: message", for logs.
  std::string ToString() const;

  // Adds context in front of the message: "reading key.pem: no such file".
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status OutOfRange(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }
inline Status Unauthenticated(std::string m) {
  return {StatusCode::kUnauthenticated, std::move(m)};
}
inline Status PermissionDenied(std::string m) {
  return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
// An errno-based error: "what: strerror(err)".
Status IoError(std::string_view what, int err);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!status_.ok());
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace base

#define CK_CONCAT_INNER(a, b) a##b
#define CK_CONCAT(a, b) CK_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function if `expr` is not OK.
#define CK_TRY(expr) CK_TRY_IMPL(CK_CONCAT(ck_try_status_, __LINE__), expr)
// NOLINTNEXTLINE(bugprone-macro-parentheses): `tmp` names a variable.
#define CK_TRY_IMPL(tmp, expr)   \
  do {                           \
    ::base::Status tmp = (expr); \
    if (!tmp.ok()) return tmp;   \
  } while (false)

// Declares `lhs` from a Result<T> expression, or returns its Status.
#define CK_ASSIGN_OR_RETURN(lhs, expr) \
  CK_ASSIGN_OR_RETURN_IMPL(CK_CONCAT(ck_result_, __LINE__), lhs, expr)
// NOLINTNEXTLINE(bugprone-macro-parentheses): `lhs` may be a declaration, it cannot be
// parenthesized.
#define CK_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
