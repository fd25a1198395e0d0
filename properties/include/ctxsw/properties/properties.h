// SPDX-License-Identifier: GPL-2.0-only
//
// The named properties of SPEC §4. Each is a predicate over one model state
// (or, for sched.no_deadlock, over a state and its successors), with a
// one-line description and the kernel text it protects.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "ctxsw/model/config.h"
#include "ctxsw/model/state.h"

namespace ctxsw {

enum class PropertyKind {
  invariant,  // checked in every reachable state
  deadlock,   // a reachable state without successors that is not quiescent
};

struct Property {
  std::string_view name;
  std::string_view description;
  std::string_view protects;  // kernel file:function and the text it protects
  PropertyKind kind;
  // Empty when the property holds; otherwise one line saying what is wrong.
  std::string (*check)(const Config &, const State &);
};

std::span<const Property> all_properties();
const Property *property_by_name(std::string_view name);

}  // namespace ctxsw
