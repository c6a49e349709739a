#include "issue_print.h"

#include <unistd.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <system_error>

#include "base/time_format.h"
#include "kiosk_settings/theme.h"
#include "scanner/qr_codec.h"

namespace cardctl {
namespace {

// <prefix>/bin/cardctl -> <prefix>/share/cardkiosk/assets/theme; in a build tree, the source's.
std::string DefaultThemeDir() {
  char exe[PATH_MAX] = {};
  const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    std::string dir(exe, static_cast<size_t>(n));
    dir.resize(dir.rfind('/') + 1);
    const std::string installed = dir + "../share/cardkiosk/assets/theme";
    if (::access((installed + "/theme.conf").c_str(), R_OK) == 0) return installed;
  }
  return CK_SOURCE_ASSETS_DIR "/theme";
}

cardctl_print::Rgb ToRgb(const kiosk_settings::Rgb& c) { return {c.r, c.g, c.b}; }

}  // namespace

base::Result<PrintOptions> PrintOptionsFrom(const Args& args) {
  PrintOptions o;
  o.pdf = args.Get("print");
  if (o.pdf) {
    // Checked before any card is signed: a run of 100,000 cards should not end in a missing folder.
    std::string folder = std::filesystem::path(*o.pdf).parent_path().string();
    if (folder.empty()) folder = ".";
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec)) {
      return base::InvalidArgument("--print " + *o.pdf + ": the folder '" + folder +
                                   "' does not exist (give a file in an existing folder)");
    }
  }
  if (auto l = args.Get("print-layout")) {
    if (*l == "a4") {
      o.layout = cardctl_print::PrintLayout::kA4;
    } else if (*l == "card") {
      o.layout = cardctl_print::PrintLayout::kCard;
    } else {
      return base::InvalidArgument("--print-layout must be a4 or card, got '" + *l + "'");
    }
    if (!o.pdf) return base::InvalidArgument("--print-layout needs --print FILE.pdf");
  }
  o.phone = args.Has("phone");
  o.theme_dir = args.Get("theme").value_or(DefaultThemeDir());
  return o;
}

bool WantsFaces(const PrintOptions& o) { return o.pdf.has_value() || o.phone; }

base::Result<cardctl_print::CardStyle> LoadCardStyle(const std::string& dir) {
  CK_ASSIGN_OR_RETURN(kiosk_settings::Theme theme, kiosk_settings::LoadTheme(dir));
  cardctl_print::CardStyle s;
  s.union_name = theme.name;
  s.band = ToRgb(theme.background);
  s.band_text = ToRgb(theme.text);
  s.accent = ToRgb(theme.accent);
  s.logo_png = theme.logo_path;
  return s;
}

base::Result<cardctl_print::QrModules> EncodeQr(const std::string& text) {
  CK_ASSIGN_OR_RETURN(scanner::QrModules m, scanner::EncodeQrModules(text));
  return cardctl_print::QrModules{.size = m.size, .dark = std::move(m.dark)};
}

base::Result<std::string> BareQrPng(const cardctl_print::QrModules& qr) {
  return scanner::EncodeQrPng(scanner::QrModules{.size = qr.size, .dark = qr.dark},
                              scanner::QrRenderOptions{}, kPrintDpi);
}

cardctl_print::CardFace MakeFace(cardctl_print::QrModules qr, const std::string& display_name,
                                 const std::string& org, const std::string& number, int64_t exp) {
  cardctl_print::CardFace f{.display_name = display_name, .org = org, .number = number};
  const std::string iso = base::FormatIso8601Utc(exp);  // YYYY-MM-DDT...
  f.valid_until = iso.substr(8, 2) + "." + iso.substr(5, 2) + "." + iso.substr(0, 4);
  f.qr = std::move(qr);
  return f;
}

}  // namespace cardctl
