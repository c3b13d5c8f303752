#pragma once
// The trace's value escaper is the core's (core/trace_value.hpp): the core writes its own events'
// values with it and sees nothing above it, so the one escaper lives there and the kernel, the
// fakes and the world use it through this header.

#include "core/trace_value.hpp"

namespace zsim::kernel {

using core::append_trace_escaped;
using core::trace_unescaped;
using core::trace_value;

}  // namespace zsim::kernel
