#include "web_auth.h"

#include "web_util.h"

namespace hub::web {

std::string Sessions::Open(const std::string& user, AdminRole role) {
  std::string token = RandomToken();
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now = clock_.NowUnixSeconds();
  for (auto it = sessions_.begin(); it != sessions_.end();) {  // forget the expired ones
    it = now - it->second.last_use > limits_.idle_seconds ? sessions_.erase(it) : std::next(it);
  }
  sessions_[token] = Session{.user = user, .role = role, .csrf = RandomToken(), .last_use = now};
  return token;
}

std::optional<Session> Sessions::Find(const std::string& token) {
  if (token.size() != 64) return std::nullopt;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(token);
  if (it == sessions_.end()) return std::nullopt;
  const int64_t now = clock_.NowUnixSeconds();
  if (now - it->second.last_use > limits_.idle_seconds) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_use = now;
  return it->second;
}

void Sessions::Close(const std::string& token) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(token);
}

void Sessions::CloseUser(const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = it->second.user == user ? sessions_.erase(it) : std::next(it);
  }
}

bool Sessions::LockedLocked(Failures& f, int64_t now) {
  if (f.locked_until == 0) return false;
  if (now < f.locked_until) return true;
  f = Failures{};  // the lock-out is over: a fresh start
  return false;
}

bool Sessions::Locked(const std::string& user, const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now = clock_.NowUnixSeconds();
  return LockedLocked(by_user_[user], now) || LockedLocked(by_address_[address], now);
}

bool Sessions::Count(Failures& f, int limit, int64_t now) {
  if (LockedLocked(f, now)) return true;
  if (f.count == 0 || now - f.first > limits_.window_seconds) f = Failures{.first = now};
  if (++f.count >= limit) f.locked_until = now + limits_.lockout_seconds;
  return f.locked_until != 0;
}

bool Sessions::Failed(const std::string& user, const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now = clock_.NowUnixSeconds();
  // Bounded: a flood of made-up user names must not grow the map without end.
  if (by_user_.size() > 100'000) by_user_.clear();
  if (by_address_.size() > 100'000) by_address_.clear();
  const bool user_locked = Count(by_user_[user], limits_.account_failures, now);
  const bool address_locked = Count(by_address_[address], limits_.address_failures, now);
  return user_locked || address_locked;
}

void Sessions::Succeeded(const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  by_user_.erase(user);
}

}  // namespace hub::web
