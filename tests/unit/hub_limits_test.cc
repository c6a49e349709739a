// The hub server's limits, on a real server on loopback: slow and idle clients are cut off while
// others are served, header floods and oversized bodies are refused without being held, and one
// address gets only so many connections. Every wait is bounded by a poll timeout.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/file.h"
#include "hub/server.h"
#include "hub/store.h"
#include "hub_fixture.h"
#include "subprocess.h"

namespace {

// A raw TCP connection to the hub.
class RawConn {
 public:
  explicit RawConn(int port) : fd_(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(port));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  }
  bool connected() const { return connected_; }
  int fd() const { return fd_.get(); }

  // Sends all of `data`; false once the server stopped taking it.
  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads until the server closes the connection (true) or `timeout_ms` passes without a byte
  // (false). What arrived is in received().
  bool ReadUntilClosed(int timeout_ms) {
    char buf[4096];
    for (;;) {
      pollfd p{fd_.get(), POLLIN, 0};
      if (poll(&p, 1, timeout_ms) <= 0) return false;
      ssize_t n = recv(fd_.get(), buf, sizeof buf, 0);
      if (n <= 0) return true;  // EOF or reset
      received_.append(buf, static_cast<size_t>(n));
    }
  }
  const std::string& received() const { return received_; }
  // "HTTP/1.1 413 ..." -> 413; 0 when nothing (or no status line) came back.
  int Status() const {
    if (received_.rfind("HTTP/1.", 0) != 0 || received_.size() < 12) return 0;
    return std::atoi(received_.substr(9, 3).c_str());
  }

 private:
  base::UniqueFd fd_;
  bool connected_ = false;
  std::string received_;
};

// Resident set size of this process, in bytes.
size_t RssBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

class HubLimitsTest : public ::testing::Test {
 protected:
  void Start(const hub::ServeLimits& limits, const std::string& trust_proxy = "",
             const hubtest::TlsFiles* tls = nullptr) {
    auto store = hub::OpenSqliteStore(dir_.File("hub.db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    hub::ServeOptions options;
    options.data_dir = dir_.path();
    options.limits = limits;
    options.trust_proxy = trust_proxy;
    if (tls != nullptr) {
      options.tls_cert = tls->cert_path;
      options.tls_key = tls->key_path;
    }
    auto server = hub::HubServer::Start(options, *store_, fs_, clock_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    // The clients below write to connections the hub cuts off (that is what is tested): they get
    // EPIPE, and the hub's threads, started before this, keep their own mask.
    client_sigpipe_ = std::make_unique<hubtest::ThreadSigpipeBlocked>();
  }

  int HealthStatus() {
    httplib::Client cli("127.0.0.1", server_->port());
    cli.set_connection_timeout(5, 0);
    cli.set_read_timeout(5, 0);
    httplib::Result r = cli.Get("/v1/health");
    return r ? r->status : -1;
  }

  cktest::TempDir dir_;
  base::SystemClock clock_;
  base::PosixFileSystem fs_;
  std::unique_ptr<hub::HubStore> store_;
  std::unique_ptr<hub::HubServer> server_;
  std::unique_ptr<hubtest::ThreadSigpipeBlocked> client_sigpipe_;
};

TEST_F(HubLimitsTest, SlowClientsAreCutOffWhileOthersAreServed) {
  hub::ServeLimits limits;
  limits.idle_timeout_seconds = 1;
  ASSERT_NO_FATAL_FAILURE(Start(limits));
  std::vector<std::unique_ptr<RawConn>> slow;
  for (int i = 0; i < 32; ++i) {
    slow.push_back(std::make_unique<RawConn>(server_->port()));
    ASSERT_TRUE(slow.back()->connected());
    ASSERT_TRUE(slow.back()->Send("GET /v1/health HTTP/1.1\r\nHo"));  // and then nothing
  }
  RawConn idle(server_->port());  // sends nothing at all
  ASSERT_TRUE(idle.connected());
  auto begin = std::chrono::steady_clock::now();
  for (int i = 0; i < 50; ++i) EXPECT_EQ(HealthStatus(), 200);
  // The slow ones are closed after the idle timeout, without an answer.
  for (auto& c : slow) {
    EXPECT_TRUE(c->ReadUntilClosed(5000));
    EXPECT_EQ(c->Status(), 0) << c->received();
  }
  EXPECT_TRUE(idle.ReadUntilClosed(5000));
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(8));
  EXPECT_EQ(HealthStatus(), 200);
}

TEST_F(HubLimitsTest, TrickledTlsHandshakeIsCutOff) {
  hubtest::TlsFiles tls;
  ASSERT_TRUE(hubtest::MakeSelfSignedCert(dir_.path(), &tls));
  hub::ServeLimits limits;
  // Long enough that the real client below, which shares the limit, is not cut off itself when
  // its handshake is slow (under qemu-user a busy machine stalled it for over a second).
  limits.idle_timeout_seconds = 3;
  ASSERT_NO_FATAL_FAILURE(Start(limits, "", &tls));
  RawConn c(server_->port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send(std::string("\x16\x03\x01", 3)));  // the first bytes of a ClientHello
  EXPECT_TRUE(c.ReadUntilClosed(15000));
  // A real client is served meanwhile and after.
  httplib::Client cli("https://127.0.0.1:" + std::to_string(server_->port()));
  cli.set_ca_cert_path(tls.cert_path.c_str());
  cli.enable_server_certificate_verification(true);
  httplib::Result r = cli.Get("/v1/health");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
}

TEST_F(HubLimitsTest, HeaderFloodIsRefusedAndNotHeld) {
  ASSERT_NO_FATAL_FAILURE(Start(hub::ServeLimits()));
  const std::string line = "X-Flood: " + std::string(1000, 'a') + "\r\n";
  size_t rss_before = RssBytes();
  for (int round = 0; round < 8; ++round) {
    RawConn c(server_->port());
    ASSERT_TRUE(c.connected());
    bool all_sent = c.Send("GET /v1/health HTTP/1.1\r\nHost: hub\r\n");
    for (int i = 0; i < 1000 && all_sent; ++i) all_sent = c.Send(line);  // 1 MB at most
    EXPECT_TRUE(c.ReadUntilClosed(5000));
    EXPECT_EQ(c.Status(), 431) << c.received().substr(0, 200);
  }
  // Eight 1 MB floods left no trace beyond allocator noise.
  EXPECT_LT(RssBytes(), rss_before + (size_t{16} << 20));
  EXPECT_EQ(HealthStatus(), 200);
}

TEST_F(HubLimitsTest, HugeContentLengthIsRefusedBeforeTheBodyIsRead) {
  ASSERT_NO_FATAL_FAILURE(Start(hub::ServeLimits()));
  RawConn c(server_->port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(
      c.Send("POST /v1/journal HTTP/1.1\r\nHost: hub\r\nContent-Length: 2147483648\r\n"
             "Content-Type: application/octet-stream\r\n\r\n"));
  // No body byte was sent: the answer comes anyway, and the connection is closed.
  ASSERT_TRUE(c.ReadUntilClosed(5000));
  EXPECT_EQ(c.Status(), 413) << c.received();
  EXPECT_NE(c.received().find("\"TOO_LARGE\""), std::string::npos) << c.received();
  EXPECT_EQ(HealthStatus(), 200);
}

TEST_F(HubLimitsTest, HugeChunksAreRefused) {
  ASSERT_NO_FATAL_FAILURE(Start(hub::ServeLimits()));
  const std::string head =
      "POST /v1/journal HTTP/1.1\r\nHost: hub\r\nTransfer-Encoding: chunked\r\n\r\n";
  {
    // A chunk size of 2^63: the body is cut off once it passes the limit.
    RawConn c(server_->port());
    ASSERT_TRUE(c.connected());
    ASSERT_TRUE(c.Send(head + "8000000000000000\r\n"));
    const std::string block(1 << 20, 'x');
    bool sending = true;
    for (int i = 0; i < 64 && sending; ++i) sending = c.Send(block);  // 64 MiB at most
    EXPECT_FALSE(sending);                                            // the hub stopped reading
    EXPECT_TRUE(c.ReadUntilClosed(5000));
  }
  {
    // A chunk size that does not fit 64 bits.
    RawConn c(server_->port());
    ASSERT_TRUE(c.connected());
    ASSERT_TRUE(c.Send(head + "1ffffffffffffffff\r\nxx"));
    ASSERT_TRUE(c.ReadUntilClosed(5000));
    EXPECT_GE(c.Status(), 400) << c.received();
  }
  EXPECT_EQ(HealthStatus(), 200);
}

TEST_F(HubLimitsTest, OneAddressGetsOnlyItsShareOfConnections) {
  hub::ServeLimits limits;
  limits.per_ip_connections = 4;
  ASSERT_NO_FATAL_FAILURE(Start(limits));
  std::vector<std::unique_ptr<RawConn>> conns;
  for (int i = 0; i < 5; ++i) {
    conns.push_back(std::make_unique<RawConn>(server_->port()));
    ASSERT_TRUE(conns.back()->connected());
  }
  // The kernel accepts all five; the hub closes one of them at once, without a byte. Its two
  // event loops accept side by side, so which of the five is the one over the limit is not fixed.
  std::vector<pollfd> fds;
  for (const auto& c : conns) fds.push_back({c->fd(), POLLIN, 0});
  ASSERT_GT(poll(fds.data(), fds.size(), 5000), 0) << "no connection was closed";
  std::vector<size_t> closed, held;
  for (size_t i = 0; i < fds.size(); ++i) (fds[i].revents != 0 ? closed : held).push_back(i);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_TRUE(conns[closed[0]]->ReadUntilClosed(5000));
  EXPECT_EQ(conns[closed[0]]->received(), "");
  // The four held ones are all served.
  for (size_t i : held) {
    ASSERT_TRUE(
        conns[i]->Send("GET /v1/health HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n"));
    ASSERT_TRUE(conns[i]->ReadUntilClosed(5000));
    EXPECT_EQ(conns[i]->Status(), 200) << conns[i]->received();
  }
}

// The limits come from hub.conf's serve_* keys (docs/hub.md, "Limits") as `cardhub serve` reads it.
TEST_F(HubLimitsTest, HubConfSetsTheLimits) {
  base::Result<hub::Config> config = hub::ParseConfig(
      "serve_connections_per_address = 2\nserve_idle_timeout = \"1s\"\n", "hub.conf");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_NO_FATAL_FAILURE(Start(config->limits));
  RawConn a(server_->port()), b(server_->port());
  ASSERT_TRUE(a.connected() && b.connected());
  ASSERT_TRUE(a.Send("GET /v1/health HTTP/1.1\r\nHost: hub\r\n\r\n"));  // served, then kept alive
  RawConn third(server_->port());
  ASSERT_TRUE(third.connected());
  EXPECT_TRUE(third.ReadUntilClosed(5000));
  EXPECT_EQ(third.received(), "");  // the third from one address is closed at once
  // The idle one is closed by the 1 s idle timeout, without an answer.
  EXPECT_TRUE(b.ReadUntilClosed(5000));
  EXPECT_EQ(b.received(), "");
}

TEST_F(HubLimitsTest, LogsTheForwardedAddressOnlyFromTheTrustedProxy) {
  ASSERT_NO_FATAL_FAILURE(Start(hub::ServeLimits(), "127.0.0.1"));
  httplib::Client cli("127.0.0.1", server_->port());
  ::testing::internal::CaptureStderr();
  httplib::Result r = cli.Get("/v1/bundle", {{"X-Forwarded-For", "198.51.100.2, 203.0.113.7"}});
  std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_NE(log.find("from 203.0.113.7 via 127.0.0.1:"), std::string::npos) << log;
}

TEST_F(HubLimitsTest, IgnoresForwardedForFromAnUntrustedPeer) {
  ASSERT_NO_FATAL_FAILURE(Start(hub::ServeLimits(), "192.0.2.1"));
  httplib::Client cli("127.0.0.1", server_->port());
  ::testing::internal::CaptureStderr();
  httplib::Result r = cli.Get("/v1/bundle", {{"X-Forwarded-For", "203.0.113.7"}});
  std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(log.find("203.0.113.7"), std::string::npos) << log;
  EXPECT_NE(log.find("from 127.0.0.1:"), std::string::npos) << log;
}

}  // namespace
