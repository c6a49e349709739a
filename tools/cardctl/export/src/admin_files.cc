#include "cardctl_export/admin_files.h"

#include <charconv>
#include <map>

#include "cardctl_export/admin_values.h"
#include "cardctl_export/members_export.h"

namespace cardctl_export {
namespace {

FieldSpec F(std::string name, std::vector<std::string> accepts, bool required = true) {
  accepts.insert(accepts.begin(), name);
  return {std::move(name), std::move(accepts), required};
}

std::vector<FieldSpec> Partners() {
  return {F("partner_id", {"код партнера", "партнер"}), F("name", {"название", "наименование"}),
          F("city", {"город"}, false), F("address", {"адрес"}, false)};
}

// Money: "_minor" (kopecks, as today), "_kop" and ", коп." say kopecks; "_rub" and ", руб."
// say roubles. A Russian name without its unit is not taken: the unit must be in the name.
std::vector<FieldSpec> Offers() {
  return {F("offer_id", {"код предложения", "предложение"}),
          F("partner_id", {"код партнера", "партнер"}),
          F("kind", {"вид", "тип"}),
          F("value", {"value_minor", "value_kop", "значение", "размер", "сумма, коп."}, false),
          F("value_rub", {"сумма, руб.", "размер, руб.", "значение, руб."}, false),
          F("min_purchase_minor", {"min_purchase_kop", "минимальная покупка, коп."}, false),
          F("min_purchase_rub", {"минимальная покупка, руб."}, false),
          F("max_discount_minor",
            {"max_discount_kop", "максимальная скидка, коп.", "max_cashback_minor",
             "максимальный кэшбэк, коп."},
            false),
          F("max_discount_rub",
            {"максимальная скидка, руб.", "max_cashback_rub", "максимальный кэшбэк, руб."}, false),
          F("categories", {"категории"}, false),
          F("orgs", {"организации"}, false),
          F("valid_from", {"действует с", "начало"}, false),
          F("valid_to", {"действует по", "окончание"}, false),
          F("weekdays", {"дни недели", "дни"}, false),
          F("hours", {"часы", "время"}, false),
          F("cap_count", {"лимит раз"}, false),
          F("cap_amount_minor", {"cap_amount_kop", "лимит суммы, коп."}, false),
          F("cap_amount_rub", {"лимит суммы, руб."}, false),
          F("cap_period", {"период лимита"}, false),
          F("title", {"название", "описание"})};
}

std::vector<FieldSpec> Events() {
  return {F("event_id", {"код мероприятия", "мероприятие"}),
          F("title", {"название"}),
          F("venue", {"место"}, false),
          F("starts", {"начало"}),
          F("ends", {"окончание"}),
          F("mode", {"режим", "вход"}),
          F("entries_per_member", {"входов на человека"}, false),
          F("capacity", {"вместимость"}, false)};
}

std::vector<FieldSpec> Roster() {
  return {F("event_id", {"код мероприятия", "мероприятие"}),
          F("member_id", {"id", "номер члена профсоюза", "учетный номер"})};
}

// The registry's column order for each file (what the canonical header lists).
std::vector<std::string> CanonicalColumns(AdminFile kind) {
  switch (kind) {
    case AdminFile::kPartners:
      return {"partner_id", "name", "city", "address"};
    case AdminFile::kOffers:
      return {"offer_id",           "partner_id",         "kind",       "value",
              "min_purchase_minor", "max_discount_minor", "categories", "orgs",
              "valid_from",         "valid_to",           "weekdays",   "hours",
              "cap_count",          "cap_amount_minor",   "cap_period", "title"};
    case AdminFile::kEvents:
      return {"event_id",           "title",   "venue", "starts", "ends", "mode",
              "entries_per_member", "capacity"};
    case AdminFile::kRoster:
      return {"event_id", "member_id"};
  }
  return {};
}

void AppendCsvField(std::string_view v, std::string* out) {
  if (v.find_first_of(",\"\n\r") == std::string_view::npos) {
    out->append(v);
    return;
  }
  out->push_back('"');
  for (char c : v) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

// One row: field name -> value as given, with the column's header for messages.
class Values {
 public:
  Values(const Record& rec, const Columns& cols) : rec_(rec), cols_(cols) {}
  std::string Get(std::string_view f) const {
    std::optional<size_t> i = cols_.Index(f);
    return i ? rec_.fields[*i] : std::string();
  }
  base::Status Bad(std::string_view f, const base::Status& why) const {
    return base::InvalidArgument("column '" + cols_.HeaderOf(f) + "' (" + std::string(f) +
                                 "): " + why.message());
  }

 private:
  const Record& rec_;
  const Columns& cols_;
};

// Money given in kopecks (`minor`) or roubles (`rub`) -> kopecks text; both given is an error.
base::Result<std::string> Money(const Values& v, const std::string& minor, const std::string& rub) {
  const std::string k = WholeNumber(v.Get(minor)), r = v.Get(rub);
  if (!k.empty() && !r.empty()) {
    return base::InvalidArgument("both " + minor + " and " + rub + " are given; keep one");
  }
  if (r.empty()) return k;
  base::Result<std::string> out = RoublesToKopecks(r);
  if (!out.ok()) return v.Bad(rub, out.status());
  return out;
}

std::string RoublesText(int64_t kopecks) {
  std::string frac = std::to_string(kopecks % 100);
  if (frac.size() < 2) frac = "0" + frac;
  return std::to_string(kopecks / 100) + "," + frac + " ₽";
}

// The warning an offer's title earns when it names an amount other than its value.
std::string TitleWarning(const std::string& kind, const std::string& value,
                         const std::string& title) {
  TitleAmount a = AmountInTitle(title);
  int64_t v = 0;
  if (kind == "fixed" && a.kopecks &&
      std::from_chars(value.data(), value.data() + value.size(), v).ec == std::errc() &&
      v != *a.kopecks) {
    return "title '" + title + "' names " + RoublesText(*a.kopecks) + " but the discount is " +
           RoublesText(v) + " (" + value + " kopecks; give roubles in a column value_rub)";
  }
  if ((kind == "percent" || kind == "cashback") && a.basis_points) {
    base::Result<std::string> bp = RoublesToKopecks(value);  // "7.5" -> "750"
    if (bp.ok() && std::stoll(*bp) != *a.basis_points) {
      return "title '" + title + "' names another percentage than the value " + value + "%";
    }
  }
  return {};
}

// Rewrites one offers row in place (Russian forms to canonical), adding a warning if needed.
base::Status OfferRow(const Values& v, std::map<std::string, std::string>* out,
                      std::string* warning) {
  auto& o = *out;
  o["kind"] = OfferKindWord(v.Get("kind"));
  const std::string rub = v.Get("value_rub");
  if (!rub.empty()) {
    if (!v.Get("value").empty())
      return base::InvalidArgument("both value and value_rub are given; keep one");
    if (o["kind"] != "fixed")
      return v.Bad("value_rub",
                   base::InvalidArgument(
                       "roubles are for a fixed discount; a percent goes in column value"));
    base::Result<std::string> k = RoublesToKopecks(rub);
    if (!k.ok()) return v.Bad("value_rub", k.status());
    o["value"] = *k;
  } else {
    o["value"] = o["kind"] == "fixed" ? WholeNumber(v.Get("value")) : DecimalPoint(v.Get("value"));
  }
  for (const char* m : {"min_purchase", "max_discount", "cap_amount"}) {
    CK_ASSIGN_OR_RETURN(o[std::string(m) + "_minor"],
                        Money(v, std::string(m) + "_minor", std::string(m) + "_rub"));
  }
  if (std::string c = v.Get("categories"); !c.empty()) {
    base::Result<std::string> n = CategoryNumbers(c);
    if (!n.ok()) return v.Bad("categories", n.status());
    o["categories"] = *n;
  }
  std::string orgs = v.Get("orgs");
  for (char& c : orgs)
    if (c == ',') c = '|';
  o["orgs"] = orgs;
  for (const char* d : {"valid_from", "valid_to"}) {
    CK_ASSIGN_OR_RETURN(o[d], IsoDate(v.Get(d)));
  }
  if (std::string w = v.Get("weekdays"); !w.empty()) {
    base::Result<std::string> n = IsoWeekdays(w);
    if (!n.ok()) return v.Bad("weekdays", n.status());
    o["weekdays"] = *n;
  }
  o["hours"] = PaddedHours(v.Get("hours"));
  o["cap_count"] = WholeNumber(v.Get("cap_count"));
  o["cap_period"] = CapPeriodWord(v.Get("cap_period"));
  *warning = TitleWarning(o["kind"], o["value"], o["title"]);
  return base::Status::Ok();
}

base::Status EventRow(const Values& v, int64_t offset, std::map<std::string, std::string>* o) {
  for (const char* f : {"starts", "ends"}) {
    base::Result<std::string> t = EventTime(v.Get(f), f[0] == 'e', offset);
    if (!t.ok()) return v.Bad(f, t.status());
    (*o)[f] = *t;
  }
  (*o)["mode"] = EventModeWord(v.Get("mode"));
  (*o)["entries_per_member"] = WholeNumber(v.Get("entries_per_member"));
  (*o)["capacity"] = WholeNumber(v.Get("capacity"));
  return base::Status::Ok();
}

}  // namespace

const std::vector<FieldSpec>& AdminFields(AdminFile kind) {
  static const std::vector<FieldSpec> partners = Partners(), offers = Offers(), events = Events(),
                                      roster = Roster();
  switch (kind) {
    case AdminFile::kPartners:
      return partners;
    case AdminFile::kOffers:
      return offers;
    case AdminFile::kEvents:
      return events;
    case AdminFile::kRoster:
      break;
  }
  return roster;
}

base::Result<CanonicalFile> ReadAdminFile(base::FileSystem& fs, const std::string& path,
                                          AdminFile kind, const AdminFileOptions& options) {
  CK_ASSIGN_OR_RETURN(std::unique_ptr<Table> table, Table::Open(fs, path, options.read));
  CK_ASSIGN_OR_RETURN(Columns cols, Columns::Map(table->header(), AdminFields(kind), {}, path));
  if (kind == AdminFile::kOffers && !cols.Index("value") && !cols.Index("value_rub")) {
    return base::InvalidArgument(path + ":" + std::to_string(table->header().line) +
                                 ": header lacks column value (percent, or kopecks) or value_rub "
                                 "(roubles)");
  }
  const std::vector<std::string> canonical = CanonicalColumns(kind);
  CanonicalFile out;
  out.lines.push_back(table->header().line);
  for (size_t i = 0; i < canonical.size(); ++i) out.csv += (i ? "," : "") + canonical[i];
  out.csv += '\n';
  std::string errors;
  size_t error_count = 0, unknown = 0;
  Record rec;
  while (table->Next(&rec)) {
    ++out.rows;
    const std::string where = path + ":" + std::to_string(rec.line) + ": ";
    base::Status st;
    std::map<std::string, std::string> o;
    std::string warning;
    Values v(rec, cols);
    if (rec.fields.size() != cols.width()) {
      st = base::InvalidArgument("expected " + std::to_string(cols.width()) +
                                 " fields (as in the header), found " +
                                 std::to_string(rec.fields.size()));
    } else {
      for (const std::string& c : canonical) o[c] = v.Get(c);
      if (kind == AdminFile::kOffers) st = OfferRow(v, &o, &warning);
      if (kind == AdminFile::kEvents) st = EventRow(v, options.utc_offset_seconds, &o);
      if (kind == AdminFile::kRoster && options.is_member && !options.is_member(o["member_id"])) {
        ++unknown;
        const std::string why = "member_id '" + o["member_id"] + "' is not in the members file";
        if (options.allow_unknown_members) {
          warning = why + " (kept: --allow-unknown-roster)";
        } else {
          st = base::InvalidArgument(why + " (give --allow-unknown-roster to keep such rows)");
        }
      }
      for (const auto& [name, value] : o) {
        if (st.ok() && value.find_first_of("\r\n") != std::string::npos)
          st = base::InvalidArgument("column '" + name + "' holds a line break");
      }
    }
    if (!warning.empty() && out.warnings.size() < kMaxReportedRowErrors)
      out.warnings.push_back(where + "warning: " + warning);
    if (!st.ok()) {
      if (++error_count <= kMaxReportedRowErrors) errors += where + st.message() + "\n";
      continue;
    }
    for (size_t i = 0; i < canonical.size(); ++i) {
      if (i) out.csv += ',';
      AppendCsvField(o[canonical[i]], &out.csv);
    }
    out.csv += '\n';
    out.lines.push_back(rec.line);
  }
  if (!table->status().ok()) return table->status();
  if (error_count > 0) {
    if (error_count > kMaxReportedRowErrors)
      errors += "... and " + std::to_string(error_count - kMaxReportedRowErrors) + " more\n";
    return base::InvalidArgument(errors + path + ": " + std::to_string(error_count) +
                                 " bad row(s)");
  }
  if (unknown > 0)
    out.warnings.push_back(path + ": warning: " + std::to_string(unknown) +
                           " roster row(s) name member IDs that are not in the members file");
  out.detected = std::string(EncodingName(table->encoding())) + ", " +
                 Table::SeparatorName(table->separator()) + ", " + GroupThousands(out.rows) +
                 " rows, columns: " + cols.Describe();
  return out;
}

std::string MapToSource(std::string_view message, std::string_view canonical_path,
                        std::string_view path, const std::vector<size_t>& lines) {
  std::string out;
  const std::string prefix = std::string(canonical_path) + ":";
  size_t pos = 0;
  for (;;) {
    const size_t at = message.find(prefix, pos);
    if (at == std::string_view::npos) break;
    out.append(message.substr(pos, at - pos));
    out.append(path);
    out.push_back(':');
    pos = at + prefix.size();
    size_t end = pos;
    while (end < message.size() && message[end] >= '0' && message[end] <= '9') ++end;
    if (end > pos && end < message.size() && message[end] == ':') {
      const size_t n = std::stoul(std::string(message.substr(pos, end - pos)));
      out += std::to_string(n >= 1 && n <= lines.size() ? lines[n - 1] : n);
      pos = end;
    }
  }
  out.append(message.substr(pos));
  return out;
}

}  // namespace cardctl_export
