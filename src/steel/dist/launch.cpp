#include "steel/dist/launch.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

#include <mpi.h>

#include "steel/core/error.h"
#include "steel/core/host.h"

namespace steel::dist {
namespace {

// Set when detect_launch() called MPI_Init, so that finalize_launch() leaves a caller's MPI alone.
bool g_we_initialised_mpi = false;

constexpr int kDefaultMasterPort = 29500;

int parse_int(const char* name, const char* value, int min_value) {
  const std::string text = value;
  char* end = nullptr;
  errno = 0;
  const long parsed = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || parsed < min_value ||
      parsed > std::numeric_limits<int>::max()) {
    throw ConfigError(std::string(name) + "='" + text + "' is not an integer >= " + std::to_string(min_value));
  }
  return static_cast<int>(parsed);
}

int int_or(const EnvLookup& env, const char* name, int fallback, int min_value) {
  const char* value = env(name);
  return value ? parse_int(name, value, min_value) : fallback;
}

void check_rank(const LaunchInfo& info, const char* rank_var, const char* size_var) {
  if (info.rank >= info.world_size) {
    throw ConfigError(std::string(rank_var) + "=" + std::to_string(info.rank) + " must be less than " + size_var +
                      "=" + std::to_string(info.world_size));
  }
}

int check_port(const char* name, int port) {
  if (port < 1 || port > 65535) {
    throw ConfigError(std::string(name) + "=" + std::to_string(port) + " is not a TCP port (1-65535)");
  }
  return port;
}

// The kernel picks a free port for port 0; the store binds it again moments later. The window in which
// another process could take it is small and a collision fails loudly at TCPStore creation.
int free_tcp_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw DistError(std::string("rank 0: socket() failed: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const std::string why = std::strerror(errno);
    close(fd);
    throw DistError("rank 0: could not bind a free TCP port for the rendezvous store: " + why);
  }
  close(fd);
  return ntohs(addr.sin_port);
}

bool launched_by_mpi() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMIX_RANK") || std::getenv("PMI_RANK");
}

LaunchInfo detect_mpi_launch() {
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (!initialised) {
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    g_we_initialised_mpi = true;
  }
  LaunchInfo info;
  info.launcher = "mpi";
  MPI_Comm_rank(MPI_COMM_WORLD, &info.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &info.world_size);
  if (const char* local = std::getenv("OMPI_COMM_WORLD_LOCAL_RANK")) {
    info.local_rank = parse_int("OMPI_COMM_WORLD_LOCAL_RANK", local, 0);
  } else {
    MPI_Comm node_comm;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, info.rank, MPI_INFO_NULL, &node_comm);
    MPI_Comm_rank(node_comm, &info.local_rank);
    MPI_Comm_free(&node_comm);
  }
  if (info.world_size == 1) return info;

  std::array<char, 320> address{};
  if (info.rank == 0) {
    const std::string text = host_name() + ":" + std::to_string(free_tcp_port());
    std::strncpy(address.data(), text.c_str(), address.size() - 1);
  }
  MPI_Bcast(address.data(), static_cast<int>(address.size()), MPI_CHAR, 0, MPI_COMM_WORLD);
  const std::string text = address.data();
  const auto colon = text.rfind(':');
  info.master_addr = text.substr(0, colon);
  info.master_port = std::stoi(text.substr(colon + 1));
  return info;
}

LaunchInfo detect_slurm_launch(const EnvLookup& env) {
  LaunchInfo info;
  info.launcher = "slurm";
  const char* size_var = env("SLURM_STEP_NUM_TASKS") ? "SLURM_STEP_NUM_TASKS" : "SLURM_NTASKS";
  info.world_size = parse_int(size_var, env(size_var), 1);
  info.rank = parse_int("SLURM_PROCID", env("SLURM_PROCID"), 0);
  info.local_rank = int_or(env, "SLURM_LOCALID", 0, 0);
  check_rank(info, "SLURM_PROCID", size_var);
  if (const char* addr = env("MASTER_ADDR")) {
    info.master_addr = addr;
  } else if (const char* nodes = env("SLURM_STEP_NODELIST") ? env("SLURM_STEP_NODELIST") : env("SLURM_JOB_NODELIST")) {
    info.master_addr = first_host_in_nodelist(nodes);
  } else {
    info.master_addr = "127.0.0.1";
  }
  if (const char* port = env("MASTER_PORT")) {
    info.master_port = check_port("MASTER_PORT", parse_int("MASTER_PORT", port, 0));
  } else if (const char* job = env("SLURM_JOB_ID")) {
    info.master_port = 15000 + parse_int("SLURM_JOB_ID", job, 0) % 20000;
  } else {
    info.master_port = kDefaultMasterPort;
  }
  return info;
}

LaunchInfo detect_env_launch(const EnvLookup& env) {
  if (!env("RANK") || !env("WORLD_SIZE")) {
    throw ConfigError(std::string("RANK and WORLD_SIZE must be set together; only ") +
                      (env("RANK") ? "RANK" : "WORLD_SIZE") + " is set");
  }
  LaunchInfo info;
  info.launcher = "env";
  info.world_size = parse_int("WORLD_SIZE", env("WORLD_SIZE"), 1);
  info.rank = parse_int("RANK", env("RANK"), 0);
  info.local_rank = int_or(env, "LOCAL_RANK", 0, 0);
  check_rank(info, "RANK", "WORLD_SIZE");
  info.master_addr = env("MASTER_ADDR") ? env("MASTER_ADDR") : "127.0.0.1";
  info.master_port = check_port("MASTER_PORT", int_or(env, "MASTER_PORT", kDefaultMasterPort, 0));
  return info;
}

}  // namespace

std::string first_host_in_nodelist(const std::string& nodelist) {
  if (nodelist.empty()) throw ConfigError("Slurm node list is empty");
  std::string host;
  size_t i = 0;
  while (i < nodelist.size() && nodelist[i] != ',') {
    if (nodelist[i] == '[') {
      const size_t close = nodelist.find(']', i);
      if (close == std::string::npos) throw ConfigError("Slurm node list '" + nodelist + "' has an unclosed '['");
      const std::string ranges = nodelist.substr(i + 1, close - i - 1);
      const std::string first = ranges.substr(0, ranges.find_first_of(",-"));
      if (first.empty()) throw ConfigError("Slurm node list '" + nodelist + "' has an empty range");
      host += first;
      i = close + 1;
    } else if (nodelist[i] == ']') {
      throw ConfigError("Slurm node list '" + nodelist + "' has an unmatched ']'");
    } else {
      host += nodelist[i++];
    }
  }
  if (host.empty()) throw ConfigError("Slurm node list '" + nodelist + "' starts with an empty host name");
  return host;
}

LaunchInfo detect_launch_from(const EnvLookup& env) {
  if (env("SLURM_PROCID") && env("SLURM_NTASKS")) return detect_slurm_launch(env);
  if (env("RANK") || env("WORLD_SIZE")) return detect_env_launch(env);
  return LaunchInfo{};
}

LaunchInfo detect_launch() {
  if (launched_by_mpi()) return detect_mpi_launch();
  return detect_launch_from([](const char* name) { return std::getenv(name); });
}

void finalize_launch() {
  if (!g_we_initialised_mpi) return;
  int finalised = 0;
  MPI_Finalized(&finalised);
  if (!finalised) MPI_Finalize();
  g_we_initialised_mpi = false;
}

}  // namespace steel::dist
