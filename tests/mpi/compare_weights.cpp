// steel_compare_weights A.h5 B.h5 BACKBONE [rtol] [atol]: exit 0 when two Keras-layout weight files of the same
// U-Net agree parameter by parameter and buffer by buffer (BatchNorm statistics included), else print the
// worst tensor and exit 1. Used by the N-rank equivalence test.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "steel/models/keras_weights.h"
#include "steel/models/model_factory.h"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: steel_compare_weights A.h5 B.h5 BACKBONE [rtol=1e-4] [atol=1e-5]\n");
    return 2;
  }
  const double rtol = argc > 4 ? std::atof(argv[4]) : 1e-4;
  const double atol = argc > 5 ? std::atof(argv[5]) : 1e-5;
  auto a = steel::models::make_unet(argv[3]);
  auto b = steel::models::make_unet(argv[3]);
  steel::models::load_keras_weights(a, argv[1]);
  steel::models::load_keras_weights(b, argv[2]);
  auto pa = a->named_parameters();
  auto pb = b->named_parameters();
  auto ba = a->named_buffers();
  auto bb = b->named_buffers();
  double worst = 0;
  std::string worst_name;
  int compared = 0;
  bool ok = true;
  auto check = [&](const std::string& name, const torch::Tensor& x, const torch::Tensor& y) {
    if (!x.is_floating_point()) return;
    ++compared;
    const double excess = ((x - y).abs() - rtol * y.abs()).max().item<double>();
    if (excess > worst) {
      worst = excess;
      worst_name = name;
    }
    ok = ok && excess <= atol;
  };
  for (const auto& item : pa) check(item.key(), item.value(), pb[item.key()]);
  for (const auto& item : ba) check(item.key(), item.value(), bb[item.key()]);
  std::printf("%d tensors compared; worst |a-b| - rtol*|b| = %.3g (%s); atol %.3g: %s\n", compared, worst,
              worst_name.c_str(), atol, ok ? "equal" : "DIFFERENT");
  return ok ? 0 : 1;
}
