// SPDX-License-Identifier: GPL-2.0-only
//
// ctxsw: a model checker for the Linux context-switch path.
// Exit status: 0 everything holds, 1 a property is violated (or a replay
// failed), 2 usage or configuration error, 3 an incomplete run.
#include <iostream>

#include "commands.h"
#include "options.h"

int main(int argc, char **argv) {
  CLI::App app{
      "ctxsw: model checker for context_switch, switch_to, lazy-TLB mm refcounting and the arm64 ASID "
      "allocator (Linux 6.1)"};
  app.require_subcommand(1);
  int status = 0;
  ctxsw::cli::register_check(app, status);
  ctxsw::cli::register_bench(app, status);
  ctxsw::cli::register_lists(app, status);
  ctxsw::cli::register_replay(app, status);
  ctxsw::cli::register_explore(app, status);
  ctxsw::cli::register_graph(app, status);
  ctxsw::cli::register_asm(app, status);
  ctxsw::cli::register_prove(app, status);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    // "ctxsw frobnicate": name the word rather than CLI11's "A subcommand is required".
    auto named = [&](CLI::App *s) { return s->check_name(argv[1]); };
    if (argc > 1 && argv[1][0] != '-' && app.get_subcommands(named).empty())
      return ctxsw::cli::usage_error(std::string("unknown command '") + argv[1] + "' (ctxsw --help lists them)");
    return ctxsw::cli::usage_error(e.what());
  }
  return status;
}
