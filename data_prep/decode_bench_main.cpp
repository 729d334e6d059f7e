// steel_decode_bench: the floor for steel_prep's speed. Decodes the source JPEGs a prepared
// dataset used (from its manifest.csv), to grayscale, on N threads, and nothing else.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "steel/core/parallel.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: steel_decode_bench MANIFEST.csv IMAGE_DIR [THREADS]\n");
    return 2;
  }
  const int threads = argc > 3 ? std::stoi(argv[3]) : 0;
  std::ifstream manifest(argv[1]);
  std::string line;
  std::getline(manifest, line);  // header
  std::set<std::string> sources;
  while (std::getline(manifest, line)) {
    std::stringstream fields(line);
    std::string record, image_id, source_id;
    std::getline(fields, record, ',');
    std::getline(fields, image_id, ',');
    std::getline(fields, source_id, ',');
    sources.insert(source_id);
  }
  const std::vector<std::string> files(sources.begin(), sources.end());
  const auto start = std::chrono::steady_clock::now();
  std::vector<int> ok(files.size(), 0);
  steel::parallel_for(files.size(), threads, [&](std::size_t i) {
    ok[i] = cv::imread(std::string(argv[2]) + "/" + files[i], cv::IMREAD_GRAYSCALE).empty() ? 0 : 1;
  });
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int decoded = 0;
  for (int v : ok) decoded += v;
  std::printf("decoded %d of %zu images in %.2f s: %.0f images/s on %d threads\n", decoded, files.size(), s,
              decoded / s, steel::resolve_threads(threads));
  return decoded == static_cast<int>(files.size()) ? 0 : 1;
}
