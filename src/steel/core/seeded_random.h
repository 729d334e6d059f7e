// Deterministic randomness shared by every stage: the same seed gives the same data, splits and batch order
// on any standard library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace steel {

/// SplitMix64: mixes one 64-bit value so that neighbouring inputs give unrelated outputs.
inline uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

/// A 64-bit seed for (seed, stream, index), e.g. the flip decision of record i in epoch e: SplitMix64 applied
/// in turn, so neighbouring inputs give unrelated outputs.
inline uint64_t mix_seed(uint64_t seed, uint64_t stream, uint64_t index) {
  return splitmix64(splitmix64(splitmix64(seed) ^ stream) ^ index);
}

/// Fisher-Yates with an explicit draw: std::shuffle's use of the engine is implementation-defined, this is not
/// (and std::mt19937_64 itself is fully specified by the standard).
template <typename T>
void seeded_shuffle(std::vector<T>& v, std::mt19937_64& rng) {
  for (std::size_t i = v.size(); i > 1; --i) {
    const std::size_t j = static_cast<std::size_t>(rng() % i);
    std::swap(v[i - 1], v[j]);
  }
}

}  // namespace steel
