#include "core/stats_clock.hpp"

#include <algorithm>
#include <cassert>

namespace zsim::core {

StatsClock::StatsClock(Scheduler& scheduler, std::int64_t interval_ms)
    : scheduler_(scheduler), interval_ms_(interval_ms) {
  assert(interval_ms_ > 0);
}

StatsClock::~StatsClock() {
  assert(tickers_ == 0 && "every ticker leaves before its clock goes");
  for (const auto& [phase_ms, group] : groups_) scheduler_.cancel(group.timer);
}

StatsClock::Membership StatsClock::join(StatsTicker& ticker) {
  assert(tickers_ < tickers_max);
  const std::int64_t now_ms = scheduler_.now_ms();
  assert(now_ms >= 0);
  const std::int64_t phase_ms = now_ms % interval_ms_;
  const auto [found, created] = groups_.try_emplace(phase_ms);
  Group& group = found->second;
  const std::uint64_t id = next_id_;
  next_id_ += 1;
  // A group due now (or overdue after a clock step) fires before this member's first grid point,
  // which first_tick_ms keeps it out of.
  group.members.push_back(Member{&ticker, id, now_ms + interval_ms_});
  tickers_ += 1;
  if (created) {
    group.phase_ms = phase_ms;
    group.next_tick_ms = now_ms + interval_ms_;
    schedule(group);
  }
  assert(group.next_tick_ms % interval_ms_ == phase_ms);
  return Membership{phase_ms, id};
}

void StatsClock::leave(const Membership& membership) {
  const auto found = groups_.find(membership.phase_ms);
  assert(found != groups_.end());
  Group& group = found->second;
  // Ids ascend in join order, and removals keep the order: a binary search finds the member.
  const auto member = std::lower_bound(group.members.begin(), group.members.end(), membership.id,
                                       [](const Member& m, std::uint64_t id) { return m.id < id; });
  assert(member != group.members.end() && member->id == membership.id && member->ticker != nullptr);
  assert(tickers_ > 0);
  tickers_ -= 1;
  if (group.firing) {
    member->ticker = nullptr;  // The tick in progress iterates members: removed once it ends.
    group.left_while_firing = true;
    return;
  }
  group.members.erase(member);
  drop_if_empty(group);
}

// The timer holds the group's address: a std::map keeps its nodes in place while others come and
// go, and a group is erased only together with its pending timer.
void StatsClock::schedule(Group& group) {
  auto fire_group = [this, &group] { fire(group); };
  static_assert(TimerCallback::stored_inline<decltype(fire_group)>(), "a tick must not allocate");
  group.timer = scheduler_.at(group.next_tick_ms, fire_group);
}

void StatsClock::fire(Group& group) {
  assert(groups_.count(group.phase_ms) == 1 && &groups_.find(group.phase_ms)->second == &group);
  assert(!group.firing && !group.members.empty());
  const std::int64_t now_ms = scheduler_.now_ms();
  assert(now_ms >= group.next_tick_ms);
  // The next grid point after now: one interval on, or further when a clock step jumped over some.
  group.next_tick_ms += interval_ms_;
  if (group.next_tick_ms <= now_ms) {
    group.next_tick_ms += ((now_ms - group.next_tick_ms) / interval_ms_ + 1) * interval_ms_;
  }
  assert(group.next_tick_ms > now_ms && group.next_tick_ms <= now_ms + interval_ms_);
  schedule(group);
  group.firing = true;
  // Members that join during the tick are appended with a later first tick, so the bound is the
  // size before the tick.
  const std::size_t members = group.members.size();
  for (std::size_t index = 0; index < members; index += 1) {
    const Member member = group.members[index];
    if (member.ticker != nullptr && member.first_tick_ms <= now_ms) member.ticker->on_stats_tick();
  }
  group.firing = false;
  if (group.left_while_firing) remove_left(group);
}

void StatsClock::remove_left(Group& group) {
  assert(!group.firing && group.left_while_firing);
  group.left_while_firing = false;
  std::erase_if(group.members, [](const Member& member) { return member.ticker == nullptr; });
  drop_if_empty(group);
}

// A group without members has no timer and no entry: its phase is free again.
void StatsClock::drop_if_empty(Group& group) {
  if (!group.members.empty()) return;
  scheduler_.cancel(group.timer);
  const std::int64_t phase_ms = group.phase_ms;  // A copy: the key must outlive the erase.
  groups_.erase(phase_ms);  // Last: it destroys the group.
}

}  // namespace zsim::core
