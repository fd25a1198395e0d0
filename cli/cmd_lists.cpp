// SPDX-License-Identifier: GPL-2.0-only
//
// ctxsw list-properties, ctxsw list-mutants.
#include <fmt/format.h>

#include <iostream>

#include "commands.h"
#include "ctxsw/model/mutant.h"
#include "ctxsw/properties/properties.h"

namespace ctxsw::cli {

void register_lists(CLI::App &app, int &status) {
  app.add_subcommand("list-properties", "the named properties, what they say and what kernel text they protect")
      ->callback([&status] {
        for (const Property &p : all_properties())
          std::cout << fmt::format("{}\n    {}\n    protects: {}\n", p.name, p.description, p.protects);
        status = 0;
      });
  app.add_subcommand("list-mutants", "the named mutants and the properties they are expected to break")
      ->callback([&status] {
        for (const MutantInfo &m : all_mutants())
          std::cout << fmt::format("{}\n    {}\n    expected to break: {}{}\n", m.name, m.change, m.expected,
                                   m.needs.empty() ? "" : fmt::format(" (needs --{})", m.needs));
        status = 0;
      });
}

}  // namespace ctxsw::cli
