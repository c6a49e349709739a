#include "help.h"

namespace cardctl {
namespace {

struct Command {
  const char* name;      // "bundle build"
  const char* synopsis;  // options
  const char* summary;   // one line
  const char* details;   // `cardctl help NAME`
};

constexpr Command kCommands[] = {
    {"keygen", "--alg es256|ed25519 --out PREFIX [--force]",
     "make a signing key: PREFIX.key.pem (mode 0600) and PREFIX.pub.pem; prints the kid", ""},
    {"secret", "--out FILE [--force]",
     "make a status secret (32 random bytes, mode 0600) for issuing cards and bundles", ""},
    {"issue",
     "--key K.key.pem --iss CODE --status-secret FILE --members EXPORT.csv --out DIR\n"
     "        [--valid-days N] [--iat ISO-8601-TIME] [--names none|short]\n"
     "        [--encoding utf-8|cp1251] [--columns FILE]\n"
     "        [--print FILE.pdf [--print-layout a4|card]] [--phone] [--theme DIR]",
     "issue cards: DIR/<member_id>.txt (QR text) and DIR/<member_id>.png (QR, 300 dpi)",
     "  --members    the registry export: UTF-8 or Windows-1251, ',' ';' or tab, English or\n"
     "               Russian headers (docs/input-files.md); --encoding forces the encoding,\n"
     "               --columns FILE maps other header names ('field = header name' lines)\n"
     "  --names      none (default): no name on the card; short: 'Анна И.'\n"
     "  --print      a print-ready PDF: a4 (default) = 10 ID-1 cards per page with crop marks,\n"
     "               card = one 85.6 x 54 mm page per card for card printers\n"
     "  --phone      also DIR/<member_id>.card.png, the card as an image for a phone\n"
     "  --theme      the union's theme dir (theme.conf, logo.png) for the printed card\n"},
    {"issue-admin", "--key ADMIN.key.pem --name NAME --valid-days N --out DIR [--iss CODE]",
     "issue an admin card: DIR/admin-<id>.txt and .png; prints the admin id (for withdrawal)",
     "  --key        an admin key, listed in bundles with --admin-keys (never an issuer key)\n"
     "  --name       the name the kiosk shows when the card opens the admin menu (1-40 bytes)\n"
     "  --iss        optional issuer code carried on the card\n"},
    {"verify",
     "(--pubkey FILE [--pubkey FILE...] | --data-dir DIR) [--at ISO-8601-TIME]\n"
     "        (--text TEXT | --image FILE | -)",
     "verify cards offline; one JSON line per card; exit 0 VALID, 1 other verdict, 2 error", ""},
    {"bundle build",
     "--members EXPORT.csv --issuer-pubkey FILE [--issuer-pubkey FILE...]\n"
     "        [--withdrawn-pubkey FILE...] [--iss CODE] --status-secret FILE --seq N\n"
     "        --valid-days N --mode allow|deny --sign bundle.key.pem --out FILE.ckbundle\n"
     "        [--partners F] [--offers F] [--events F] [--roster F] [--allow-unknown-roster]\n"
     "        [--encoding utf-8|cp1251] [--columns FILE] [--utc-offset +HH:MM]\n"
     "        [--delta-from OLD.ckbundle [--full FULL.ckbundle]]\n"
     "        [--admin-keys ADMIN_KEYS.csv [--withdrawn-admins WITHDRAWN.csv]]",
     "build a signed registry bundle from the union's exports",
     "  --members    the same export `issue` reads; status missing = active, min_serial\n"
     "               missing = the row's serial (a reissued card invalidates the older ones)\n"
     "  --partners --offers --events --roster: any encoding and separator, Russian or English\n"
     "               headers and values (docs/input-files.md)\n"
     "  --delta-from --out is the delta from OLD's registry to this one (a smaller update for\n"
     "               kiosks that hold OLD); --full writes the full bundle too\n"
     "  --utc-offset the kiosks' local time (default +03:00): an event given by dates runs\n"
     "               from the first day's local midnight to the end of its last day\n"
     "  --allow-unknown-roster  keep roster rows whose member IDs are not in --members\n"
     "  --admin-keys the keys of admin cards: key_file,not_before,not_after,withdrawn (key_file\n"
     "               relative to the CSV); the registry is then schema version 3\n"
     "  --withdrawn-admins  admin cards that no longer open the admin menu: a column admin_id\n"},
    {"bundle inspect", "FILE.ckbundle [--trust bundle.pub.pem]",
     "show the manifest, check the signature and content, count rows per table", ""},
    {"bundle apply", "--data-dir DIR --trust bundle.pub.pem [--reinstall] FILE.ckbundle",
     "apply a bundle atomically; exit 0 applied, 1 refused, 2 usage or I/O error", ""},
    {"members-of",
     "--members EXPORT.csv --status-secret FILE --in REPORT.csv --out FILE.csv\n"
     "        [--encoding utf-8|cp1251] [--columns FILE] [--in-encoding utf-8|cp1251]",
     "add member_id and name to every row of a report that has a rid (office only)",
     "  rows whose rid matches no member are kept with an empty member_id and listed on\n"
     "  stderr; the header is the first row with a rid column (the rows before it, such as\n"
     "  the hub's 'Период' line, are copied): cardhub cashback --out, cardhub flags --format\n"
     "  csv; the output keeps the report's separator and is written atomically\n"},
    {"usb-watch",
     "--data-dir DIR --trust bundle.pub.pem [--mount-dir DIR] [--once] [--export-journal]",
     "watch the mount dir (default /media) for USB sticks: apply the newest valid *.ckbundle",
     "  a line per stick until SIGINT/SIGTERM; --once: the sticks there now, then exit 0\n"
     "  applied or nothing to do, 1 all refused, 2 I/O error\n"},
    {"sync", "--data-dir DIR --hub URL [--hub-cert FILE] [--trust bundle.pub.pem]",
     "one pull + push cycle with the hub; exit 0 done, 1 refused, 2 usage or network error", ""},
    {"device pubkey", "--data-dir DIR",
     "print the device's public key (PEM), creating the device key on first use", ""},
    {"journal export", "--data-dir DIR --out FILE.ckjournal",
     "write the entries not yet acknowledged as a batch signed by the device key", ""},
    {"journal verify", "FILE.ckjournal --device-pubkey FILE | --data-dir DIR",
     "check a batch or the chain of DIR/journal.db; exit 0 OK, 1 bad, 2 usage or I/O", ""},
    {"journal ack", "--data-dir DIR --through SEQ",
     "record that entries up to SEQ reached the union (never moves back)", ""},
    {"journal list", "--data-dir DIR [--from SEQ]", "one JSON line per entry", ""},
    {"journal new-chain", "--data-dir DIR --confirm",
     "after DIR/journal.db was lost: a new journal that records the one it follows", ""},
    {"version", "", "print the version", ""},
    {"help", "[COMMAND]", "this list, or one command's options", ""},
};

std::string Entry(const Command& c, bool details) {
  std::string out = "  " + std::string(c.name);
  if (*c.synopsis != '\0') out += " " + std::string(c.synopsis);
  out += "\n      " + std::string(c.summary) + "\n";
  if (details) out += c.details;
  return out;
}

}  // namespace

std::string UsageText() {
  std::string out =
      "usage: cardctl COMMAND [options]   (cardctl help COMMAND: its options)\n\n"
      "commands:\n";
  for (const Command& c : kCommands) out += Entry(c, false);
  out += "\ndocs/admin-guide.md: from the registry export to cards, bundles and sticks\n";
  return out;
}

std::string CommandHelp(const std::vector<std::string>& words) {
  std::string wanted;
  for (const std::string& w : words) wanted += (wanted.empty() ? "" : " ") + w;
  std::string out;
  for (const Command& c : kCommands) {
    const std::string name = c.name;
    if (name == wanted || name.starts_with(wanted + " ")) out += Entry(c, true);
  }
  return out.empty() ? out : "usage: cardctl ...\n" + out;
}

}  // namespace cardctl
