#include "steel/tensorboard/tfrecord.h"

#include <boost/crc.hpp>

namespace steel::tensorboard {
namespace {

// CRC-32C: polynomial 0x1EDC6F41, reflected, initial value and final xor all ones.
using Crc32c = boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true>;

void append_le(std::string& out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

}  // namespace

uint32_t masked_crc32c(const void* data, std::size_t size) {
  Crc32c crc;
  crc.process_bytes(data, size);
  const uint32_t value = crc.checksum();
  return ((value >> 15) | (value << 17)) + 0xA282EAD8U;
}

std::string tfrecord(const std::string& payload) {
  std::string out;
  out.reserve(payload.size() + 16);
  append_le(out, payload.size(), 8);
  append_le(out, masked_crc32c(out.data(), 8), 4);
  out += payload;
  append_le(out, masked_crc32c(payload.data(), payload.size()), 4);
  return out;
}

}  // namespace steel::tensorboard
