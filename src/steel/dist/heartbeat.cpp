#include "steel/dist/heartbeat.h"

#include <sstream>

#include "steel/core/strings.h"

namespace steel::dist {
namespace {

std::string key_of(int rank) { return "steel/hb/" + std::to_string(rank); }

}  // namespace

Heartbeat::Heartbeat(c10::intrusive_ptr<c10d::Store> store, int rank, int size, std::vector<std::string> hosts,
                     std::string store_address, std::chrono::milliseconds interval,
                     const std::atomic<int64_t>& collectives_issued)
    : store_(std::move(store)),
      rank_(rank),
      size_(size),
      hosts_(std::move(hosts)),
      store_address_(std::move(store_address)),
      interval_(interval),
      collectives_issued_(collectives_issued) {
  publish();
  thread_ = std::thread([this] { run(); });
}

Heartbeat::~Heartbeat() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Heartbeat::publish() {
  const std::string value = std::to_string(++beat_) + " " + std::to_string(collectives_issued_.load());
  try {
    store_->set(key_of(rank_), std::vector<uint8_t>(value.begin(), value.end()));
  } catch (const std::exception&) {
    // The store lives in rank 0; diagnose() reports it. Rank 0 exiting normally ends here too.
    store_lost_ = true;
  }
}

void Heartbeat::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stop_; })) {
    lock.unlock();
    publish();
    lock.lock();
  }
}

Heartbeat::Sample Heartbeat::read(int rank) {
  Sample sample;
  try {
    // check() does not block; get() on a key never written would wait for the whole store timeout.
    if (!store_->check({key_of(rank)})) return sample;
    const std::vector<uint8_t> bytes = store_->get(key_of(rank));
    std::istringstream in(std::string(bytes.begin(), bytes.end()));
    in >> sample.beat >> sample.collectives;
    sample.ok = static_cast<bool>(in);
  } catch (const std::exception&) {
  }
  return sample;
}

std::string Heartbeat::diagnose() {
  try {
    std::vector<Sample> before(size_);
    for (int r = 0; r < size_; ++r) before[r] = read(r);
    if (rank_ != 0 && (store_lost_ || !before[0].ok)) {
      return "rank 0 (host " + hosts_[0] + ", which runs the rendezvous store at " + store_address_ +
             ") is unreachable: it has probably died";
    }
    std::this_thread::sleep_for(3 * interval_);
    std::vector<std::string> dead, late;
    const int64_t mine = collectives_issued_.load();
    for (int r = 0; r < size_; ++r) {
      if (r == rank_) continue;
      const Sample after = read(r);
      if (!after.ok && rank_ != 0) {
        return "rank 0 (host " + hosts_[0] + ", which runs the rendezvous store at " + store_address_ +
               ") stopped answering: it has probably died";
      }
      if (!after.ok || after.beat == before[r].beat) {
        dead.push_back("rank " + std::to_string(r) + " (host " + hosts_[r] + ") stopped sending heartbeats: it " +
                       "died or is frozen");
      } else if (after.collectives < mine) {
        late.push_back("rank " + std::to_string(r) + " (host " + hosts_[r] + ") is alive but has issued " +
                       std::to_string(after.collectives) + " collectives to this rank's " + std::to_string(mine) +
                       ": it did not arrive (stalled, or a different code path)");
      }
    }
    if (!dead.empty()) return join(dead, "; ");
    if (!late.empty()) return join(late, "; ");
    return "every rank is still alive and has reached this collective; the failure came from the network or "
           "the backend";
  } catch (const std::exception& e) {
    return std::string("could not determine which rank failed: ") + e.what();
  }
}

}  // namespace steel::dist
