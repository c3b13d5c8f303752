#pragma once
// What a Scheduler runs: a move-only void() callable, built implicitly from any lambda.
//
// Why not std::function: every event of the simulator moves its callback twice (into the scheduler,
// out of it to run), and libstdc++'s std::function moves through a temporary whose 16-byte loads
// read back 8-byte stores. The store-forwarding stalls made VirtualScheduler::at a sixth of the cost
// of a stats message (bench/pusher_bench.cpp). Here a move is a copy of four machine words.
//
// A callable that is trivially copyable and at most inline_bytes (the core's [this] and
// [this, id] lambdas) is stored inline and never allocates. Any other callable (one that captures a
// string or a std::function) is moved to the heap once, and the inline words hold its pointer.

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <new>
#include <type_traits>
#include <utility>

namespace zsim::core {

class TimerCallback {
 public:
  static constexpr std::size_t inline_bytes = 2 * sizeof(std::uint64_t);

  TimerCallback() = default;
  TimerCallback(std::nullptr_t) {}  // NOLINT: implicit, as std::function's.

  template <class Callable, class Decayed = std::decay_t<Callable>,
            class = std::enable_if_t<!std::is_same_v<Decayed, TimerCallback> && !std::is_same_v<Decayed, std::nullptr_t> &&
                                     std::is_invocable_r_v<void, Decayed&>>>
  TimerCallback(Callable&& callable) {  // NOLINT: implicit by design, so that at(t, [] {...}) reads as before.
    if constexpr (std::is_pointer_v<Decayed> || std::is_same_v<Decayed, std::function<void()>>) {
      assert(static_cast<bool>(callable) && "an empty std::function or a null function pointer");
    }
    if constexpr (stored_inline<Decayed>()) {
      ::new (static_cast<void*>(storage_)) Decayed(std::forward<Callable>(callable));
      invoke_ = [](TimerCallback& self) { (*std::launder(reinterpret_cast<Decayed*>(self.storage_)))(); };
    } else {
      auto* owned = new Decayed(std::forward<Callable>(callable));
      std::memcpy(storage_, &owned, sizeof owned);
      invoke_ = [](TimerCallback& self) { (*self.heap_pointer<Decayed>())(); };
      destroy_ = [](TimerCallback& self) { delete self.heap_pointer<Decayed>(); };
    }
  }

  TimerCallback(TimerCallback&& other) noexcept { take(other); }
  TimerCallback& operator=(TimerCallback&& other) noexcept {
    if (this != &other) {
      reset();
      take(other);
    }
    return *this;
  }
  TimerCallback& operator=(std::nullptr_t) {
    reset();
    return *this;
  }
  TimerCallback(const TimerCallback&) = delete;
  TimerCallback& operator=(const TimerCallback&) = delete;
  ~TimerCallback() { reset(); }

  explicit operator bool() const { return invoke_ != nullptr; }

  void operator()() {
    assert(invoke_ != nullptr);
    invoke_(*this);
  }

  // True when a callable of this type is stored inline (no allocation): hot paths static_assert it.
  template <class Decayed>
  static constexpr bool stored_inline() {
    return sizeof(Decayed) <= inline_bytes && alignof(Decayed) <= alignof(std::uint64_t) &&
           std::is_trivially_copyable_v<Decayed> && std::is_trivially_destructible_v<Decayed>;
  }

 private:

  template <class Decayed>
  Decayed* heap_pointer() {
    Decayed* owned = nullptr;
    std::memcpy(&owned, storage_, sizeof owned);
    assert(owned != nullptr);
    return owned;
  }

  // Word by word: a lambda's captures are written as words, so they are read back as words.
  void take(TimerCallback& other) {
    std::memcpy(storage_, other.storage_, sizeof(std::uint64_t));
    std::memcpy(storage_ + sizeof(std::uint64_t), other.storage_ + sizeof(std::uint64_t), sizeof(std::uint64_t));
    invoke_ = other.invoke_;
    destroy_ = other.destroy_;
    other.invoke_ = nullptr;
    other.destroy_ = nullptr;
  }

  void reset() {
    if (destroy_ != nullptr) destroy_(*this);
    invoke_ = nullptr;
    destroy_ = nullptr;
  }

  alignas(std::uint64_t) unsigned char storage_[inline_bytes] = {};
  void (*invoke_)(TimerCallback&) = nullptr;
  void (*destroy_)(TimerCallback&) = nullptr;  // Null when the callable is inline (trivial).
};

}  // namespace zsim::core
