#include <unistd.h>

#include <cstdio>

#include "args.h"
#include "base/file.h"
#include "base/hex.h"
#include "card/crypto.h"
#include "commands.h"

namespace cardctl {
namespace {

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

}  // namespace

int RunKeygen(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {"alg", "out"}, {"force"});
  if (!args.ok()) return Fail(args.status());
  if (!args->positional().empty()) return Fail("unexpected argument " + args->positional()[0]);
  auto alg_name = args->Require("alg");
  if (!alg_name.ok()) return Fail(alg_name.status());
  auto alg = card::ParseAlgName(*alg_name);
  if (!alg.ok()) return Fail(alg.status());
  auto prefix = args->Require("out");
  if (!prefix.ok()) return Fail(prefix.status());
  const std::string key_path = *prefix + ".key.pem";
  const std::string pub_path = *prefix + ".pub.pem";
  if (!args->Has("force") && (Exists(key_path) || Exists(pub_path))) {
    return Fail(key_path + " or " + pub_path +
                " already exists; a new key would orphan every card signed with the old one "
                "(use --force to replace it)");
  }
  auto key = card::PrivateKey::Generate(*alg);
  if (!key.ok()) return Fail(key.status());
  auto pem = key->ToPem();
  if (!pem.ok()) return Fail(pem.status());
  auto pub = key->Public();
  if (!pub.ok()) return Fail(pub.status());
  if (base::Status st = base::WriteFileAtomic(key_path, *pem, 0600); !st.ok()) return Fail(st);
  if (base::Status st = base::WriteFileAtomic(pub_path, pub->ToPem(), 0644); !st.ok())
    return Fail(st);
  std::printf("%s\n", base::ToHex(pub->kid()).c_str());
  return kExitOk;
}

int RunSecret(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {"out"}, {"force"});
  if (!args.ok()) return Fail(args.status());
  if (!args->positional().empty()) return Fail("unexpected argument " + args->positional()[0]);
  auto out = args->Require("out");
  if (!out.ok()) return Fail(out.status());
  if (!args->Has("force") && Exists(*out)) {
    return Fail(*out + " already exists; a new secret changes every member's rid (use --force)");
  }
  auto bytes = card::RandomBytes(32);
  if (!bytes.ok()) return Fail(bytes.status());
  if (base::Status st = base::WriteFileAtomic(*out, base::AsChars(*bytes), 0600); !st.ok()) {
    return Fail(st);
  }
  return kExitOk;
}

}  // namespace cardctl
