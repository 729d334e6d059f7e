// The shared Boost.Program_options step of the tools' option parsers: --help, --version, errors as ConfigError.
#pragma once

#include <boost/program_options/options_description.hpp>

namespace steel::cli {

/// Parses argv against `desc` (which must declare "help" and "version"). Prints `usage`, a blank line and the
/// options for --help, or "<tool> <version>" for --version, and returns false then; otherwise stores and
/// notifies the bound variables and returns true. Boost.PO errors become ConfigError (exit code 2) naming `tool`.
bool parse_command_line(const char* tool, const char* usage, boost::program_options::options_description& desc,
                        int argc, const char* const* argv);

}  // namespace steel::cli
