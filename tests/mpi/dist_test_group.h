// The process group shared by the tests of one MPI test binary (defined in mpi_gtest_main.cpp).
#pragma once

#include <memory>

#include "steel/dist/group.h"

namespace steel::test {

/// Formed on first use from detect_launch() (mpirun's environment) with a 60 s timeout, on the CPU.
std::shared_ptr<dist::Group> test_group();

}  // namespace steel::test
