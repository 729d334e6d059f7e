#include "steel/data/jpeg_header.h"

#include <csetjmp>
#include <cstdio>
#include <memory>

// jpeglib.h needs FILE and size_t declared first.
#include <jpeglib.h>

namespace steel::data {
namespace {

// libjpeg reports errors through a callback that must not return; jump back out of the library.
struct ErrorManager {
  jpeg_error_mgr base;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void on_error(j_common_ptr info) {
  auto* err = reinterpret_cast<ErrorManager*>(info->err);
  (*info->err->format_message)(info, err->message);
  std::longjmp(err->jump, 1);
}

}  // namespace

std::optional<JpegHeader> read_jpeg_header(const std::string& path, std::string& problem) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) {
    problem = "image file does not exist";
    return std::nullopt;
  }
  jpeg_decompress_struct info{};
  ErrorManager err{};
  info.err = jpeg_std_error(&err.base);
  err.base.error_exit = on_error;
  err.base.output_message = [](j_common_ptr) {};  // warnings are not errors here
  // Nothing with a destructor may live between setjmp and a longjmp back to it.
  if (setjmp(err.jump) != 0) {
    jpeg_destroy_decompress(&info);
    problem = std::string("cannot decode the image: ") + err.message;
    return std::nullopt;
  }
  jpeg_create_decompress(&info);
  jpeg_stdio_src(&info, file.get());
  jpeg_read_header(&info, TRUE);
  JpegHeader header{static_cast<int>(info.image_width), static_cast<int>(info.image_height), info.num_components};
  jpeg_destroy_decompress(&info);
  return header;
}

}  // namespace steel::data
