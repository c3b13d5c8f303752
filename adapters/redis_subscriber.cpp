#include "adapters/redis_subscriber.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <hiredis/hiredis.h>

#include <fmt/format.h>

#include <cassert>
#include <iterator>
#include <utility>

namespace zsim::adapters {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t read_chunk_bytes = std::size_t{64} << 10;

void append_command(std::string& out, std::string_view name, std::string_view argument) {
  fmt::format_to(std::back_inserter(out), "*2\r\n${}\r\n{}\r\n${}\r\n", name.size(), name, argument.size());
  out.append(argument);
  out.append("\r\n");
}

std::string_view element_text(const redisReply* reply) {
  return reply->str == nullptr ? std::string_view() : std::string_view(reply->str, reply->len);
}

}  // namespace

struct RedisSubscriber::Impl : std::enable_shared_from_this<RedisSubscriber::Impl> {
  Impl(asio::io_context& io, std::size_t max) : socket(io), chunk(read_chunk_bytes), messages_max(max) {}
  ~Impl() {
    if (reader != nullptr) redisReaderFree(reader);
  }

  void start(const std::string& host, std::uint16_t port);
  void send(std::string bytes);
  void flush();
  void read();
  void on_read(const boost::system::error_code& error, std::size_t bytes);
  void handle(const redisReply* reply);
  void close(std::string reason);

  tcp::socket socket;
  std::vector<char> chunk;
  redisReader* reader = redisReaderCreate();
  std::size_t messages_max;
  bool connected = false;
  bool writing = false;
  bool is_closed = false;
  std::string output;
  std::string sending;
  std::size_t confirmations = 0;
  std::vector<SubscribedMessage> messages;
  std::string error;
};

void RedisSubscriber::Impl::start(const std::string& host, std::uint16_t port) {
  const tcp::endpoint endpoint(asio::ip::make_address(host), port);
  socket.async_connect(endpoint, [self = shared_from_this()](const boost::system::error_code& connect_error) {
    if (self->is_closed) return;
    if (connect_error) return self->close(connect_error.message());
    self->connected = true;
    self->flush();
    self->read();
  });
}

void RedisSubscriber::Impl::send(std::string bytes) {
  if (is_closed) return;
  output.append(bytes);
  flush();
}

void RedisSubscriber::Impl::flush() {
  if (!connected || writing || output.empty() || is_closed) return;
  sending.swap(output);
  output.clear();
  writing = true;
  asio::async_write(socket, asio::buffer(sending),
                    [self = shared_from_this()](const boost::system::error_code& write_error, std::size_t) {
                      self->writing = false;
                      if (self->is_closed) return;
                      if (write_error) return self->close(write_error.message());
                      self->sending.clear();
                      self->flush();
                    });
}

void RedisSubscriber::Impl::read() {
  socket.async_read_some(asio::buffer(chunk), [self = shared_from_this()](const boost::system::error_code& read_error,
                                                                          std::size_t bytes) {
    self->on_read(read_error, bytes);
  });
}

void RedisSubscriber::Impl::on_read(const boost::system::error_code& read_error, std::size_t bytes) {
  if (is_closed) return;
  if (read_error) return close(read_error.message());
  if (redisReaderFeed(reader, chunk.data(), bytes) != REDIS_OK) return close("reply reader: out of memory");
  // Each iteration takes one complete reply out of the bytes fed, so the loop is bounded by them.
  while (!is_closed) {
    void* reply = nullptr;
    if (redisReaderGetReply(reader, &reply) != REDIS_OK) {
      return close(fmt::format("protocol error: {}", reader->errstr));
    }
    if (reply == nullptr) break;
    handle(static_cast<const redisReply*>(reply));
    freeReplyObject(reply);
  }
  if (!is_closed) read();
}

void RedisSubscriber::Impl::handle(const redisReply* reply) {
  if (reply->type == REDIS_REPLY_ERROR) {
    error = std::string(element_text(reply));
    return;
  }
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 3) return;  // +OK of AUTH, for one.
  const std::string_view kind = element_text(reply->element[0]);
  if (kind == "subscribe" || kind == "psubscribe") {
    confirmations += 1;
  } else if (kind == "message") {
    messages.push_back(
        {{}, std::string(element_text(reply->element[1])), std::string(element_text(reply->element[2]))});
  } else if (kind == "pmessage" && reply->elements == 4) {
    messages.push_back({std::string(element_text(reply->element[1])), std::string(element_text(reply->element[2])),
                        std::string(element_text(reply->element[3]))});
  }
  if (messages.size() >= messages_max) close(fmt::format("more than {} messages", messages_max));
}

void RedisSubscriber::Impl::close(std::string reason) {
  if (is_closed) return;
  is_closed = true;
  if (error.empty()) error = std::move(reason);
  boost::system::error_code ignored;
  socket.close(ignored);
}

RedisSubscriber::RedisSubscriber(asio::io_context& io, const std::string& host, std::uint16_t port,
                                 std::string password, std::size_t messages_max)
    : impl_(std::make_shared<Impl>(io, messages_max)) {
  assert(messages_max > 0);
  assert(impl_->reader != nullptr);
  if (!password.empty()) append_command(impl_->output, "AUTH", password);
  impl_->start(host, port);
}

RedisSubscriber::~RedisSubscriber() {
  impl_->close("closed");
}

void RedisSubscriber::subscribe(std::string_view channel) {
  std::string bytes;
  append_command(bytes, "SUBSCRIBE", channel);
  impl_->send(std::move(bytes));
}

void RedisSubscriber::psubscribe(std::string_view pattern) {
  std::string bytes;
  append_command(bytes, "PSUBSCRIBE", pattern);
  impl_->send(std::move(bytes));
}

std::size_t RedisSubscriber::confirmations() const {
  return impl_->confirmations;
}

const std::vector<SubscribedMessage>& RedisSubscriber::messages() const {
  return impl_->messages;
}

bool RedisSubscriber::closed() const {
  return impl_->is_closed;
}

const std::string& RedisSubscriber::error() const {
  return impl_->error;
}

}  // namespace zsim::adapters
