// steel_train: trains a U-Net on the folds of a steel_prep folder, on one process or many (mpirun, srun).
#include "steel/cli/guarded_main.h"
#include "steel/cli/train_cli.h"
#include "steel/core/error.h"
#include "steel/core/logging.h"
#include "steel/dist/launch.h"
#include "steel/train/trainer.h"

int main(int argc, char** argv) {
  steel::logging::init();
  return steel::cli::guarded_main("steel_train", [&] {
    // MPI is finalised after run_training has released its process group, also when it throws; but not after a
    // DistError, where a peer may be gone and MPI_Finalize's closing handshake could wait for it (mpirun ends
    // the job on the non-zero exit instead). A no-op unless detect_launch initialised MPI.
    try {
      const auto options = steel::cli::parse_train_cli(argc, argv);
      const int code = options ? steel::train::run_training(*options) : 0;
      steel::dist::finalize_launch();
      return code;
    } catch (const steel::DistError&) {
      throw;
    } catch (...) {
      steel::dist::finalize_launch();
      throw;
    }
  });
}
