#include "config/config_file.h"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include "base/file.h"
#include "base/utf8.h"

namespace ck_config {
namespace {

std::string Where(std::string_view source, int64_t line) {
  return std::string(source) + ":" + std::to_string(line) + ": ";
}

// NUL bytes and broken UTF-8 named with their line (toml++ would name them less plainly).
base::Status CheckBytes(std::string_view text, std::string_view source) {
  int64_t line_no = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (line.find('\0') != std::string_view::npos) {
      return base::InvalidArgument(Where(source, line_no) + "NUL byte");
    }
    if (!base::IsValidUtf8(line))
      return base::InvalidArgument(Where(source, line_no) + "not UTF-8");
  }
  return base::Status::Ok();
}

// A value as an error message shows it: text quoted, anything else in TOML syntax.
std::string Describe(const toml::node& node) {
  if (const auto* s = node.as_string()) return QuoteForMessage(s->get());
  if (node.is_array()) return "an array";
  if (node.is_table()) return "a table";
  std::ostringstream out;
  node.visit([&out](const auto& v) { out << v; });
  return QuoteForMessage(out.str());
}

// "got 5.5", or "got text '40'" when text was given where a number or true/false belongs.
std::string Got(const toml::node& node) {
  return node.is_string() ? "got text " + Describe(node) : "got " + Describe(node);
}

std::string Range(int64_t min, int64_t max) {
  return std::to_string(min) + ".." + std::to_string(max);
}

std::string_view UnitName(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kMilliseconds:
      return "milliseconds";
    case TimeUnit::kSeconds:
      return "seconds";
    case TimeUnit::kMinutes:
      return "minutes";
  }
  return "";
}

int64_t UnitMs(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kMilliseconds:
      return 1;
    case TimeUnit::kSeconds:
      return 1000;
    case TimeUnit::kMinutes:
      return 60'000;
  }
  return 1;
}

// "90s" -> 90000 (milliseconds); nullopt for anything that is not digits and a known unit.
std::optional<int64_t> ParseDurationMs(std::string_view text) {
  int64_t count = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (ec != std::errc() || end == text.data() || count < 0) return std::nullopt;
  const std::string_view unit = text.substr(static_cast<size_t>(end - text.data()));
  int64_t ms = 0;
  if (unit == "ms") {
    ms = 1;
  } else if (unit == "s") {
    ms = 1000;
  } else if (unit == "min") {
    ms = 60'000;
  } else if (unit == "h") {
    ms = 3'600'000;
  } else {
    return std::nullopt;
  }
  if (count > std::numeric_limits<int64_t>::max() / ms) return std::nullopt;
  return count * ms;
}

}  // namespace

struct ConfigFile::Impl {
  std::string source;
  toml::table table;
  std::set<std::string, std::less<>> read;  // keys a getter asked for

  // The key's node, marked as read; nullptr if the file does not set it.
  const toml::node* Take(std::string_view key) {
    const toml::node* node = table.get(key);
    if (node != nullptr) read.emplace(key);
    return node;
  }
  int64_t LineOf(std::string_view key) const {
    const toml::node* node = table.get(key);
    return node == nullptr ? 0 : static_cast<int64_t>(node->source().begin.line);
  }
};

ConfigFile::ConfigFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ConfigFile::ConfigFile(ConfigFile&&) noexcept = default;
ConfigFile& ConfigFile::operator=(ConfigFile&&) noexcept = default;
ConfigFile::~ConfigFile() = default;

base::Result<ConfigFile> ConfigFile::Parse(std::string_view text, std::string_view source) {
  CK_TRY(CheckBytes(text, source));
  auto impl = std::make_unique<Impl>();
  impl->source = std::string(source);
  try {
    impl->table = toml::parse(text, std::string_view(impl->source));
  } catch (const toml::parse_error& e) {
    std::string why(e.description());
    if (why.find("could not determine value type") != std::string::npos) {
      why += " (text goes in double quotes: key = \"text\")";
    }
    return base::InvalidArgument(Where(source, e.source().begin.line) + why);
  }
  return ConfigFile(std::move(impl));
}

bool ConfigFile::Has(std::string_view key) const { return impl_->table.contains(key); }

base::Status ConfigFile::Error(std::string_view key, std::string_view why) const {
  const int64_t line = impl_->LineOf(key);
  const std::string where = line > 0 ? Where(impl_->source, line) : impl_->source + ": ";
  return base::InvalidArgument(where + "key '" + std::string(key) + "': " + std::string(why));
}

base::Status ConfigFile::GetString(std::string_view key, std::string* out) {
  const toml::node* node = impl_->Take(key);
  if (node == nullptr) return base::Status::Ok();
  const auto* s = node->as_string();
  if (s == nullptr) return Error(key, "must be text in double quotes, got " + Describe(*node));
  if (base::HasControlChars(s->get())) return Error(key, "control character in the value");
  *out = s->get();
  return base::Status::Ok();
}

base::Status ConfigFile::GetInt(std::string_view key, int64_t min, int64_t max, int64_t* out) {
  const toml::node* node = impl_->Take(key);
  if (node == nullptr) return base::Status::Ok();
  const auto* i = node->as_integer();
  if (i == nullptr)
    return Error(key, "must be a whole number " + Range(min, max) + ", " + Got(*node));
  if (i->get() < min || i->get() > max) {
    return Error(key, "must be " + Range(min, max) + ", got " + std::to_string(i->get()));
  }
  *out = i->get();
  return base::Status::Ok();
}

base::Status ConfigFile::GetBool(std::string_view key, bool* out) {
  const toml::node* node = impl_->Take(key);
  if (node == nullptr) return base::Status::Ok();
  const auto* b = node->as_boolean();
  if (b == nullptr) return Error(key, "must be true or false, " + Got(*node));
  *out = b->get();
  return base::Status::Ok();
}

base::Status ConfigFile::GetEnum(std::string_view key, std::span<const std::string_view> choices,
                                 std::string* out) {
  std::string joined;
  for (std::string_view c : choices) {
    if (!joined.empty()) joined += " | ";
    joined += c;
  }
  const toml::node* node = impl_->Take(key);
  if (node == nullptr) return base::Status::Ok();
  const auto* s = node->as_string();
  if (s == nullptr || std::find(choices.begin(), choices.end(), s->get()) == choices.end()) {
    return Error(key, "must be " + joined + ", got " + Describe(*node));
  }
  *out = s->get();
  return base::Status::Ok();
}

base::Status ConfigFile::GetDuration(std::string_view key, TimeUnit unit, int64_t min, int64_t max,
                                     int64_t* out) {
  const toml::node* node = impl_->Take(key);
  if (node == nullptr) return base::Status::Ok();
  if (const auto* i = node->as_integer()) {
    if (i->get() < min || i->get() > max) {
      return Error(key, "must be " + Range(min, max) + ", got " + std::to_string(i->get()));
    }
    *out = i->get();
    return base::Status::Ok();
  }
  const std::string expected = "must be a whole number " + Range(min, max) + " (" +
                               std::string(UnitName(unit)) + ") or a duration such as \"90s\", ";
  const auto* s = node->as_string();
  const std::optional<int64_t> ms = s == nullptr ? std::nullopt : ParseDurationMs(s->get());
  if (!ms.has_value()) return Error(key, expected + "got " + Describe(*node));
  if (*ms % UnitMs(unit) != 0) {
    return Error(key, "must be whole " + std::string(UnitName(unit)) + ", got " + Describe(*node));
  }
  const int64_t count = *ms / UnitMs(unit);
  if (count < min || count > max) {
    return Error(key, "must be " + Range(min, max) + " " + std::string(UnitName(unit)) + ", got " +
                          Describe(*node));
  }
  *out = count;
  return base::Status::Ok();
}

base::Result<std::vector<ConfigFile::TextEntry>> ConfigFile::AllText(bool allow_line_breaks) {
  std::vector<std::pair<int64_t, const toml::key*>> keys;  // in file order, so errors are too
  for (const auto& [key, node] : impl_->table) {
    keys.emplace_back(static_cast<int64_t>(key.source().begin.line), &key);
  }
  std::sort(keys.begin(), keys.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<TextEntry> entries;
  for (const auto& [line, key] : keys) {
    const std::string_view name = key->str();
    const toml::node& node = *impl_->Take(name);
    const auto* s = node.as_string();
    if (s == nullptr) return Error(name, "must be text in double quotes, got " + Describe(node));
    const std::string& value = s->get();
    const bool control = std::any_of(value.begin(), value.end(), [allow_line_breaks](char ch) {
      const auto c = static_cast<unsigned char>(ch);
      return (c < 0x20 || c == 0x7f) && !(allow_line_breaks && c == '\n');
    });
    if (control) return Error(name, "control character in the value");
    entries.push_back({std::string(name), value, line});
  }
  return entries;
}

base::Status ConfigFile::Finish() const {
  std::string_view unknown;
  int64_t first_line = 0;
  for (const auto& [key, node] : impl_->table) {
    if (impl_->read.contains(key.str())) continue;
    const auto line = static_cast<int64_t>(key.source().begin.line);
    if (unknown.empty() || line < first_line) {
      unknown = key.str();
      first_line = line;
    }
  }
  if (unknown.empty()) return base::Status::Ok();
  return base::InvalidArgument(Where(impl_->source, first_line) + "unknown key '" +
                               std::string(unknown) + "'");
}

base::Result<std::string> ReadConfigFile(const std::string& path, size_t max_bytes) {
  base::Result<std::string> text = base::ReadFile(path, max_bytes);
  if (!text.ok() && text.status().code() == base::StatusCode::kOutOfRange) {
    const std::string limit = max_bytes % (size_t{1} << 20) == 0
                                  ? std::to_string(max_bytes >> 20) + " MiB"
                                  : std::to_string(max_bytes) + " bytes";
    return base::OutOfRange(path + ": larger than the " + limit + " limit for this file");
  }
  return text;
}

void ConfigWriter::Comment(std::string_view text) {
  while (true) {
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    out_ += line.empty() ? "#" : "# ";
    out_ += line;
    out_ += '\n';
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

void ConfigWriter::String(std::string_view key, std::string_view value) {
  out_.append(key).append(" = ").append(QuoteString(value)).append("\n");
}

void ConfigWriter::Int(std::string_view key, int64_t value) {
  out_.append(key).append(" = ").append(std::to_string(value)).append("\n");
}

void ConfigWriter::Bool(std::string_view key, bool value) {
  out_.append(key).append(" = ").append(value ? "true" : "false").append("\n");
}

std::string QuoteString(std::string_view value) {
  std::ostringstream out;
  out << toml::toml_formatter{toml::value<std::string>(std::string(value)),
                              toml::format_flags::allow_unicode_strings};
  return out.str();
}

std::string QuoteForMessage(std::string_view s) {
  constexpr size_t kMax = 40;
  size_t cut = s.size();
  if (cut > kMax) {
    cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // whole chars
  }
  // Built by append: GCC 12's -Wrestrict misfires on "'" + std::string(...) at -O3.
  std::string out;
  out.reserve(cut + 5);
  out += '\'';
  out.append(s.substr(0, cut));
  if (cut < s.size()) out += "...";
  out += '\'';
  return out;
}

}  // namespace ck_config
