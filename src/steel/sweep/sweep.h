// steel_sweep's engine: the whole study (backbones x folds, then evaluation and the report) from one command.
#pragma once

#include "steel/sweep/sweep_options.h"

namespace steel::sweep {

/// Runs the sweep `options` describes and returns the process exit code:
/// - status: prints the state table of every run; 0.
/// - local: every unfinished (backbone, fold) in order with `mpirun -np ranks steel_train ... --resume` (a finished
///   run is skipped, an interrupted one resumed, so rerunning after a crash continues), then steel_eval for every
///   backbone with a finished fold, then steel_report. A failed run is recorded in fold_<k>/sweep_failed.txt and
///   the sweep goes on; the exit code is then 1. A run stopped by a signal (exit 75) stops the sweep with 75.
/// - slurm: submits slurm/train.sbatch as one job array over the whole grid (finished runs return at once),
///   slurm/eval.sbatch after it (afterany, so failed tasks do not block it) and slurm/report.sbatch after that, passing the plan as STEEL_* environment variables; with
///   `wait`, blocks until the jobs have left the queue and returns 0 only if every run finished and the report
///   exists. `dry_run` prints the commands instead of running them.
int run_sweep(const SweepOptions& options);

}  // namespace steel::sweep
