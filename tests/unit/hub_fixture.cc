#include "hub_fixture.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "base/file.h"
#include "bundle/delta.h"
#include "bundle/writer.h"
#include "card/rid.h"
#include "journal/device_key.h"
#include "journal/export.h"
#include "protocol/signing.h"
#include "real_fs.h"
#include "registry/builder.h"
#include "sqlite/db.h"
#include "sync/device_id.h"

extern char** environ;

namespace hubtest {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

base::Bytes FixedSecret() { return base::Bytes(32, 0x42); }

}  // namespace

bool MakeSelfSignedCert(const std::string& dir, TlsFiles* out) {
  EVP_PKEY* pkey = EVP_EC_gen("P-256");
  X509* x = X509_new();
  bool ok = pkey != nullptr && x != nullptr;
  if (ok) {
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 30);
    X509_set_pubkey(x, pkey);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
    X509_EXTENSION* ext =
        X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
    ok = ext != nullptr && X509_add_ext(x, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    ok = ok && X509_sign(x, pkey, EVP_sha256()) > 0;
  }
  if (ok) {
    out->cert_path = dir + "/hub-cert.pem";
    out->key_path = dir + "/hub-key.pem";
    BIO* cb = BIO_new_file(out->cert_path.c_str(), "w");
    BIO* kb = BIO_new_file(out->key_path.c_str(), "w");
    ok = cb != nullptr && kb != nullptr && PEM_write_bio_X509(cb, x) == 1 &&
         PEM_write_bio_PrivateKey(kb, pkey, nullptr, nullptr, 0, nullptr, nullptr) == 1;
    BIO_free(cb);
    BIO_free(kb);
    unsigned char* der = nullptr;
    int len = i2d_PUBKEY(pkey, &der);
    if (len > 0) out->spki_der.assign(der, der + len);
    OPENSSL_free(der);
    out->cert_pem = ReadAll(out->cert_path);
  }
  X509_free(x);
  EVP_PKEY_free(pkey);
  if (!ok) ADD_FAILURE() << "making a self-signed certificate failed";
  return ok;
}

HubProcess::~HubProcess() { Stop(); }

bool HubProcess::Start(const std::string& data_dir, const std::string& stderr_path,
                       const std::optional<TlsFiles>& tls, const std::string& config_path) {
  Stop();
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe failed";
    return false;
  }
  std::vector<std::string> args = cktest::ProgramCommand(CK_CARDHUB_PATH);
  args.insert(args.end(), {"serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir});
  if (!config_path.empty()) args.insert(args.end(), {"--config", config_path});
  if (tls) {
    args.insert(args.end(), {"--tls-cert", tls->cert_path, "--tls-key", tls->key_path});
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_addopen(&fa, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    ADD_FAILURE() << "spawning cardhub failed";
    return false;
  }
  pid_ = pid;
  stdout_fd_ = fds[0];
  tls_ = tls.has_value();
  // Wait for the first line.
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (line.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{stdout_fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[256];
    ssize_t n = read(stdout_fd_, buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  const std::string prefix = "listening on 127.0.0.1:";
  if (line.rfind(prefix, 0) != 0 || line.find('\n') == std::string::npos) {
    ADD_FAILURE() << "cardhub did not start: stdout '" << line
                  << "', stderr: " << ReadAll(stderr_path);
    Kill();
    return false;
  }
  port_ = std::stoi(line.substr(prefix.size()));
  return port_ > 0;
}

void HubProcess::Reap(int sig) {
  if (pid_ > 0) {
    kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  if (stdout_fd_ >= 0) {
    close(stdout_fd_);
    stdout_fd_ = -1;
  }
}

void HubProcess::Stop() { Reap(SIGTERM); }
void HubProcess::Kill() { Reap(SIGKILL); }

std::string HubProcess::base_url() const {
  return std::string(tls_ ? "https://" : "http://") + host_ + ":" + std::to_string(port_);
}

HubFixture::HubFixture()
    : clock_(kEntryTime), bundle_key_(card::PrivateKey::Generate(card::Alg::kES256).value()) {
  base::Status st = base::MakeDirs(hub_dir());
  if (st.ok()) st = base::MakeDirs(dir_.File("kiosks"));
  if (st.ok()) st = base::MakeDirs(dir_.File("bundles"));
  if (!st.ok()) ADD_FAILURE() << st.ToString();
  base::Result<card::PublicKey> pub = bundle_key_.Public();
  if (!pub.ok() || !base::WriteFileAtomic(bundle_pub_path(), pub->ToPem()).ok()) {
    ADD_FAILURE() << "writing the bundle public key failed";
  }
}

HubFixture::~HubFixture() { hub_.Stop(); }

std::string HubFixture::HubStderr() const { return ReadAll(hub_stderr_path()); }

cktest::ProcessResult HubFixture::Cardhub(const std::vector<std::string>& args) {
  if (config_path_.empty()) return cktest::RunProcess(CK_CARDHUB_PATH, args);
  std::vector<std::string> with = args;
  with.insert(with.end(), {"--config", config_path_});
  return cktest::RunProcess(CK_CARDHUB_PATH, with);
}

std::unique_ptr<hub::HubStore> HubFixture::OpenStore() {
  hub::Config config;
  if (!config_path_.empty()) {
    base::Result<hub::Config> c = hub::LoadConfig(config_path_);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    if (!c.ok()) return nullptr;
    config = *c;
  }
  base::Result<std::unique_ptr<hub::HubStore>> s = hub::OpenStore(hub_dir(), config);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

bool HubFixture::UseBackend(const std::string& backend) {
  if (backend == "sqlite") return true;
  if (backend != "postgres") {
    ADD_FAILURE() << "unknown hub store backend '" << backend << "'";
    return false;
  }
  pg_ = std::make_unique<PgTestSchema>();
  if (!pg_->Create()) return false;
  std::string path = dir_.File("hub.conf");
  std::string text = "store = \"postgres\"\npostgres_conninfo = \"" + pg_->conninfo() + "\"\n";
  base::Status st = base::WriteFileAtomic(path, text);
  if (!st.ok()) {
    ADD_FAILURE() << st.ToString();
    return false;
  }
  config_path_ = path;
  return true;
}

std::string HubFixture::NewKiosk(const std::string& name) {
  std::string dir = dir_.File("kiosks/" + name);
  base::Status st = base::MakeDirs(dir);
  if (!st.ok()) {
    ADD_FAILURE() << st.ToString();
    return "";
  }
  base::Result<card::PrivateKey> key = journal::LoadOrCreateDeviceKey(cktest::RealFs(), dir);
  base::Result<std::string> id = ck_sync::LoadOrCreateDeviceId(cktest::RealFs(), dir);
  base::Result<std::unique_ptr<journal::Journal>> j =
      journal::Journal::Open(dir + "/" + journal::kJournalFile, clock_);
  if (!key.ok() || !id.ok() || !j.ok()) {
    ADD_FAILURE() << "setting up kiosk " << name;
    return "";
  }
  return dir;
}

std::string HubFixture::DeviceId(const std::string& kiosk_dir) {
  base::Result<std::string> id = ck_sync::LoadOrCreateDeviceId(cktest::RealFs(), kiosk_dir);
  if (!id.ok()) ADD_FAILURE() << id.status().ToString();
  return id.ok() ? *id : "";
}

card::PrivateKey HubFixture::DeviceKey(const std::string& kiosk_dir) {
  return journal::LoadOrCreateDeviceKey(cktest::RealFs(), kiosk_dir).value();
}

bool HubFixture::Enroll(const std::string& kiosk_dir, const std::string& name) {
  cktest::ProcessResult r = Cardhub({"enroll", "--data-dir", hub_dir(), "--device-pubkey",
                                     kiosk_dir + "/" + journal::kDevicePubFile, "--name", name});
  if (r.exit_code != 0) ADD_FAILURE() << "enroll: " << r.Describe();
  return r.exit_code == 0;
}

namespace {

bool Append(const std::string& kiosk_dir, base::FakeClock& clock, int n, journal::NewEntry e) {
  base::Result<std::unique_ptr<journal::Journal>> j =
      journal::Journal::Open(kiosk_dir + "/" + journal::kJournalFile, clock);
  if (!j.ok()) {
    ADD_FAILURE() << j.status().ToString();
    return false;
  }
  for (int i = 0; i < n; ++i) {
    clock.Advance(60);
    base::Result<journal::Entry> r = (*j)->Append(e);
    if (!r.ok()) {
      ADD_FAILURE() << r.status().ToString();
      return false;
    }
  }
  return true;
}

}  // namespace

bool HubFixture::AppendDiscounts(const std::string& kiosk_dir, int n, const std::string& member) {
  journal::NewEntry e;
  e.kind = journal::Kind::kDiscount;
  e.rid = card::ComputeRid(FixedSecret(), member);
  e.partner_id = kPartner;
  e.offer_id = kCappedOffer;
  e.purchase_minor = 100000;
  e.discount_minor = 10000;
  e.bundle_seq = 1;
  e.verdict = "VALID";
  e.decision = journal::kAccepted;
  return Append(kiosk_dir, clock_, n, e);
}

bool HubFixture::AppendCheckins(const std::string& kiosk_dir, int n, const std::string& member) {
  journal::NewEntry e;
  e.kind = journal::Kind::kCheckin;
  e.rid = card::ComputeRid(FixedSecret(), member);
  e.event_id = kEvent;
  e.bundle_seq = 1;
  e.verdict = "VALID";
  e.decision = journal::kAccepted;
  return Append(kiosk_dir, clock_, n, e);
}

base::Bytes HubFixture::ExportBatch(const std::string& kiosk_dir, int64_t from_seq) {
  base::Result<std::unique_ptr<journal::Journal>> j =
      journal::Journal::Open(kiosk_dir + "/" + journal::kJournalFile, clock_);
  if (!j.ok()) {
    ADD_FAILURE() << j.status().ToString();
    return {};
  }
  card::PrivateKey key = DeviceKey(kiosk_dir);
  base::Result<base::Bytes> b =
      journal::WriteExport(**j, from_seq, DeviceId(kiosk_dir), key, clock_.NowUnixSeconds());
  if (!b.ok()) {
    ADD_FAILURE() << b.status().ToString();
    return {};
  }
  return *b;
}

base::Bytes HubFixture::ExportBatchV1(const std::string& kiosk_dir, int64_t from_seq) {
  card::PrivateKey key = DeviceKey(kiosk_dir);
  base::Result<journal::ExportCheck> check =
      journal::CheckExport(ExportBatch(kiosk_dir, from_seq), key.Public().value());
  if (!check.ok()) {
    ADD_FAILURE() << check.status().ToString();
    return {};
  }
  journal::ExportHeader h = check->header;
  h.version = 1;
  h.journal_id.clear();
  base::Bytes body;
  for (const journal::Entry& e : check->entries) {
    base::Bytes enc = journal::EncodeEntry(e);
    body.insert(body.end(), enc.begin(), enc.end());
  }
  base::Result<base::Bytes> file = journal::SealExport(h, body, key);
  if (!file.ok()) ADD_FAILURE() << file.status().ToString();
  return file.ok() ? *file : base::Bytes{};
}

std::string HubFixture::JournalId(const std::string& kiosk_dir) {
  base::Result<std::unique_ptr<journal::Journal>> j =
      journal::Journal::Open(kiosk_dir + "/" + journal::kJournalFile, clock_);
  if (!j.ok()) ADD_FAILURE() << j.status().ToString();
  return j.ok() ? (*j)->identity().journal_id : "";
}

bool HubFixture::SetJournalId(const std::string& kiosk_dir, const std::string& journal_id) {
  auto db = sqlite::Db::Open(kiosk_dir + "/" + journal::kJournalFile, sqlite::Db::Mode::kReadWrite);
  if (!db.ok()) return false;
  auto st = db->Prepare("UPDATE meta SET value = ? WHERE key = 'journal_id'");
  return st.ok() && st->Bind(1, journal_id).Run().ok() && sqlite3_changes(db->get()) == 1;
}

std::string HubFixture::Sign(const std::string& kiosk_dir, const std::string& method,
                             const std::string& path, base::ByteSpan body) {
  card::PrivateKey key = DeviceKey(kiosk_dir);
  base::SystemClock real;
  base::Result<std::string> h =
      ck_protocol::SignRequest(key, method, path, real.NowUnixSeconds(), body);
  if (!h.ok()) ADD_FAILURE() << h.status().ToString();
  return h.ok() ? *h : "";
}

std::string HubFixture::BuildBundle(int64_t seq, int64_t not_after) {
  registry::RegistryContents c;
  c.meta.seq = seq;
  c.meta.created = kEntryTime - 86400;
  c.meta.not_after = not_after;
  c.meta.issuer = "RU-EDU-69";
  registry::Partner p;
  p.partner_id = kPartner;
  p.name = "Shop";
  c.partners.push_back(p);
  registry::Offer o;
  o.offer_id = kCappedOffer;
  o.partner_id = kPartner;
  o.kind = registry::OfferKind::kPercent;
  o.value = 1000;
  o.cap_count = kCap;
  o.cap_period = registry::CapPeriod::kDay;
  o.title = "10%";
  c.offers.push_back(o);
  registry::Event ev;
  ev.event_id = kEvent;
  ev.title = "Meeting";
  ev.starts = kEntryTime - 3600;
  ev.ends = kEntryTime + 86400;
  c.events.push_back(ev);
  std::string reg = dir_.File("bundles/registry" + std::to_string(seq) + ".db");
  std::string out = dir_.File("bundles/seq" + std::to_string(seq) + ".ckbundle");
  (void)unlink(reg.c_str());
  base::Status st = registry::BuildRegistry(reg, c);
  if (!st.ok()) {
    ADD_FAILURE() << st.ToString();
    return "";
  }
  bundle::Manifest m;
  m.seq = seq;
  m.created = c.meta.created;
  m.not_after = c.meta.not_after;
  m.issuer = c.meta.issuer;
  base::Result<bundle::Manifest> w =
      bundle::WriteBundle(cktest::RealFs(), reg, m, bundle_key_, out);
  if (!w.ok()) {
    ADD_FAILURE() << w.status().ToString();
    return "";
  }
  return out;
}

std::string HubFixture::BuildDelta(int64_t from, int64_t to) {
  const std::string out =
      dir_.File("bundles/delta" + std::to_string(from) + "-" + std::to_string(to) + ".ckbundle");
  bundle::Manifest m{.seq = to,
                     .created = kEntryTime - 86400,
                     .not_after = kBundleValidUntil,
                     .issuer = "RU-EDU-69",
                     .base_seq = from};
  base::Result<bundle::DeltaBuild> d = bundle::WriteDeltaBundle(
      cktest::RealFs(), dir_.File("bundles/registry" + std::to_string(from) + ".db"),
      dir_.File("bundles/registry" + std::to_string(to) + ".db"), m, bundle_key_, out);
  if (!d.ok()) {
    ADD_FAILURE() << d.status().ToString();
    return "";
  }
  return out;
}

bool HubFixture::PublishBundle(int64_t seq, int64_t not_after) {
  std::string path = BuildBundle(seq, not_after);
  if (path.empty()) return false;
  cktest::ProcessResult r =
      Cardhub({"publish", "--data-dir", hub_dir(), "--trust", bundle_pub_path(), path});
  if (r.exit_code != 0) ADD_FAILURE() << "publish: " << r.Describe();
  return r.exit_code == 0;
}

bool HubFixture::StartHub(bool tls) {
  if (tls && !tls_) {
    TlsFiles f;
    if (!MakeSelfSignedCert(root(), &f)) return false;
    tls_ = f;
  }
  return hub_.Start(hub_dir(), hub_stderr_path(), tls ? tls_ : std::optional<TlsFiles>(),
                    config_path_);
}

namespace {

struct PgConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using PgConn = std::unique_ptr<PGconn, PgConnCloser>;

// Runs one statement without parameters (the schema name is generated here, never input).
bool PgExec(const std::string& conninfo, const std::string& sql, std::string* error) {
  PgConn conn(PQconnectdb(conninfo.c_str()));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    *error = conn ? PQerrorMessage(conn.get()) : "out of memory";
    return false;
  }
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);  // "drop cascades to..."
  PGresult* r = PQexecParams(conn.get(), sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0);
  bool ok = r != nullptr && PQresultStatus(r) == PGRES_COMMAND_OK;
  if (!ok) *error = r ? PQresultErrorMessage(r) : PQerrorMessage(conn.get());
  PQclear(r);
  return ok;
}

}  // namespace

bool PgTestSchema::Create() {
  const char* env = std::getenv(kPgConninfoEnv);
  if (env == nullptr || *env == '\0') {
    ADD_FAILURE() << kPgConninfoEnv
                  << " is not set: the \"postgres\" backend tests need a PostgreSQL server. "
                     "Run them through scripts/test.sh (which starts one), or start one with\n"
                     "  export "
                  << kPgConninfoEnv
                  << "=\"$(bash scripts/pg_test_server.sh start /tmp/ck-pg)\"\n"
                     "(stop it with `bash scripts/pg_test_server.sh stop /tmp/ck-pg`), or leave "
                     "those tests out with --gtest_filter=-*postgres*";
    return false;
  }
  static std::atomic<int> counter{0};
  base_conninfo_ = env;
  name_ = "ck_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
          std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000);
  std::string error;
  if (!PgExec(base_conninfo_, "CREATE SCHEMA " + name_, &error)) {
    ADD_FAILURE() << "creating schema " << name_ << " with " << kPgConninfoEnv << "='"
                  << base_conninfo_ << "' failed: " << error
                  << "(is the server running? scripts/pg_test_server.sh start DIR)";
    name_.clear();
    return false;
  }
  conninfo_ = base_conninfo_ + " options='-csearch_path=" + name_ + "'";
  return true;
}

PgTestSchema::~PgTestSchema() {
  if (name_.empty()) return;
  std::string error;
  if (!PgExec(base_conninfo_, "DROP SCHEMA " + name_ + " CASCADE", &error)) {
    ADD_FAILURE() << "dropping schema " << name_ << ": " << error;
  }
}

void ExecOnHubDatabase(const std::string& backend, const std::string& dir, const PgTestSchema& pg,
                       const std::vector<std::string>& statements) {
  if (backend == "sqlite") {
    base::Result<sqlite::Db> db =
        sqlite::Db::Open(dir + "/" + hub::kHubDbFile, sqlite::Db::Mode::kReadWrite);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    for (const std::string& s : statements) ASSERT_TRUE(db->Exec(s).ok()) << s;
    return;
  }
  PGconn* c = PQconnectdb(pg.conninfo().c_str());
  ASSERT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
  for (const std::string& s : statements) {
    PGresult* r = PQexec(c, s.c_str());
    EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << s << ": " << PQerrorMessage(c);
    PQclear(r);
  }
  PQfinish(c);
}

}  // namespace hubtest
