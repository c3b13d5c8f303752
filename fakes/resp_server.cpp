#include "fakes/resp_server.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <fmt/format.h>

#include <cassert>
#include <iterator>
#include <set>
#include <utility>
#include <vector>

namespace zsim::fakes {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t read_chunk_bytes = std::size_t{64} << 10;

constexpr std::string_view denied_error =
    "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the "
    "default user. In this mode connections are only accepted from the loopback interface. If you want to connect "
    "from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode "
    "sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the "
    "same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do "
    "so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode "
    "by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting "
    "the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' "
    "option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the "
    "above things in order for the server to start accepting connections from the outside.";

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Redis's addReplyErrorFormat turns CR and LF into spaces so that an error stays one line.
std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return text;
}

}  // namespace

class Session;

struct RespServer::Impl : std::enable_shared_from_this<RespServer::Impl> {
  Impl(asio::io_context& io_context, RespServerOptions server_options)
      : io(io_context), options(std::move(server_options)), acceptor(io_context) {}

  void listen();
  void accept();
  void on_accept(const boost::system::error_code& error, tcp::socket socket, std::uint64_t generation);
  void close_all();
  std::uint64_t publish(std::string_view channel, std::string_view payload);
  std::vector<std::shared_ptr<Session>> sessions_snapshot() const;

  asio::io_context& io;
  RespServerOptions options;
  tcp::acceptor acceptor;
  std::uint16_t port = 0;
  // Bumped by stop(): an accept handler of an older listener does nothing.
  std::uint64_t listen_generation = 0;
  bool refuse = false;
  bool stall = false;
  bool protected_mode = false;
  RespServerCounters counters;
  std::map<std::string, std::uint64_t, std::less<>> published_by_channel;
  // Ordered by id, that is by accept order, so that delivery order never depends on addresses.
  std::map<std::uint64_t, std::shared_ptr<Session>> sessions;
  std::uint64_t next_session_id = 1;
};

// One client connection. The server's map owns it while it is open; the handlers in flight hold it
// too, and find server_ null once it is closed.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(RespServer::Impl& server, tcp::socket socket, std::uint64_t id)
      : server_(&server), socket_(std::move(socket)), id_(id), chunk_(read_chunk_bytes),
        authenticated_(server.options.requirepass.empty()) {}

  void start() { read(); }
  void resume();
  void close();
  bool subscribed() const { return !channels_.empty() || !patterns_.empty(); }
  bool deliver_message(std::string_view channel, std::string_view payload);
  std::uint64_t deliver_pmessages(std::string_view channel, std::string_view payload);

 private:
  void read();
  void on_read(const boost::system::error_code& error, std::size_t bytes);
  void process();
  void execute();
  void execute_command(std::string_view name);
  void execute_auth();
  void execute_ping();
  void execute_subscribe(bool pattern);
  void execute_unsubscribe(bool pattern);
  void flush();
  void on_written(const boost::system::error_code& error);
  void check_output_bound();

  void reply_raw(std::string_view bytes) { output_.append(bytes); }
  void reply_error(std::string_view text) {
    output_.push_back('-');
    output_.append(one_line(std::string(text)));
    output_.append("\r\n");
  }
  void reply_bulk(std::string_view bytes) {
    fmt::format_to(std::back_inserter(output_), "${}\r\n", bytes.size());
    output_.append(bytes);
    output_.append("\r\n");
  }
  void reply_integer(std::uint64_t value) { fmt::format_to(std::back_inserter(output_), ":{}\r\n", value); }
  void reply_array(std::size_t count) { fmt::format_to(std::back_inserter(output_), "*{}\r\n", count); }

  RespServer::Impl* server_;
  tcp::socket socket_;
  std::uint64_t id_;
  std::vector<char> chunk_;
  std::string input_;
  std::string output_;
  std::string sending_;
  std::vector<std::string_view> args_;
  bool reading_ = false;
  bool writing_ = false;
  bool close_after_reply_ = false;
  bool overflowed_ = false;
  bool authenticated_;
  std::set<std::string, std::less<>> channels_;
  std::set<std::string, std::less<>> patterns_;
};

void Session::read() {
  if (server_ == nullptr || reading_ || server_->stall || close_after_reply_) return;
  reading_ = true;
  socket_.async_read_some(asio::buffer(chunk_),
                          [self = shared_from_this()](const boost::system::error_code& error, std::size_t bytes) {
                            self->on_read(error, bytes);
                          });
}

void Session::on_read(const boost::system::error_code& error, std::size_t bytes) {
  reading_ = false;
  if (server_ == nullptr) return;
  if (error) {
    close();  // End of stream or a reset: the client went away.
    return;
  }
  assert(bytes <= chunk_.size());
  input_.append(chunk_.data(), bytes);
  process();
  flush();
  read();
}

void Session::resume() {
  if (server_ == nullptr) return;
  process();
  flush();
  read();
}

void Session::process() {
  std::size_t offset = 0;
  // Each iteration consumes at least one byte of input_ or leaves the loop.
  while (server_ != nullptr && !server_->stall && !close_after_reply_ && !overflowed_ && offset < input_.size()) {
    const std::string_view rest(input_.data() + offset, input_.size() - offset);
    args_.clear();
    const RespParseOutcome outcome = parse_resp_request(rest, args_, server_->options.request_bytes_max);
    if (outcome.status == RespParse::incomplete) {
      if (rest.size() > server_->options.request_bytes_max) {
        server_->counters.connections_dropped += 1;
        close();  // A request beyond the bound: redis closes such a client too.
        return;
      }
      break;
    }
    if (outcome.status == RespParse::error) {
      server_->counters.commands += 1;
      reply_error(fmt::format("ERR {}", outcome.error));
      close_after_reply_ = true;
      offset = input_.size();
      break;
    }
    assert(outcome.consumed > 0 && outcome.consumed <= rest.size());
    offset += outcome.consumed;
    if (!args_.empty()) execute();
  }
  args_.clear();  // The views point into input_, which changes next.
  input_.erase(0, offset);
}

void Session::execute() {
  assert(!args_.empty());
  server_->counters.commands += 1;
  const std::string_view name = args_[0];
  if (iequals(name, "quit")) {
    reply_raw("+OK\r\n");
    close_after_reply_ = true;
  } else if (server_->protected_mode) {
    reply_error(denied_error);
  } else {
    execute_command(name);
  }
  check_output_bound();
}

void Session::execute_command(std::string_view name) {
  struct Command {
    std::string_view name;
    int arity;  // Redis's convention: N exactly, -N at least N (the name included).
  };
  static constexpr Command commands[] = {{"ping", -1},       {"auth", -2},       {"publish", 3},
                                         {"subscribe", -2},  {"psubscribe", -2}, {"unsubscribe", -1},
                                         {"punsubscribe", -1}};
  const Command* command = nullptr;
  for (const Command& candidate : commands) {
    if (iequals(name, candidate.name)) command = &candidate;
  }
  if (command == nullptr) {
    std::string with_args;
    for (std::size_t index = 1; index < args_.size() && with_args.size() < 128; ++index) {
      with_args += fmt::format("'{}' ", args_[index].substr(0, 128 - with_args.size()));
    }
    reply_error(fmt::format("ERR unknown command '{}', with args beginning with: {}", name.substr(0, 128), with_args));
    return;
  }
  const auto argc = static_cast<int>(args_.size());
  if ((command->arity > 0 && argc != command->arity) || (command->arity < 0 && argc < -command->arity) ||
      (command->name == "ping" && argc > 2)) {
    reply_error(fmt::format("ERR wrong number of arguments for '{}' command", command->name));
    return;
  }
  if (!authenticated_ && command->name != "auth") {
    reply_error("NOAUTH Authentication required.");
    return;
  }
  const bool subscribe_command = command->name.find("subscribe") != std::string_view::npos;
  if (subscribed() && !subscribe_command && command->name != "ping") {
    reply_error(fmt::format("ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
                            "are allowed in this context",
                            command->name));
    return;
  }
  if (command->name == "ping") return execute_ping();
  if (command->name == "auth") return execute_auth();
  if (command->name == "publish") return reply_integer(server_->publish(args_[1], args_[2]));
  if (command->name == "subscribe") return execute_subscribe(false);
  if (command->name == "psubscribe") return execute_subscribe(true);
  if (command->name == "unsubscribe") return execute_unsubscribe(false);
  assert(command->name == "punsubscribe");
  execute_unsubscribe(true);
}

void Session::execute_auth() {
  if (args_.size() > 3) return reply_error("ERR syntax error");
  const std::string_view user = args_.size() == 3 ? args_[1] : std::string_view("default");
  const std::string_view password = args_.back();
  const std::string& required = server_->options.requirepass;
  if (required.empty()) {
    // The default user has nopass: AUTH default <anything> succeeds, the one-argument form is refused.
    if (args_.size() == 3 && user == "default") return reply_raw("+OK\r\n");
    if (args_.size() == 2) {
      return reply_error(
          "ERR AUTH <password> called without any password configured for the default user. Are you sure your "
          "configuration is correct?");
    }
  } else if (user == "default" && password == required) {
    authenticated_ = true;
    return reply_raw("+OK\r\n");
  }
  reply_error("WRONGPASS invalid username-password pair or user is disabled.");
}

void Session::execute_ping() {
  const std::string_view message = args_.size() == 2 ? args_[1] : std::string_view();
  if (subscribed()) {
    reply_array(2);
    reply_bulk("pong");
    reply_bulk(message);
  } else if (args_.size() == 2) {
    reply_bulk(message);
  } else {
    reply_raw("+PONG\r\n");
  }
}

void Session::execute_subscribe(bool pattern) {
  std::set<std::string, std::less<>>& targets = pattern ? patterns_ : channels_;
  for (std::size_t index = 1; index < args_.size(); ++index) {
    targets.emplace(args_[index]);
    reply_array(3);
    reply_bulk(pattern ? "psubscribe" : "subscribe");
    reply_bulk(args_[index]);
    reply_integer(channels_.size() + patterns_.size());
  }
}

void Session::execute_unsubscribe(bool pattern) {
  std::set<std::string, std::less<>>& targets = pattern ? patterns_ : channels_;
  const std::string_view kind = pattern ? "punsubscribe" : "unsubscribe";
  const auto confirm = [&](std::string_view name, bool null_name) {
    reply_array(3);
    reply_bulk(kind);
    if (null_name) {
      reply_raw("$-1\r\n");
    } else {
      reply_bulk(name);
    }
    reply_integer(channels_.size() + patterns_.size());
  };
  if (args_.size() == 1) {
    if (targets.empty()) return confirm({}, true);
    // Each iteration removes one element.
    while (!targets.empty()) {
      const std::string name = *targets.begin();
      targets.erase(targets.begin());
      confirm(name, false);
    }
    return;
  }
  for (std::size_t index = 1; index < args_.size(); ++index) {
    const auto found = targets.find(args_[index]);
    if (found != targets.end()) targets.erase(found);
    confirm(args_[index], false);
  }
}

bool Session::deliver_message(std::string_view channel, std::string_view payload) {
  if (server_ == nullptr || overflowed_ || channels_.find(channel) == channels_.end()) return false;
  reply_array(3);
  reply_bulk("message");
  reply_bulk(channel);
  reply_bulk(payload);
  check_output_bound();
  flush();
  return true;
}

std::uint64_t Session::deliver_pmessages(std::string_view channel, std::string_view payload) {
  if (server_ == nullptr || overflowed_) return 0;
  std::uint64_t delivered = 0;
  for (const std::string& pattern : patterns_) {
    if (!glob_match(pattern, channel)) continue;
    reply_array(4);
    reply_bulk("pmessage");
    reply_bulk(pattern);
    reply_bulk(channel);
    reply_bulk(payload);
    delivered += 1;
  }
  if (delivered > 0) {
    check_output_bound();
    flush();
  }
  return delivered;
}

// Unsent replies beyond the bound close the connection, as redis's client-output-buffer-limit does.
// The close is posted: this may run while the server walks its sessions.
void Session::check_output_bound() {
  if (output_.size() <= server_->options.reply_bytes_max) return;
  overflowed_ = true;
  output_.clear();
  server_->counters.connections_dropped += 1;
  asio::post(server_->io, [self = shared_from_this()] { self->close(); });
}

void Session::flush() {
  if (server_ == nullptr || writing_ || output_.empty() || server_->stall || overflowed_) return;
  sending_.swap(output_);
  output_.clear();
  writing_ = true;
  asio::async_write(socket_, asio::buffer(sending_),
                    [self = shared_from_this()](const boost::system::error_code& error, std::size_t) {
                      self->on_written(error);
                    });
}

void Session::on_written(const boost::system::error_code& error) {
  writing_ = false;
  if (server_ == nullptr) return;
  if (error) {
    close();
    return;
  }
  sending_.clear();
  if (close_after_reply_ && output_.empty()) {
    close();
    return;
  }
  flush();
}

void Session::close() {
  if (server_ == nullptr) return;
  const std::shared_ptr<Session> keep = shared_from_this();  // The map may hold the last reference.
  RespServer::Impl* server = server_;
  server_ = nullptr;
  boost::system::error_code ignored;
  socket_.close(ignored);
  server->sessions.erase(id_);
}

void RespServer::Impl::listen() {
  assert(!acceptor.is_open());
  const tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), port);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(tcp::acceptor::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen();
  port = acceptor.local_endpoint().port();
  assert(port != 0);
  accept();
}

void RespServer::Impl::accept() {
  acceptor.async_accept([self = shared_from_this(), generation = listen_generation](
                            const boost::system::error_code& error, tcp::socket socket) {
    self->on_accept(error, std::move(socket), generation);
  });
}

void RespServer::Impl::on_accept(const boost::system::error_code& error, tcp::socket socket,
                                 std::uint64_t generation) {
  if (generation != listen_generation || !acceptor.is_open()) return;
  if (error) {
    if (error != asio::error::operation_aborted) accept();
    return;
  }
  boost::system::error_code ignored;
  if (refuse) {
    counters.connections_refused += 1;
    socket.close(ignored);
  } else if (sessions.size() >= options.connections_max) {
    counters.connections_refused += 1;
    // A best-effort write, as redis does, then the close.
    socket.non_blocking(true, ignored);
    socket.write_some(asio::buffer(std::string_view("-ERR max number of clients reached\r\n")), ignored);
    socket.close(ignored);
  } else {
    counters.connections_accepted += 1;
    socket.set_option(tcp::no_delay(true), ignored);
    const std::uint64_t id = next_session_id++;
    auto session = std::make_shared<Session>(*this, std::move(socket), id);
    sessions.emplace(id, session);
    session->start();
  }
  accept();
}

std::vector<std::shared_ptr<Session>> RespServer::Impl::sessions_snapshot() const {
  std::vector<std::shared_ptr<Session>> snapshot;
  snapshot.reserve(sessions.size());
  for (const auto& [id, session] : sessions) snapshot.push_back(session);
  return snapshot;
}

void RespServer::Impl::close_all() {
  for (const std::shared_ptr<Session>& session : sessions_snapshot()) session->close();
  assert(sessions.empty());
}

std::uint64_t RespServer::Impl::publish(std::string_view channel, std::string_view payload) {
  counters.published += 1;
  auto found = published_by_channel.find(channel);
  if (found == published_by_channel.end()) found = published_by_channel.emplace(std::string(channel), 0).first;
  found->second += 1;
  // Delivery never closes a session at once (closes are posted), so walking the map is safe.
  std::uint64_t receivers = 0;
  for (const auto& [id, session] : sessions) receivers += session->deliver_message(channel, payload) ? 1 : 0;
  for (const auto& [id, session] : sessions) receivers += session->deliver_pmessages(channel, payload);
  counters.messages_delivered += receivers;
  return receivers;
}

RespServer::RespServer(asio::io_context& io, RespServerOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(options))) {
  impl_->listen();
}

RespServer::~RespServer() {
  stop();
}

std::uint16_t RespServer::port() const {
  return impl_->port;
}

void RespServer::set_refuse(bool refuse) {
  impl_->refuse = refuse;
}

void RespServer::set_stall(bool stall) {
  const bool healing = impl_->stall && !stall;
  impl_->stall = stall;
  if (!healing) return;
  for (const std::shared_ptr<Session>& session : impl_->sessions_snapshot()) session->resume();
}

void RespServer::drop_connections() {
  impl_->counters.connections_dropped += impl_->sessions.size();
  impl_->close_all();
}

void RespServer::set_protected_mode(bool protected_mode) {
  impl_->protected_mode = protected_mode;
}

void RespServer::set_requirepass(std::string password) {
  impl_->options.requirepass = std::move(password);
}

void RespServer::stop() {
  if (impl_->acceptor.is_open()) {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
  }
  impl_->listen_generation += 1;
  drop_connections();
}

void RespServer::start() {
  impl_->listen();
}

bool RespServer::listening() const {
  return impl_->acceptor.is_open();
}

const RespServerCounters& RespServer::counters() const {
  return impl_->counters;
}

const std::map<std::string, std::uint64_t, std::less<>>& RespServer::published_by_channel() const {
  return impl_->published_by_channel;
}

std::uint64_t RespServer::published(std::string_view channel) const {
  const auto found = impl_->published_by_channel.find(channel);
  return found == impl_->published_by_channel.end() ? 0 : found->second;
}

std::size_t RespServer::connections() const {
  return impl_->sessions.size();
}

std::size_t RespServer::subscribers() const {
  std::size_t count = 0;
  for (const auto& [id, session] : impl_->sessions) count += session->subscribed() ? 1 : 0;
  return count;
}

}  // namespace zsim::fakes
