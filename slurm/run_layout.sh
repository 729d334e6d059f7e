# run_layout.sh - the run folder's names for the batch scripts, sourced by train.sbatch and eval.sbatch.
# It mirrors src/steel/run/run_paths.h (RunPaths), the one home of the layout; tests/unit/run/run_layout_test.cpp
# checks that the two agree. Slurm runs a spool copy of a batch script, so the scripts find this file through
# STEEL_SLURM_DIR (steel_sweep sets it), else $SLURM_SUBMIT_DIR/slurm.

# <out>/<backbone>/fold_<k>
steel_fold_dir() { printf '%s/%s/fold_%s' "$1" "$2" "$3"; }
# In a fold folder: why the sweep's last attempt failed (steel_sweep --status reads it).
STEEL_FAILED_MARKER=sweep_failed.txt
# In a fold folder: present once the fold is finished.
STEEL_RESULT_CSV=result.csv
# Whether <out>/<backbone> has at least one finished fold.
steel_has_finished_fold() { compgen -G "$1/$2/fold_*/$STEEL_RESULT_CSV" >/dev/null; }
