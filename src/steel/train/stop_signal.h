// SIGTERM/SIGUSR1 (what Slurm sends before preemption or a time limit) turned into a flag the training loop polls.
#pragma once

namespace steel::train {

/// Installs handlers for SIGTERM and SIGUSR1 that only set a flag, so the loop can finish its step, write a
/// checkpoint and exit with exit_code::kPreempted. Idempotent. A second signal does not kill the process
/// either: a checkpoint half-written would be worse than a late one.
void install_stop_handlers();

/// True once a handled signal arrived (or `request_stop` was called).
bool stop_requested();
/// The signal that arrived, or 0.
int stop_signal_number();
/// Sets or clears the flag by hand (tests; a new fold after a resumed one).
void request_stop(int signal_number);
void clear_stop_request();

}  // namespace steel::train
