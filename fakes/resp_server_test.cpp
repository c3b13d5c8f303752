#include "fakes/resp_server.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

namespace zsim::fakes {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr std::int64_t wait_ms = 3000;

// Runs io until done() or timeout_ms; true when done() holds.
bool run_until(asio::io_context& io, const std::function<bool()>& done, std::int64_t timeout_ms = wait_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!done()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    io.restart();
    io.run_one_for(deadline - now);
  }
  return true;
}

void run_for(asio::io_context& io, std::int64_t duration_ms) {
  io.restart();
  io.run_for(std::chrono::milliseconds(duration_ms));
}

// A multibulk request, as a client library writes it.
std::string request(std::initializer_list<std::string_view> args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (std::string_view arg : args) {
    out += "$" + std::to_string(arg.size()) + "\r\n";
    out.append(arg);
    out += "\r\n";
  }
  return out;
}

std::string bulk(std::string_view text) {
  return "$" + std::to_string(text.size()) + "\r\n" + std::string(text) + "\r\n";
}

// A raw TCP client on the same io_context as the server, so one thread serves both. Its state is
// shared with its handlers, which may run after the client is gone.
class RawClient {
 public:
  RawClient(asio::io_context& io, std::uint16_t port, bool reading = true)
      : io_(io), state_(std::make_shared<State>(io)) {
    state_->reading = reading;
    state_->socket.async_connect(tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), port),
                                 [state = state_](const boost::system::error_code& error) {
                                   state->connected = !error;
                                   if (error) {
                                     state->closed = true;
                                     return;
                                   }
                                   write(state);
                                   if (state->reading) read(state);
                                 });
  }
  ~RawClient() {
    boost::system::error_code ignored;
    state_->socket.close(ignored);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool wait_connected() {
    return run_until(io_, [&] { return state_->connected || state_->closed; }) && state_->connected;
  }
  // Writes one request after the other: two async_writes in flight on one socket would interleave.
  void send(std::string bytes) {
    state_->unsent.append(bytes);
    write(state_);
  }
  // Waits for exactly `bytes` more bytes and returns them; shorter when the wait timed out.
  std::string receive(std::size_t bytes, std::int64_t timeout_ms = wait_ms) {
    run_until(io_, [&] { return state_->received.size() >= bytes || state_->closed; }, timeout_ms);
    const std::size_t taken = std::min(bytes, state_->received.size());
    std::string result = state_->received.substr(0, taken);
    state_->received.erase(0, taken);
    return result;
  }
  bool wait_closed(std::int64_t timeout_ms = wait_ms) {
    return run_until(io_, [&] { return state_->closed; }, timeout_ms);
  }
  const std::string& pending_bytes() const { return state_->received; }
  bool closed() const { return state_->closed; }

 private:
  struct State {
    explicit State(asio::io_context& io) : socket(io) {}
    tcp::socket socket;
    char chunk[65536];
    std::string received;
    std::string unsent;
    std::string sending;
    bool writing = false;
    bool reading = true;
    bool connected = false;
    bool closed = false;
  };
  static void write(const std::shared_ptr<State>& state) {
    if (state->writing || state->unsent.empty() || !state->connected) return;
    state->writing = true;
    state->sending.swap(state->unsent);
    state->unsent.clear();
    asio::async_write(state->socket, asio::buffer(state->sending),
                      [state](const boost::system::error_code& error, std::size_t) {
                        state->writing = false;
                        state->sending.clear();
                        if (!error) write(state);
                      });
  }
  static void read(const std::shared_ptr<State>& state) {
    state->socket.async_read_some(asio::buffer(state->chunk),
                                  [state](const boost::system::error_code& error, std::size_t bytes) {
                                    if (error) {
                                      state->closed = true;
                                      return;
                                    }
                                    state->received.append(state->chunk, bytes);
                                    read(state);
                                  });
  }

  asio::io_context& io_;
  std::shared_ptr<State> state_;
};

class RespServerTest : public ::testing::Test {
 protected:
  asio::io_context io_;
};

TEST_F(RespServerTest, AnswersPingInBothRequestFormsOnALoopbackPort) {
  RespServer server(io_);
  EXPECT_NE(server.port(), 0);
  EXPECT_EQ(server.host(), "127.0.0.1");
  RawClient client(io_, server.port());
  ASSERT_TRUE(client.wait_connected());
  client.send(request({"PING"}));
  EXPECT_EQ(client.receive(7), "+PONG\r\n");
  client.send(request({"ping", "hello"}));
  EXPECT_EQ(client.receive(11), "$5\r\nhello\r\n");
  client.send("PING\r\nPING   there\r\n");
  EXPECT_EQ(client.receive(7 + 11), "+PONG\r\n$5\r\nthere\r\n");
  EXPECT_EQ(server.counters().commands, 4U);
  EXPECT_EQ(server.connections(), 1U);
}

TEST_F(RespServerTest, AnswersPipelinedPublishesInOrderAndCountsThemPerChannel) {
  RespServer server(io_);
  RawClient client(io_, server.port());
  ASSERT_TRUE(client.wait_connected());
  // 100 publishes to "a" and 200 to "b", interleaved, in one write.
  std::string burst;
  for (int index = 0; index < 300; ++index) burst += request({"PUBLISH", index % 3 == 0 ? "a" : "b", "payload"});
  client.send(burst);
  std::string expected;
  for (int index = 0; index < 300; ++index) expected += ":0\r\n";
  EXPECT_EQ(client.receive(expected.size()), expected);
  EXPECT_EQ(server.published("a"), 100U);
  EXPECT_EQ(server.published("b"), 200U);
  EXPECT_EQ(server.published("c"), 0U);
  EXPECT_EQ(server.counters().published, 300U);
  const std::map<std::string, std::uint64_t, std::less<>> by_channel = {{"a", 100}, {"b", 200}};
  EXPECT_EQ(server.published_by_channel(), by_channel);
}

TEST_F(RespServerTest, DeliversMessagesThenPatternMessagesToSubscribersInOrder) {
  RespServer server(io_);
  RawClient subscriber(io_, server.port());
  RawClient publisher(io_, server.port());
  ASSERT_TRUE(subscriber.wait_connected());
  ASSERT_TRUE(publisher.wait_connected());
  subscriber.send(request({"SUBSCRIBE", "logs/1", "logs/2"}) + request({"PSUBSCRIBE", "logs/?", "stats*"}));
  const std::string confirmations = "*3\r\n$9\r\nsubscribe\r\n$6\r\nlogs/1\r\n:1\r\n"
                                    "*3\r\n$9\r\nsubscribe\r\n$6\r\nlogs/2\r\n:2\r\n"
                                    "*3\r\n$10\r\npsubscribe\r\n$6\r\nlogs/?\r\n:3\r\n"
                                    "*3\r\n$10\r\npsubscribe\r\n$6\r\nstats*\r\n:4\r\n";
  ASSERT_EQ(subscriber.receive(confirmations.size()), confirmations);
  EXPECT_EQ(server.subscribers(), 1U);

  const std::string binary("a\0b\r\nc", 6);
  publisher.send(request({"PUBLISH", "logs/1", binary}) + request({"PUBLISH", "stats/x", "s"}) +
                 request({"PUBLISH", "other", "o"}));
  EXPECT_EQ(publisher.receive(12), ":2\r\n:1\r\n:0\r\n");
  const std::string expected = "*3\r\n" + bulk("message") + bulk("logs/1") + bulk(binary) +     //
                               "*4\r\n" + bulk("pmessage") + bulk("logs/?") + bulk("logs/1") + bulk(binary) +  //
                               "*4\r\n" + bulk("pmessage") + bulk("stats*") + bulk("stats/x") + bulk("s");
  EXPECT_EQ(subscriber.receive(expected.size()), expected);
  EXPECT_EQ(server.counters().messages_delivered, 3U);
  run_for(io_, 20);
  EXPECT_TRUE(subscriber.pending_bytes().empty());
}

TEST_F(RespServerTest, SubscribedConnectionAcceptsOnlySubscribeCommandsAndPing) {
  RespServer server(io_);
  RawClient client(io_, server.port());
  ASSERT_TRUE(client.wait_connected());
  client.send(request({"UNSUBSCRIBE"}));
  const std::string none = "*3\r\n" + bulk("unsubscribe") + "$-1\r\n:0\r\n";
  EXPECT_EQ(client.receive(none.size()), none);
  client.send(request({"SUBSCRIBE", "c"}) + request({"PUBLISH", "c", "m"}) + request({"PING"}) +
              request({"PING", "hi"}) + request({"UNSUBSCRIBE"}) + request({"PING"}));
  const std::string expected =
      "*3\r\n" + bulk("subscribe") + bulk("c") + ":1\r\n" +
      "-ERR Can't execute 'publish': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in "
      "this context\r\n" +
      "*2\r\n" + bulk("pong") + bulk("") + "*2\r\n" + bulk("pong") + bulk("hi") + "*3\r\n" + bulk("unsubscribe") +
      bulk("c") + ":0\r\n" + "+PONG\r\n";
  EXPECT_EQ(client.receive(expected.size()), expected);
  EXPECT_EQ(server.published("c"), 0U);
}

TEST_F(RespServerTest, AnswersUnknownCommandsAndWrongArityWithRedisErrors) {
  RespServer server(io_);
  RawClient client(io_, server.port());
  ASSERT_TRUE(client.wait_connected());
  client.send(request({"FOO"}) + request({"FOO", "a", "bc"}) + request({"publish"}) + request({"PING", "a", "b"}));
  const std::string expected = "-ERR unknown command 'FOO', with args beginning with: \r\n"
                               "-ERR unknown command 'FOO', with args beginning with: 'a' 'bc' \r\n"
                               "-ERR wrong number of arguments for 'publish' command\r\n"
                               "-ERR wrong number of arguments for 'ping' command\r\n";
  EXPECT_EQ(client.receive(expected.size()), expected);
  EXPECT_FALSE(client.closed());
}

TEST_F(RespServerTest, RequiresAuthWhenAPasswordIsSet) {
  RespServerOptions options;
  options.requirepass = "s3cret";
  RespServer server(io_, options);
  RawClient client(io_, server.port());
  ASSERT_TRUE(client.wait_connected());
  client.send(request({"PING"}) + request({"PUBLISH", "c", "m"}) + request({"AUTH", "wrong"}) +
              request({"AUTH", "other", "s3cret"}) + request({"AUTH", "s3cret"}) + request({"PING"}));
  const std::string expected = "-NOAUTH Authentication required.\r\n"
                               "-NOAUTH Authentication required.\r\n"
                               "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
                               "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
                               "+OK\r\n+PONG\r\n";
  EXPECT_EQ(client.receive(expected.size()), expected);
  EXPECT_EQ(server.published("c"), 0U);

  RawClient second(io_, server.port());
  ASSERT_TRUE(second.wait_connected());
  second.send(request({"AUTH", "default", "s3cret"}) + request({"PUBLISH", "c", "m"}));
  EXPECT_EQ(second.receive(9), "+OK\r\n:0\r\n");
  EXPECT_EQ(server.published("c"), 1U);
}

TEST_F(RespServerTest, AuthWithoutAConfiguredPasswordIsAnError) {
  RespServer server(io_);
  RawClient client(io_, server.port());
  ASSERT_TRUE(client.wait_connected());
  client.send(request({"AUTH", "x"}) + request({"AUTH", "default", "anything"}));
  const std::string expected =
      "-ERR AUTH <password> called without any password configured for the default user. Are you sure your "
      "configuration is correct?\r\n+OK\r\n";
  EXPECT_EQ(client.receive(expected.size()), expected);
}

TEST_F(RespServerTest, QuitAnswersOkThenCloses) {
  RespServer server(io_);
  RawClient client(io_, server.port());
  ASSERT_TRUE(client.wait_connected());
  client.send(request({"QUIT"}) + request({"PING"}));
  EXPECT_EQ(client.receive(5), "+OK\r\n");
  EXPECT_TRUE(client.wait_closed());
  EXPECT_TRUE(client.pending_bytes().empty());
  EXPECT_TRUE(run_until(io_, [&] { return server.connections() == 0; }));
}

TEST_F(RespServerTest, RefuseClosesNewConnectionsAtOnce) {
  RespServer server(io_);
  server.set_refuse(true);
  RawClient refused(io_, server.port());
  ASSERT_TRUE(refused.wait_connected());  // The kernel completes the handshake; the server closes.
  refused.send(request({"PING"}));
  EXPECT_TRUE(refused.wait_closed());
  EXPECT_TRUE(refused.pending_bytes().empty());
  EXPECT_EQ(server.counters().connections_refused, 1U);
  EXPECT_EQ(server.counters().connections_accepted, 0U);

  server.set_refuse(false);
  RawClient accepted(io_, server.port());
  ASSERT_TRUE(accepted.wait_connected());
  accepted.send(request({"PING"}));
  EXPECT_EQ(accepted.receive(7), "+PONG\r\n");
}

TEST_F(RespServerTest, StallHoldsAnswersUntilHealed) {
  RespServer server(io_);
  RawClient client(io_, server.port());
  ASSERT_TRUE(client.wait_connected());
  server.set_stall(true);
  client.send(request({"PUBLISH", "c", "1"}) + request({"PUBLISH", "c", "2"}) + request({"PING"}));
  run_for(io_, 100);
  EXPECT_TRUE(client.pending_bytes().empty());
  EXPECT_EQ(server.published("c"), 0U);
  server.set_stall(false);
  EXPECT_EQ(client.receive(15), ":0\r\n:0\r\n+PONG\r\n");
  EXPECT_EQ(server.published("c"), 2U);
}

TEST_F(RespServerTest, DropClosesEveryConnection) {
  RespServer server(io_);
  RawClient first(io_, server.port());
  RawClient second(io_, server.port());
  ASSERT_TRUE(first.wait_connected());
  ASSERT_TRUE(second.wait_connected());
  ASSERT_TRUE(run_until(io_, [&] { return server.connections() == 2; }));
  server.drop_connections();
  EXPECT_EQ(server.connections(), 0U);
  EXPECT_TRUE(first.wait_closed());
  EXPECT_TRUE(second.wait_closed());
  EXPECT_EQ(server.counters().connections_dropped, 2U);

  RawClient third(io_, server.port());
  ASSERT_TRUE(third.wait_connected());
  third.send(request({"PING"}));
  EXPECT_EQ(third.receive(7), "+PONG\r\n");
}

TEST_F(RespServerTest, ProtectedModeDeniesEveryCommand) {
  RespServer server(io_);
  RawClient client(io_, server.port());
  ASSERT_TRUE(client.wait_connected());
  server.set_protected_mode(true);
  client.send(request({"PUBLISH", "c", "m"}));
  const std::string prefix = "-DENIED Redis is running in protected mode because protected mode is enabled";
  const std::string reply = client.receive(prefix.size());
  EXPECT_EQ(reply, prefix);
  ASSERT_TRUE(run_until(io_, [&] { return client.pending_bytes().find("\r\n") != std::string::npos; }));
  const std::string rest = client.receive(client.pending_bytes().find("\r\n") + 2);
  EXPECT_TRUE(rest.ends_with("from the outside.\r\n")) << rest;
  EXPECT_EQ(server.published("c"), 0U);
  server.set_protected_mode(false);
  client.send(request({"PUBLISH", "c", "m"}));
  EXPECT_EQ(client.receive(4), ":0\r\n");
}

TEST_F(RespServerTest, ClosesAConnectionWhoseRequestOutgrowsTheBound) {
  RespServerOptions options;
  options.request_bytes_max = 1024;
  RespServer server(io_, options);
  RawClient oversized(io_, server.port());
  ASSERT_TRUE(oversized.wait_connected());
  // A bulk within the bound but a request beyond it, never completed.
  oversized.send("*2\r\n$4\r\nPING\r\n$1020\r\n" + std::string(1020, 'x'));
  EXPECT_TRUE(oversized.wait_closed());
  EXPECT_TRUE(oversized.pending_bytes().empty());

  RawClient invalid(io_, server.port());
  ASSERT_TRUE(invalid.wait_connected());
  invalid.send("*2\r\n$4\r\nPING\r\n$5000\r\n");
  const std::string error = "-ERR Protocol error: invalid bulk length\r\n";
  EXPECT_EQ(invalid.receive(error.size()), error);
  EXPECT_TRUE(invalid.wait_closed());

  RawClient garbage(io_, server.port());
  ASSERT_TRUE(garbage.wait_connected());
  garbage.send("*x\r\n");
  const std::string multibulk = "-ERR Protocol error: invalid multibulk length\r\n";
  EXPECT_EQ(garbage.receive(multibulk.size()), multibulk);
  EXPECT_TRUE(garbage.wait_closed());
}

TEST_F(RespServerTest, ClosesASubscriberThatDoesNotReadPastTheReplyBound) {
  RespServerOptions options;
  options.reply_bytes_max = 64 * 1024;
  RespServer server(io_, options);
  RawClient sleeper(io_, server.port(), /*reading=*/false);
  RawClient publisher(io_, server.port());
  ASSERT_TRUE(sleeper.wait_connected());
  ASSERT_TRUE(publisher.wait_connected());
  sleeper.send(request({"SUBSCRIBE", "c"}));
  ASSERT_TRUE(run_until(io_, [&] { return server.subscribers() == 1; }));
  const std::string payload(256 * 1024, 'p');
  // Far more than the kernel's socket buffers hold, so the server's own buffer must grow.
  for (int index = 0; index < 256 && server.subscribers() == 1; ++index) {
    publisher.send(request({"PUBLISH", "c", payload}));
    run_for(io_, 1);
  }
  EXPECT_TRUE(run_until(io_, [&] { return server.subscribers() == 0; }));
  EXPECT_GE(server.counters().connections_dropped, 1U);
  EXPECT_EQ(server.connections(), 1U);
}

TEST_F(RespServerTest, StopRefusesConnectsAndStartListensOnTheSamePort) {
  RespServer server(io_);
  const std::uint16_t port = server.port();
  RawClient before(io_, port);
  ASSERT_TRUE(before.wait_connected());
  server.stop();
  EXPECT_FALSE(server.listening());
  EXPECT_TRUE(before.wait_closed());
  RawClient refused(io_, port);
  EXPECT_FALSE(refused.wait_connected());
  server.start();
  EXPECT_TRUE(server.listening());
  EXPECT_EQ(server.port(), port);
  RawClient after(io_, port);
  ASSERT_TRUE(after.wait_connected());
  after.send(request({"PING"}));
  EXPECT_EQ(after.receive(7), "+PONG\r\n");
}

}  // namespace
}  // namespace zsim::fakes
