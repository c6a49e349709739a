// Test helpers for the hub (hub_test) and the kiosk's network client (net_sync_test): a real
// `cardhub serve` child process on 127.0.0.1 with an ephemeral port and a temporary data
// directory, kiosk data directories with their device keys and journals, enrolment and bundle
// publishing through the cardhub command line, and a self-signed TLS certificate.
//
// Typical use:
//   hubtest::HubFixture fx;
//   std::string kiosk = fx.NewKiosk("k1");          // device key + id + journal.db
//   ASSERT_TRUE(fx.Enroll(kiosk, "k1"));
//   fx.AppendEntries(kiosk, 5);
//   ASSERT_TRUE(fx.PublishBundle(1));
//   ASSERT_TRUE(fx.StartHub());                     // or StartHub(/*tls=*/true)
//   httplib::Client cli(fx.hub().host(), fx.hub().port());
//   ... fx.Sign(kiosk, "POST", "/v1/journal", body) gives the Authorization header value.
//
// Helper failures are reported with ADD_FAILURE and a false/empty result.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "card/crypto.h"
#include "hub/store.h"
#include "journal/journal.h"
#include "registry/records.h"
#include "subprocess.h"

namespace hubtest {

// 2027-01-13T09:00:00Z, a Wednesday: the time of kiosk journal entries made here.
inline constexpr int64_t kEntryTime = 1'799'830'800;
inline constexpr char kPartner[] = "P-1";
inline constexpr char kCappedOffer[] = "O-CAP";  // percent offer, 2 per day per member
inline constexpr int64_t kCap = 2;
inline constexpr char kEvent[] = "E-1";
// How long the bundles made here are valid (manifest not_after) unless told: ten years past
// kEntryTime, so that `cardhub flags`, at the real clock, never finds them expired.
inline constexpr int64_t kBundleValidUntil = kEntryTime + 10 * 365 * 86400;

// A self-signed certificate (ECDSA P-256, SAN IP:127.0.0.1 and DNS:localhost) and its key.
struct TlsFiles {
  std::string cert_path, key_path;
  std::string cert_pem;
  base::Bytes spki_der;  // the certificate's SubjectPublicKeyInfo, for pinning
};
bool MakeSelfSignedCert(const std::string& dir, TlsFiles* out);

// SIGPIPE blocked on the calling thread only, while alive: a test's own client (httplib, OpenSSL:
// plain write(2) without MSG_NOSIGNAL) that writes to a connection the hub already closed gets
// EPIPE, and the test fails on what it checks instead of dying. Threads started meanwhile inherit
// the mask: make it after starting an in-process server, whose threads must keep their own. A
// SIGPIPE left pending is taken before the mask is given back.
class ThreadSigpipeBlocked {
 public:
  ThreadSigpipeBlocked() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~ThreadSigpipeBlocked() {
    const timespec now{0, 0};
    while (sigtimedwait(&pipe_, nullptr, &now) == SIGPIPE) {
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  ThreadSigpipeBlocked(const ThreadSigpipeBlocked&) = delete;
  ThreadSigpipeBlocked& operator=(const ThreadSigpipeBlocked&) = delete;

 private:
  sigset_t pipe_, old_;
};

// A fresh schema in the test PostgreSQL database, for the "postgres" backend of the hub tests, so
// that tests can run in parallel. The database is given by the environment variable
// CK_TEST_PG_CONNINFO (a libpq key=value connection string), which scripts/test.sh sets after
// starting a throwaway server with scripts/pg_test_server.sh. The schema is dropped on
// destruction.
inline constexpr char kPgConninfoEnv[] = "CK_TEST_PG_CONNINFO";
class PgTestSchema {
 public:
  PgTestSchema() = default;
  ~PgTestSchema();
  PgTestSchema(const PgTestSchema&) = delete;
  PgTestSchema& operator=(const PgTestSchema&) = delete;

  // Creates the schema; false (after ADD_FAILURE saying how to start the server) when
  // CK_TEST_PG_CONNINFO is not set or the server cannot be reached.
  bool Create();
  // CK_TEST_PG_CONNINFO with the schema as the search_path.
  const std::string& conninfo() const { return conninfo_; }
  const std::string& name() const { return name_; }

 private:
  std::string base_conninfo_, conninfo_, name_;
};

// Runs each statement on the hub's database as an older hub left it (the tests of migrations):
// DIR/hub.db for backend "sqlite", else the PostgreSQL schema of `pg`. The store must be closed.
void ExecOnHubDatabase(const std::string& backend, const std::string& dir, const PgTestSchema& pg,
                       const std::vector<std::string>& statements);

// One `cardhub serve` child process. Stops it (SIGTERM, then waits) on destruction.
class HubProcess {
 public:
  HubProcess() = default;
  ~HubProcess();
  HubProcess(const HubProcess&) = delete;
  HubProcess& operator=(const HubProcess&) = delete;

  // Starts `cardhub serve --listen 127.0.0.1:0 --data-dir DIR [--tls-cert --tls-key]` and waits
  // (up to 20 s, no sleeping) for its "listening on 127.0.0.1:PORT" line. stderr goes to
  // `stderr_path`.
  // `config_path`, when not empty, is passed as --config.
  bool Start(const std::string& data_dir, const std::string& stderr_path,
             const std::optional<TlsFiles>& tls = std::nullopt,
             const std::string& config_path = "");
  void Stop();  // SIGTERM and reap
  void Kill();  // SIGKILL and reap
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  const std::string& host() const { return host_; }
  bool tls() const { return tls_; }
  std::string base_url() const;  // "http://127.0.0.1:PORT" or "https://..."

 private:
  void Reap(int sig);
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int port_ = 0;
  std::string host_ = "127.0.0.1";
  bool tls_ = false;
};

class HubFixture {
 public:
  HubFixture();
  ~HubFixture();
  HubFixture(const HubFixture&) = delete;
  HubFixture& operator=(const HubFixture&) = delete;

  const std::string& root() const { return dir_.path(); }
  std::string hub_dir() const { return dir_.File("hub"); }
  std::string hub_stderr_path() const { return dir_.File("hub.stderr"); }
  std::string HubStderr() const;  // what the hub logged so far
  HubProcess& hub() { return hub_; }
  base::FakeClock& clock() { return clock_; }

  // Selects the hub's store for every later cardhub command and StartHub: "sqlite" (the default,
  // nothing to do) or "postgres" (a fresh PgTestSchema and a --config file naming it). False,
  // after ADD_FAILURE, when that fails (e.g. CK_TEST_PG_CONNINFO is not set).
  bool UseBackend(const std::string& backend);
  // The --config file given to every cardhub command, or "" (none).
  const std::string& config_path() const { return config_path_; }
  // The hub's store (the backend UseBackend chose), opened beside a running hub as a second
  // instance would; null after ADD_FAILURE when it cannot be opened.
  std::unique_ptr<hub::HubStore> OpenStore();

  // Runs the cardhub binary with `args` (--data-dir is not added; --config is, when the fixture
  // has one).
  cktest::ProcessResult Cardhub(const std::vector<std::string>& args);

  // A kiosk data directory root()/kiosks/NAME with its device key, device id and journal.db.
  std::string NewKiosk(const std::string& name);
  std::string DeviceId(const std::string& kiosk_dir);
  card::PrivateKey DeviceKey(const std::string& kiosk_dir);
  // `cardhub enroll` of the kiosk's device.pub.pem under `name`.
  bool Enroll(const std::string& kiosk_dir, const std::string& name);

  // Appends `n` accepted discount entries (partner kPartner, offer kCappedOffer, purchase 100000,
  // discount 10000, member `member`) to the kiosk's journal, one a minute from kEntryTime.
  bool AppendDiscounts(const std::string& kiosk_dir, int n, const std::string& member = "M-1");
  bool AppendCheckins(const std::string& kiosk_dir, int n, const std::string& member = "M-1");
  // A signed .ckjournal batch of the kiosk's entries from `from_seq` on.
  base::Bytes ExportBatch(const std::string& kiosk_dir, int64_t from_seq);
  // The same batch in export format 1 (no device key, no journal id), as an older kiosk sends.
  base::Bytes ExportBatchV1(const std::string& kiosk_dir, int64_t from_seq);
  // The journal id of the kiosk's journal.db (meta.journal_id), and a way to make it claim
  // another one (a replaced journal posing as the old chain).
  std::string JournalId(const std::string& kiosk_dir);
  bool SetJournalId(const std::string& kiosk_dir, const std::string& journal_id);
  // The Authorization header value for a request from this kiosk (ts = now).
  std::string Sign(const std::string& kiosk_dir, const std::string& method, const std::string& path,
                   base::ByteSpan body);

  // Builds root()/bundles/seqN.ckbundle (a registry with partner kPartner, offer kCappedOffer,
  // event kEvent), valid until `not_after`, signed by the fixture's bundle key; returns its path.
  std::string BuildBundle(int64_t seq, int64_t not_after = kBundleValidUntil);
  // After BuildBundle(from) and BuildBundle(to): root()/bundles/delta<from>-<to>.ckbundle, the
  // delta between their registries signed by the bundle key; returns its path ("" on failure).
  std::string BuildDelta(int64_t from, int64_t to);
  // BuildBundle + `cardhub publish`.
  bool PublishBundle(int64_t seq, int64_t not_after = kBundleValidUntil);
  const card::PrivateKey& bundle_key() const { return bundle_key_; }
  std::string bundle_pub_path() const { return dir_.File("bundle.pub.pem"); }

  bool StartHub(bool tls = false);
  const std::optional<TlsFiles>& tls_files() const { return tls_; }

 private:
  cktest::TempDir dir_;
  base::FakeClock clock_;
  card::PrivateKey bundle_key_;
  std::optional<TlsFiles> tls_;
  std::unique_ptr<PgTestSchema> pg_;
  std::string config_path_;
  HubProcess hub_;  // last: stopped before the schema is dropped
};

}  // namespace hubtest
