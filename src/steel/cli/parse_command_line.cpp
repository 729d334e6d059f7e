#include "steel/cli/parse_command_line.h"

#include <iostream>
#include <string>

#include <boost/program_options.hpp>

#include "steel/core/error.h"
#include "steel/core/version.h"

namespace po = boost::program_options;

namespace steel::cli {

bool parse_command_line(const char* tool, const char* usage, po::options_description& desc, int argc,
                        const char* const* argv) {
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    if (vm.count("help") != 0) {
      std::cout << usage << "\n\n" << desc << "\n";
      return false;
    }
    if (vm.count("version") != 0) {
      std::cout << tool << " " << kVersion << "\n";
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw ConfigError(std::string(e.what()) + " (see " + tool + " --help)");
  }
  return true;
}

}  // namespace steel::cli
