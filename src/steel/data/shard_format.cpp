#include "steel/data/shard_format.h"

namespace steel::data {

std::string shard_file_name(int fold) {
  return fold < 0 ? std::string("test.h5") : "fold_" + std::to_string(fold) + ".h5";
}

}  // namespace steel::data
