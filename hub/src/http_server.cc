#include "http_server.h"

#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "base/text.h"

namespace hub::http {

bool Request::has_header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (base::AsciiLower(k) == base::AsciiLower(name)) return true;
  }
  return false;
}

std::string Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (base::AsciiLower(k) == base::AsciiLower(name)) return v;
  }
  return "";
}

std::string Request::arg(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return v;
  }
  return "";
}

void Response::set_header(std::string name, std::string value) {
  for (auto& [k, v] : headers) {
    if (base::AsciiLower(k) == base::AsciiLower(name)) {
      v = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

void Response::set_content(std::string body, std::string content_type) {
  size_t size = body.size();
  set_shared_content(std::make_shared<const std::string>(std::move(body)), 0, size,
                     std::move(content_type));
}

void Response::set_shared_content(std::shared_ptr<const std::string> data, size_t offset,
                                  size_t size, std::string content_type) {
  body_data = std::move(data);
  body_offset = offset;
  body_size = size;
  set_header("Content-Type", std::move(content_type));
}

base::Result<base::UniqueFd> Listen(const std::string& host, int port, int backlog) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  if (int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return base::Unavailable("cannot bind " + host + ": " + gai_strerror(rc));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(found, &freeaddrinfo);
  int err = 0;
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    base::UniqueFd fd(socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd.valid()) {
      err = errno;
      continue;
    }
    int one = 1;
    (void)setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd.get(), ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd.get(), backlog) == 0) {
      return fd;
    }
    err = errno;
  }
  return base::Unavailable("cannot bind " + host + ":" + service + ": " + std::strerror(err));
}

int BoundPort(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return -1;
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return -1;
}

struct Server::State {
  Limits limits;
  Handler handler;
  // Requests wait here for a worker, their connection suspended, so that a slow store call never
  // holds an event loop.
  std::mutex work_mu;
  std::condition_variable work_cv;
  std::deque<std::function<void()>> work;
  bool stopping = false;
  std::vector<std::thread> workers;

  // Queues `task` for a worker; false once the server is stopping.
  bool Submit(std::function<void()> task) {
    std::lock_guard<std::mutex> lock(work_mu);
    if (stopping) return false;
    work.push_back(std::move(task));
    work_cv.notify_one();
    return true;
  }

  // A worker: runs tasks until stopping and none is left.
  void Work() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(work_mu);
        work_cv.wait(lock, [this] { return stopping || !work.empty(); });
        if (work.empty()) return;
        task = std::move(work.front());
        work.pop_front();
      }
      task();
    }
  }

  std::string cert_pem, key_pem;  // MHD reads them while it runs
  MHD_Daemon* daemon = nullptr;
  std::mutex log_mu;
  std::string start_error;  // what MHD said while starting
  bool started = false;
};

namespace {

// A request being received.
struct Pending {
  Request req;
  uint64_t received = 0;
  bool dispatched = false;           // handed to a worker (the connection is suspended)
  std::optional<Response> response;  // the worker's answer, sent once the connection resumes
};

void PeerAddress(MHD_Connection* c, Request* req) {
  const MHD_ConnectionInfo* info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (info == nullptr || info->client_addr == nullptr) return;
  const sockaddr* sa = info->client_addr;
  socklen_t len = sa->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  char host[NI_MAXHOST], serv[NI_MAXSERV];
  if (getnameinfo(sa, len, host, sizeof host, serv, sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) ==
      0) {
    req->remote_addr = host;
    req->remote_port = std::atoi(serv);
  }
}

MHD_Result AddHeader(void* cls, MHD_ValueKind, const char* key, const char* value) {
  static_cast<Request*>(cls)->headers.emplace_back(key, value == nullptr ? "" : value);
  return MHD_YES;
}

MHD_Result AddArg(void* cls, MHD_ValueKind, const char* key, const char* value) {
  static_cast<Request*>(cls)->query.emplace_back(key, value == nullptr ? "" : value);
  return MHD_YES;
}

void FreeBody(void* cls) { delete static_cast<std::shared_ptr<const std::string>*>(cls); }

MHD_Result Send(MHD_Connection* c, const Response& res, bool close) {
  auto* keep = new std::shared_ptr<const std::string>(res.body_data);
  char* data = res.body_data ? const_cast<char*>(res.body_data->data()) + res.body_offset : nullptr;
  MHD_Response* r = MHD_create_response_from_buffer_with_free_callback_cls(
      res.body_data ? res.body_size : 0, data, &FreeBody, keep);
  if (r == nullptr) {
    delete keep;
    return MHD_NO;
  }
  for (const auto& [k, v] : res.headers) (void)MHD_add_response_header(r, k.c_str(), v.c_str());
  if (close) (void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
  MHD_Result ok = MHD_queue_response(c, static_cast<unsigned>(res.status), r);
  MHD_destroy_response(r);
  return ok;
}

MHD_Result Dispatch(Server::State& s, MHD_Connection* c, Pending& p) {
  Response res;
  s.handler(p.req, res);
  return Send(c, res, p.req.body_too_large);
}

// The request is complete: it goes to a worker, and its answer is sent when the worker resumes
// the connection (MHD then calls again).
MHD_Result Complete(Server::State& s, MHD_Connection* c, Pending& p) {
  if (p.response) return Send(c, *p.response, p.req.body_too_large);
  if (p.dispatched) return MHD_YES;
  p.dispatched = true;
  MHD_suspend_connection(c);
  bool queued = s.Submit([&s, c, &p] {
    Response res;
    s.handler(p.req, res);
    p.response = std::move(res);
    MHD_resume_connection(c);
  });
  if (queued) return MHD_YES;
  MHD_resume_connection(c);  // stopping: answered here
  return Dispatch(s, c, p);
}

// The first call for a request: its headers are complete, nothing of the body is read yet.
MHD_Result Begin(Server::State& s, MHD_Connection* c, const char* url, const char* method,
                 void** con_cls) {
  auto* p = new Pending;
  *con_cls = p;
  p->req.method = method;
  p->req.path = url;
  (void)MHD_get_connection_values(c, MHD_HEADER_KIND, &AddHeader, &p->req);
  (void)MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, &AddArg, &p->req);
  PeerAddress(c, &p->req);
  const char* length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
  if (length == nullptr) return MHD_YES;
  errno = 0;
  char* end = nullptr;
  unsigned long long n = std::strtoull(length, &end, 10);
  if (errno != 0 || end == length || n > s.limits.max_body) {
    p->req.body_too_large = true;
    if (errno != 0 || n > s.limits.drain_body) return Dispatch(s, c, *p);  // refused unread
  } else {
    p->req.body.reserve(static_cast<size_t>(n));  // at most max_body
  }
  return MHD_YES;
}

MHD_Result Access(void* cls, MHD_Connection* c, const char* url, const char* method,
                  const char* /*version*/, const char* upload_data, size_t* upload_size,
                  void** con_cls) {
  auto& s = *static_cast<Server::State*>(cls);
  if (*con_cls == nullptr) return Begin(s, c, url, method, con_cls);
  auto& p = *static_cast<Pending*>(*con_cls);
  if (*upload_size == 0) return Complete(s, c, p);
  p.received += *upload_size;
  if (p.received > s.limits.max_body) {
    if (!p.req.body_too_large) std::string().swap(p.req.body);
    p.req.body_too_large = true;
  } else {
    p.req.body.append(upload_data, *upload_size);
  }
  *upload_size = 0;
  if (p.received > s.limits.drain_body) return Dispatch(s, c, p);  // no more of it is read
  return MHD_YES;
}

void Completed(void*, MHD_Connection*, void** con_cls, MHD_RequestTerminationCode) {
  delete static_cast<Pending*>(*con_cls);
  *con_cls = nullptr;
}

// Blocks SIGPIPE in the calling thread while alive, so that every thread started meanwhile (MHD's
// pool, the workers) starts with it blocked: a write to a connection its client already closed
// then fails with EPIPE on whichever thread makes it, whatever the send flags of MHD or the TLS
// library, and never ends the process. A program that runs the server (a test, cardhub) need
// not ignore SIGPIPE itself; the caller's own mask is given back.
class SigpipeBlockedForNewThreads {
 public:
  SigpipeBlockedForNewThreads() {
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, &old_);
  }
  ~SigpipeBlockedForNewThreads() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  SigpipeBlockedForNewThreads(const SigpipeBlockedForNewThreads&) = delete;
  SigpipeBlockedForNewThreads& operator=(const SigpipeBlockedForNewThreads&) = delete;

 private:
  sigset_t old_;
};

void Log(void* cls, const char* fmt, va_list ap) {
  auto& s = *static_cast<Server::State*>(cls);
  std::lock_guard<std::mutex> lock(s.log_mu);
  if (s.started) return;  // per-connection trouble is the client's; refusals are logged by the hub
  char buf[512];
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  s.start_error += buf;
}

}  // namespace

Server::Server(std::unique_ptr<State> state) : state_(std::move(state)) {}

Server::~Server() {
  {
    std::lock_guard<std::mutex> lock(state_->work_mu);
    state_->stopping = true;
  }
  state_->work_cv.notify_all();
  for (std::thread& t : state_->workers) t.join();  // each resumes its connection
  MHD_stop_daemon(state_->daemon);
}

base::Result<std::unique_ptr<Server>> Server::Start(base::UniqueFd listen, const Limits& limits,
                                                    const std::string& cert_pem,
                                                    const std::string& key_pem, Handler handler) {
  auto s = std::make_unique<State>();
  s->limits = limits;
  s->handler = std::move(handler);
  s->cert_pem = cert_pem;
  s->key_pem = key_pem;
  const bool tls = !cert_pem.empty();
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
                   MHD_ALLOW_SUSPEND_RESUME;
  if (tls) flags |= MHD_USE_TLS;
  std::vector<MHD_OptionItem> opts = {
      {MHD_OPTION_LISTEN_SOCKET, listen.get(), nullptr},
      {MHD_OPTION_CONNECTION_LIMIT, static_cast<intptr_t>(limits.connection.connections), nullptr},
      {MHD_OPTION_PER_IP_CONNECTION_LIMIT,
       static_cast<intptr_t>(limits.connection.per_ip_connections), nullptr},
      {MHD_OPTION_CONNECTION_TIMEOUT, static_cast<intptr_t>(limits.connection.idle_timeout_seconds),
       nullptr},
      {MHD_OPTION_CONNECTION_MEMORY_LIMIT,
       static_cast<intptr_t>(limits.connection.connection_memory), nullptr},
      {MHD_OPTION_THREAD_POOL_SIZE, static_cast<intptr_t>(limits.connection.threads), nullptr},
      {MHD_OPTION_NOTIFY_COMPLETED, reinterpret_cast<intptr_t>(&Completed), nullptr},
      {MHD_OPTION_EXTERNAL_LOGGER, reinterpret_cast<intptr_t>(&Log), s.get()},
  };
  if (tls) {
    opts.push_back({MHD_OPTION_HTTPS_MEM_CERT, 0, const_cast<char*>(s->cert_pem.c_str())});
    opts.push_back({MHD_OPTION_HTTPS_MEM_KEY, 0, const_cast<char*>(s->key_pem.c_str())});
  }
  opts.push_back({MHD_OPTION_END, 0, nullptr});
  SigpipeBlockedForNewThreads sigpipe_blocked;
  s->daemon = MHD_start_daemon(flags, 0, nullptr, nullptr, &Access, s.get(), MHD_OPTION_ARRAY,
                               opts.data(), MHD_OPTION_END);
  std::lock_guard<std::mutex> lock(s->log_mu);
  if (s->daemon == nullptr) {
    return base::InvalidArgument((tls ? "cannot load the TLS certificate/key or start the server: "
                                      : "cannot start the server: ") +
                                 std::string(base::TrimBlanks(s->start_error)));
  }
  (void)listen.Release();  // the daemon closes it when stopped
  s->started = true;
  for (unsigned i = 0; i < std::max(1u, limits.connection.workers); ++i) {
    s->workers.emplace_back([state = s.get()] { state->Work(); });
  }
  return std::unique_ptr<Server>(new Server(std::move(s)));
}

}  // namespace hub::http
