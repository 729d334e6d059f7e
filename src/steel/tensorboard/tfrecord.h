// TFRecord framing, the container of TensorBoard event files: each record is its length, a masked CRC-32C of
// the length, the bytes, and a masked CRC-32C of the bytes (readers check both).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace steel::tensorboard {

/// TensorFlow's masked CRC-32C (Castagnoli): ((crc >> 15) | (crc << 17)) + 0xa282ead8.
uint32_t masked_crc32c(const void* data, std::size_t size);

/// `payload` framed as one record.
std::string tfrecord(const std::string& payload);

}  // namespace steel::tensorboard
