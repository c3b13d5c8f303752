#pragma once
// Test support for the adapters' publisher tests (against the RESP fake and a real redis-server):
// a ConnectionObserver that records what the publisher reports, in order, and runs optional hooks
// from inside the callbacks.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ports.hpp"

namespace zsim::adapters::testing {

struct ConnectionRecorder final : core::ConnectionObserver {
  void on_connected() override {
    connected += 1;
    events.emplace_back("connected");
    if (connected_hook) connected_hook();
  }
  void on_disconnected(std::string_view reason) override {
    disconnects.emplace_back(reason);
    events.emplace_back("disconnected");
    if (disconnected_hook) disconnected_hook();
  }
  void on_reply(bool ok) override {
    replies.push_back(ok);
    if (reply_hook) reply_hook();
  }

  int connected = 0;
  std::vector<bool> replies;
  std::vector<std::string> disconnects;
  std::vector<std::string> events;
  std::function<void()> connected_hook;
  std::function<void()> disconnected_hook;
  std::function<void()> reply_hook;
};

}  // namespace zsim::adapters::testing
