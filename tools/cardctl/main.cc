// cardctl: the admin's tool for keys, cards and (later) bundles and journals.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "args.h"
#include "base/fs.h"
#include "commands.h"

namespace {

constexpr char kUsage[] =
    "usage: cardctl COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  keygen --alg es256|ed25519 --out PREFIX [--force]\n"
    "      make a signing key: PREFIX.key.pem (mode 0600) and PREFIX.pub.pem; prints the kid\n"
    "  secret --out FILE [--force]\n"
    "      make a status secret (32 random bytes, mode 0600) for issuing cards and bundles\n"
    "  issue --key K.key.pem --iss CODE --status-secret FILE --members members.csv --out DIR\n"
    "        [--valid-days N] [--iat ISO-8601-TIME] [--names none|short]\n"
    "      issue cards: DIR/<member_id>.txt (QR text) and DIR/<member_id>.png (QR, 300 dpi)\n"
    "  verify (--pubkey FILE [--pubkey FILE...] | --data-dir DIR) [--at ISO-8601-TIME]\n"
    "         (--text TEXT | --image FILE | -)\n"
    "      verify cards offline; one JSON line per card; exit 0 VALID, 1 other verdict, 2 error\n"
    "  bundle build --members members.csv --issuer-pubkey FILE [--issuer-pubkey FILE...]\n"
    "        [--withdrawn-pubkey FILE...] [--iss CODE] --status-secret FILE --seq N --valid-days "
    "N\n"
    "        --mode allow|deny --sign bundle.key.pem --out FILE.ckbundle\n"
    "        [--partners F] [--offers F] [--events F] [--roster F]\n"
    "        [--delta-from OLD.ckbundle [--full FULL.ckbundle]]\n"
    "      build a signed registry bundle from the union's CSV exports; with --delta-from, --out\n"
    "      is the delta from OLD's registry (and --full the full bundle too)\n"
    "  bundle inspect FILE.ckbundle [--trust bundle.pub.pem]\n"
    "      show the manifest, check the signature and content, count rows per table\n"
    "  bundle apply --data-dir DIR --trust bundle.pub.pem [--reinstall] FILE.ckbundle\n"
    "      apply a bundle atomically; exit 0 applied, 1 refused, 2 usage or I/O error\n"
    "  usb-watch --data-dir DIR --trust bundle.pub.pem [--mount-dir DIR] [--once] "
    "[--export-journal]\n"
    "      watch the mount dir (default /media) for USB sticks: apply the newest valid *.ckbundle\n"
    "      on each and write a receipt back; a line per stick until SIGINT/SIGTERM; --once: the\n"
    "      sticks there now, then exit 0 applied or nothing to do, 1 all refused, 2 I/O error\n"
    "  journal export --data-dir DIR --out FILE.ckjournal\n"
    "      write the entries not yet acknowledged as a batch signed by the device key\n"
    "  journal verify FILE.ckjournal --device-pubkey FILE | journal verify --data-dir DIR\n"
    "      check a batch (signature, body hash, chain; totals per partner and event) or the\n"
    "      chain of DIR/journal.db; names the first bad seq; exit 0 OK, 1 bad, 2 usage or I/O\n"
    "  journal ack --data-dir DIR --through SEQ\n"
    "      record that entries up to SEQ reached the union (never moves back)\n"
    "  journal list --data-dir DIR [--from SEQ]\n"
    "      one JSON line per entry\n"
    "  journal new-chain --data-dir DIR --confirm\n"
    "      after DIR/journal.db was lost: a new journal that records the one it follows\n"
    "  version\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "help") == 0 || std::strcmp(argv[1], "--help") == 0 ||
      std::strcmp(argv[1], "-h") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? cardctl::kExitUsage : cardctl::kExitOk;
  }
  const std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  base::PosixFileSystem fs;  // the one filesystem every command below uses
  if (cmd == "keygen") return cardctl::RunKeygen(args);
  if (cmd == "secret") return cardctl::RunSecret(args);
  if (cmd == "issue") return cardctl::RunIssue(args);
  if (cmd == "verify") return cardctl::RunVerify(args);
  if (cmd == "bundle") return cardctl::RunBundle(fs, args);
  if (cmd == "usb-watch") return cardctl::RunUsbWatch(fs, args);
  if (cmd == "sync") return cardctl::RunSync(fs, args);
  if (cmd == "device") return cardctl::RunDevice(fs, args);
  if (cmd == "journal") return cardctl::RunJournal(fs, args);
  if (cmd == "version" || cmd == "--version") {
    std::printf("cardctl %s\n", CK_VERSION);
    return cardctl::kExitOk;
  }
  std::fprintf(stderr, "cardctl: unknown command '%s'\n\n%s", cmd.c_str(), kUsage);
  return cardctl::kExitUsage;
}
