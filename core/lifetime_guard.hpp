#pragma once
// The one place where a completion from a port checks that its receiver still lives.
//
// Every port answers later (ports.hpp), and the object that asked may be gone by then: a daemon that
// stops destroys its Node, ContainerManager, FlistCache and ResultSender while the explorer, the hub,
// the runtime and the scheduler still hold their callbacks. A callback that captured `this` must then
// do nothing. Before this helper each callback copied a weak_ptr and tested it by hand, and one
// forgotten test was a use-after-free; now the owner holds a LifetimeGuard and hands the port
// `lifetime_.guard([this] {...})`, whose wrapper runs the lambda only while the guard exists.
//
// The owner declares its LifetimeGuard as its LAST member, so that it is destroyed first: from the
// start of the owner's destruction no guarded callback runs, even one a member's destructor triggers.
//
// Cost: a guarded callable is the callable plus a weak_ptr (16 bytes), copied as a weak_ptr is (one
// reference count). It is never stored inline by core::TimerCallback (a weak_ptr is not trivially
// copyable), exactly as the hand-written [this, alive] lambdas it replaces were not; the scheduler's
// hot paths (the stats clock, the pushers' [this] timers) take no guard and stay allocation-free.

#include <cassert>
#include <memory>
#include <type_traits>
#include <utility>

namespace zsim::core {

// A callable that forwards to Callback while the LifetimeGuard that made it exists, and otherwise
// does nothing. Callback must return void: a call that was skipped has no value to give.
template <class Callback>
class Guarded {
 public:
  Guarded(std::weak_ptr<const bool> token, Callback callback)
      : token_(std::move(token)), callback_(std::move(callback)) {}

  template <class... Args>
  void operator()(Args&&... args) {
    static_assert(std::is_void_v<std::invoke_result_t<Callback&, Args&&...>>,
                  "a guarded callback returns nothing: a skipped call has no value to return");
    if (token_.expired()) return;
    callback_(std::forward<Args>(args)...);
  }

  // Whether the owner still lives (the callback would run). For tests and asserts.
  bool armed() const { return !token_.expired(); }

 private:
  std::weak_ptr<const bool> token_;
  Callback callback_;
};

class LifetimeGuard {
 public:
  LifetimeGuard() = default;
  // Neither copied nor moved: the token stands for one object's lifetime, and a copy would make a
  // second owner whose death revokes nothing.
  LifetimeGuard(const LifetimeGuard&) = delete;
  LifetimeGuard& operator=(const LifetimeGuard&) = delete;
  LifetimeGuard(LifetimeGuard&&) = delete;
  LifetimeGuard& operator=(LifetimeGuard&&) = delete;
  ~LifetimeGuard() {
    // A guarded callback may copy the token but never owns it: only this guard does.
    assert(token_.use_count() == 1);
  }

  // Wraps callback so that it runs only while this guard (and so its owner) lives.
  template <class Callback>
  [[nodiscard]] Guarded<std::decay_t<Callback>> guard(Callback&& callback) const {
    assert(token_ != nullptr);
    return Guarded<std::decay_t<Callback>>(token_, std::forward<Callback>(callback));
  }

 private:
  std::shared_ptr<const bool> token_ = std::make_shared<const bool>(true);
};

}  // namespace zsim::core
