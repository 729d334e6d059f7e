// TFRecord framing against TensorFlow's own values (TensorBoard's masked_crc32c(b"abc") and the CRC-32C check
// value), so a reader that verifies the CRCs accepts steel's event files.
#include "steel/tensorboard/tfrecord.h"

#include <gtest/gtest.h>

namespace steel::tensorboard {
namespace {

uint32_t unmask(uint32_t masked) {
  const uint32_t rotated = masked - 0xA282EAD8U;
  return (rotated >> 17) | (rotated << 15);
}

TEST(TfRecord, MaskedCrc32cIsTensorFlows) {
  EXPECT_EQ(masked_crc32c("abc", 3), 0x21F1576EU);
  EXPECT_EQ(unmask(masked_crc32c("123456789", 9)), 0xE3069283U) << "CRC-32C's check value";
}

uint64_t read_le(const std::string& s, std::size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

TEST(TfRecord, FramesLengthPayloadAndBothChecksums) {
  const std::string payload = "hello, tensorboard";
  const std::string record = tfrecord(payload);
  ASSERT_EQ(record.size(), payload.size() + 16);
  EXPECT_EQ(read_le(record, 0, 8), payload.size());
  EXPECT_EQ(read_le(record, 8, 4), masked_crc32c(record.data(), 8));
  EXPECT_EQ(record.substr(12, payload.size()), payload);
  EXPECT_EQ(read_le(record, 12 + payload.size(), 4), masked_crc32c(payload.data(), payload.size()));
}

}  // namespace
}  // namespace steel::tensorboard
