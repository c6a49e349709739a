// The attack side of bench/run_hub_abuse.sh (docs/hub.md, "Abuse"), loopback only and bounded in
// connections, bytes and time:
//   hub_abuse hold --port P --trickle N --idle N --seconds S [--interval 4]
//     N connections that send a request one byte every `interval` seconds, and N that send
//     nothing; a connection the hub closes is opened again (at most once a second), as an
//     attacker would. Reports how many were open at the end and how often each kind was closed.
//   hub_abuse flood --port P --conns N --bytes B --seconds S
//     N connections that each send up to B bytes of request headers (never ending them), held
//     until S seconds have passed; one the hub closes is opened again and flooded anew. Reports
//     the bytes the hub took.
// Connections come from 127.2.0.0/16, at most 32 per source address, so that the hub's
// per-address limit does not turn the attack away: the load is the one of a spread-out attacker.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Conn {
  int fd = -1;
  bool trickle = false;
  size_t sent = 0;
  Clock::time_point next;  // of the next byte, or of the next reconnect
  int closed = 0;          // times the hub closed it
};

int Open(int port, int index) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int group = index / 32;
  sockaddr_in src{};
  src.sin_family = AF_INET;
  src.sin_addr.s_addr =
      htonl((127u << 24) | (2u << 16) | (static_cast<unsigned>(group / 250) << 8) |
            static_cast<unsigned>(group % 250 + 1));
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(static_cast<uint16_t>(port));
  dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0 ||
      (connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0 && errno != EINPROGRESS)) {
    close(fd);
    return -1;
  }
  return fd;
}

// True while the hub keeps the connection open.
bool Alive(int fd) {
  char c;
  ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT | MSG_PEEK);
  if (n == 0) return false;
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOTCONN;
  return true;  // an answer (e.g. an error status): the hub will close it
}

std::map<std::string, long> Flags(int argc, char** argv) {
  std::map<std::string, long> f;
  for (int i = 2; i + 1 < argc; i += 2) f[argv[i]] = std::atol(argv[i + 1]);
  return f;
}

int Hold(std::map<std::string, long> f) {
  const int port = static_cast<int>(f["--port"]);
  const long trickle = f["--trickle"], idle = f["--idle"];
  const auto interval = std::chrono::seconds(f.count("--interval") ? f["--interval"] : 4);
  const auto end = Clock::now() + std::chrono::seconds(f["--seconds"]);
  const std::string request = "POST /v1/journal HTTP/1.1\r\nHost: hub\r\nX-Slow: ";
  std::vector<Conn> conns(static_cast<size_t>(trickle + idle));
  for (size_t i = 0; i < conns.size(); ++i) {
    conns[i].trickle = static_cast<long>(i) < trickle;
    conns[i].fd = Open(port, static_cast<int>(i));
    conns[i].next = Clock::now();
  }
  while (Clock::now() < end) {  // one pass every 100 ms until the end
    const auto now = Clock::now();
    for (size_t i = 0; i < conns.size(); ++i) {
      Conn& c = conns[i];
      if (c.fd >= 0 && !Alive(c.fd)) {
        close(c.fd);
        c.fd = -1;
        ++c.closed;
        c.next = now + std::chrono::seconds(1);
      }
      if (c.fd < 0 && now >= c.next) {
        c.fd = Open(port, static_cast<int>(i));
        c.sent = 0;
        c.next = now;
      }
      if (c.fd >= 0 && c.trickle && now >= c.next) {
        char byte = c.sent < request.size() ? request[c.sent] : 'a';
        if (send(c.fd, &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1) ++c.sent;
        c.next = now + interval;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  long open_t = 0, open_i = 0, closed_t = 0, closed_i = 0;
  for (Conn& c : conns) {
    bool open = c.fd >= 0 && Alive(c.fd);
    (c.trickle ? open_t : open_i) += open ? 1 : 0;
    (c.trickle ? closed_t : closed_i) += c.closed;
    if (c.fd >= 0) close(c.fd);
  }
  std::printf(
      "hub_abuse hold: trickling %ld/%ld open at the end (closed by the hub %ld times), "
      "idle %ld/%ld open (closed %ld times)\n",
      open_t, trickle, closed_t, open_i, idle, closed_i);
  return 0;
}

int Flood(std::map<std::string, long> f) {
  const int port = static_cast<int>(f["--port"]);
  const size_t bytes = static_cast<size_t>(f["--bytes"]);
  const auto end = Clock::now() + std::chrono::seconds(f["--seconds"]);
  const std::string head = "GET /v1/health HTTP/1.1\r\nHost: hub\r\n";
  const std::string line = "X-Flood: " + std::string(1014, 'a') + "\r\n";  // 1 KiB a line
  std::vector<Conn> conns(static_cast<size_t>(f["--conns"]));
  for (size_t i = 0; i < conns.size(); ++i) conns[i].fd = Open(port, static_cast<int>(i));
  size_t total = 0;
  while (Clock::now() < end) {
    bool progress = false;
    for (Conn& c : conns) {
      if (c.fd < 0 || c.sent >= bytes) continue;  // up to `bytes` on each connection
      const std::string& chunk = c.sent == 0 ? head : line;
      ssize_t n = send(c.fd, chunk.data(), chunk.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        c.sent += static_cast<size_t>(n);
        total += static_cast<size_t>(n);
        progress = true;
      } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        close(c.fd);  // refused and closed by the hub: flood it again
        ++c.closed;
        c.fd = Open(port, static_cast<int>(&c - conns.data()));
        c.sent = 0;
      }
    }
    if (!progress) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  long open = 0, closed = 0;
  for (Conn& c : conns) {
    if (c.fd >= 0 && Alive(c.fd)) ++open;
    closed += c.closed;
    if (c.fd >= 0) close(c.fd);
  }
  std::printf(
      "hub_abuse flood: %zu conns, %.1f MB of headers taken by the hub, %ld still open, "
      "%ld closed by the hub\n",
      conns.size(), static_cast<double>(total) / 1e6, open, closed);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: hub_abuse hold|flood --port P ...\n");
    return 2;
  }
  std::string mode = argv[1];
  if (mode == "hold") return Hold(Flags(argc, argv));
  if (mode == "flood") return Flood(Flags(argc, argv));
  std::fprintf(stderr, "hub_abuse: unknown mode %s\n", mode.c_str());
  return 2;
}
