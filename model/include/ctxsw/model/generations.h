// SPDX-License-Identifier: GPL-2.0-only
//
// The finite-state abstraction of asid_generation (docs/generations.md):
// the model applies it after every step unless Config::renumber_generations
// is off. Exposed so that tools and tests can map raw states to it.
#pragma once

#include "ctxsw/model/config.h"
#include "ctxsw/model/state.h"

namespace ctxsw {

void renumber_generations(const Config &cfg, State &s);

}  // namespace ctxsw
