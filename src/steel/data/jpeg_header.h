// A JPEG's size from its header alone (libjpeg reads only up to the frame marker), so that steel_prep can
// check every image of a data set before planning the folds without decoding the ones it will not use.
#pragma once

#include <optional>
#include <string>

namespace steel::data {

struct JpegHeader {
  int width = 0;
  int height = 0;
  int components = 0;  ///< 1 grayscale, 3 colour
};

/// The header of the JPEG file at `path`; on failure nothing, with `problem` set to the reason ("image file
/// does not exist", "not a JPEG file: ...").
std::optional<JpegHeader> read_jpeg_header(const std::string& path, std::string& problem);

}  // namespace steel::data
