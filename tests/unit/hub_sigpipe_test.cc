// Clients that leave in the middle of the hub's answers: the hub (here inside the test process,
// with SIGPIPE's default action, which ends a process) must take its failed writes to those
// closed connections as errors, never die of SIGPIPE, and go on serving. The clients half-close
// (FIN) after their requests and then reset the connection while answers are still being sent,
// so the hub's next write meets a peer that is gone (EPIPE), over plain HTTP and over TLS.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/file.h"
#include "base/fs.h"
#include "hub/server.h"
#include "hub/store.h"
#include "hub_fixture.h"
#include "subprocess.h"

namespace {

constexpr int kClients = 24;
constexpr int kPipelined = 200;  // requests each client sends before it half-closes

// SIGPIPE's default action (the end of the process) while alive, for every thread the hub starts
// meanwhile; the disposition before is given back. (Running a child process elsewhere in this
// binary ignores SIGPIPE for the whole process, which would hide what is tested here.)
class DeadlySigpipe {
 public:
  DeadlySigpipe() : old_(std::signal(SIGPIPE, SIG_DFL)) {}
  ~DeadlySigpipe() { std::signal(SIGPIPE, old_); }
  DeadlySigpipe(const DeadlySigpipe&) = delete;
  DeadlySigpipe& operator=(const DeadlySigpipe&) = delete;

 private:
  void (*old_)(int);
};

base::UniqueFd Connect(int port) {
  base::UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) return base::UniqueFd();
  return fd;
}

std::string Pipelined(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += "GET /v1/health HTTP/1.1\r\nHost: hub\r\n\r\n";
  return out;
}

// Half-closes, then resets the connection (SO_LINGER 0): the hub's later writes find it gone.
void LeaveWithReset(base::UniqueFd fd) {
  (void)shutdown(fd.get(), SHUT_WR);
  linger reset{1, 0};
  (void)setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
}

// Waits (bounded) for the first bytes of an answer on a plain connection; what came is returned.
std::string FirstBytes(int fd) {
  pollfd p{fd, POLLIN, 0};
  char buf[64];
  if (poll(&p, 1, 10000) <= 0) return "";
  ssize_t n = recv(fd, buf, sizeof buf, 0);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

// A plain client: pipelined requests, the first bytes of the first answer, then gone.
std::string PlainClientLeavesMidAnswer(int port) {
  base::UniqueFd fd = Connect(port);
  if (!fd.valid()) return "";
  const std::string requests = Pipelined(kPipelined);
  if (send(fd.get(), requests.data(), requests.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(requests.size())) {
    return "";
  }
  std::string first = FirstBytes(fd.get());
  LeaveWithReset(std::move(fd));
  return first;
}

using SslPtr = std::unique_ptr<SSL, decltype(&SSL_free)>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;

// A TLS client (OpenSSL, the hub's certificate verified): the handshake, pipelined requests, the
// first bytes of the first answer, then gone without a close_notify.
std::string TlsClientLeavesMidAnswer(SSL_CTX* ctx, int port) {
  base::UniqueFd fd = Connect(port);
  if (!fd.valid()) return "";
  SslPtr ssl(SSL_new(ctx), &SSL_free);
  SSL_set_fd(ssl.get(), fd.get());
  if (SSL_connect(ssl.get()) != 1) return "handshake failed";
  const std::string requests = Pipelined(kPipelined);
  if (SSL_write(ssl.get(), requests.data(), static_cast<int>(requests.size())) <= 0) return "";
  char buf[64];
  int n = SSL_read(ssl.get(), buf, sizeof buf);
  std::string first = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  LeaveWithReset(std::move(fd));
  return first;
}

class HubSigpipeTest : public ::testing::Test {
 protected:
  void Start(const hubtest::TlsFiles* tls) {
    auto store = hub::OpenSqliteStore(dir_.File("hub.db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    hub::ServeOptions options;
    options.data_dir = dir_.path();
    if (tls != nullptr) {
      options.tls_cert = tls->cert_path;
      options.tls_key = tls->key_path;
    }
    auto server = hub::HubServer::Start(options, *store_, fs_, clock_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }

  // One plain GET /v1/health after the others left: the hub still answers.
  std::string HealthAnswer() {
    base::UniqueFd fd = Connect(server_->port());
    const std::string request = "GET /v1/health HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n";
    if (!fd.valid() || send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) <= 0) return "";
    return FirstBytes(fd.get());
  }

  DeadlySigpipe deadly_;  // before the server: its threads start with SIGPIPE's default action
  cktest::TempDir dir_;
  base::PosixFileSystem fs_;
  base::SystemClock clock_;
  std::unique_ptr<hub::HubStore> store_;
  std::unique_ptr<hub::HubServer> server_;
};

TEST_F(HubSigpipeTest, PlainClientsThatLeaveMidAnswerDoNotStopTheHub) {
  ASSERT_NO_FATAL_FAILURE(Start(nullptr));
  hubtest::ThreadSigpipeBlocked client;  // after Start: the hub's threads keep theirs
  for (int i = 0; i < kClients; ++i) {
    EXPECT_EQ(PlainClientLeavesMidAnswer(server_->port()).rfind("HTTP/1.1 200", 0), 0u);
  }
  EXPECT_EQ(HealthAnswer().rfind("HTTP/1.1 200", 0), 0u);
}

TEST_F(HubSigpipeTest, TlsClientsThatLeaveMidAnswerDoNotStopTheHub) {
  hubtest::TlsFiles tls;
  ASSERT_TRUE(hubtest::MakeSelfSignedCert(dir_.path(), &tls));
  ASSERT_NO_FATAL_FAILURE(Start(&tls));
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
  ASSERT_TRUE(ctx != nullptr);
  ASSERT_EQ(SSL_CTX_load_verify_locations(ctx.get(), tls.cert_path.c_str(), nullptr), 1);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  hubtest::ThreadSigpipeBlocked client;  // after Start: the hub's threads keep theirs
  for (int i = 0; i < kClients; ++i) {
    EXPECT_EQ(TlsClientLeavesMidAnswer(ctx.get(), server_->port()).rfind("HTTP/1.1 200", 0), 0u);
  }
  // The hub is still there: one more TLS client is answered.
  EXPECT_EQ(TlsClientLeavesMidAnswer(ctx.get(), server_->port()).rfind("HTTP/1.1 200", 0), 0u);
}

}  // namespace
