// The Keras HDF5 loader/saver: names, transposes, hand-computed outputs, error reporting and round trips.
#include "steel/models/keras_weights.h"

#include <algorithm>
#include <fstream>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "keras_h5_test_file.h"
#include "support/file_size_limit.h"
#include "support/temp_dir.h"
#include "steel/core/error.h"
#include "steel/models/efficientnet_encoder.h"
#include "steel/models/model_factory.h"
#include "steel/models/resnet_encoder.h"
#include "steel/models/same_pad_conv.h"

namespace steel::models {
namespace {

using ::testing::HasSubstr;
using steel::testing::KerasH5Writer;
using steel::testing::read_h5_dataset;
using steel::testing::TempDir;

// The Keras shape of a torch tensor, by the rules of the Keras layers (written out independently of the
// library's keras_shape): Conv2D kernel (kh,kw,in,out), DepthwiseConv2D (kh,kw,C,1), vectors unchanged.
torch::Tensor torch_to_keras(const std::string& dataset, const torch::Tensor& t) {
  if (dataset == "kernel:0") return t.permute({2, 3, 1, 0}).contiguous();
  if (dataset == "depthwise_kernel:0") return t.permute({2, 3, 0, 1}).contiguous();
  return t.contiguous();
}

// A small module with one layer of each kind the encoders use, bound under Keras names "conv", "dw", "bn".
class TinyNetImpl : public torch::nn::Module, public KerasMappable {
 public:
  TinyNetImpl() {
    conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(2, 3, 3).padding(1)));
    dw = register_module("dw", SamePadConv2d(SamePadConv2dOptions(3, 3, 3).stride(2).groups(3)));
    bn = register_module("bn", torch::nn::BatchNorm2d(3));
  }
  std::vector<KerasBinding> keras_bindings() const override {
    std::vector<KerasBinding> out;
    bind_conv(out, "conv", conv);
    bind_depthwise_conv(out, "dw", dw->weight);
    bind_batch_norm(out, "bn", bn);
    return out;
  }
  torch::nn::Conv2d conv{nullptr};
  SamePadConv2d dw{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
};
TORCH_MODULE(TinyNet);

// Distinct values that encode their own Keras index: v[h][w][i][o] = 1000h + 100w + 10i + o.
torch::Tensor indexed_kernel(int64_t kh, int64_t kw, int64_t in, int64_t out) {
  torch::Tensor k = torch::empty({kh, kw, in, out});
  auto a = k.accessor<float, 4>();
  for (int64_t h = 0; h < kh; ++h)
    for (int64_t w = 0; w < kw; ++w)
      for (int64_t i = 0; i < in; ++i)
        for (int64_t o = 0; o < out; ++o) a[h][w][i][o] = static_cast<float>(1000 * h + 100 * w + 10 * i + o);
  return k;
}

void write_tiny_file(const std::string& path, bool nested, const std::string& root = "") {
  KerasH5Writer file(path, root);
  file.write("conv", "kernel:0", indexed_kernel(3, 3, 2, 3), nested);
  file.write("conv", "bias:0", torch::tensor({0.5f, -1.0f, 2.0f}), nested);
  file.write("dw", "depthwise_kernel:0", indexed_kernel(3, 3, 3, 1), nested);
  file.write("bn", "gamma:0", torch::tensor({1.0f, 2.0f, 3.0f}), nested);
  file.write("bn", "beta:0", torch::tensor({0.1f, 0.2f, 0.3f}), nested);
  file.write("bn", "moving_mean:0", torch::tensor({-1.0f, 0.0f, 1.0f}), nested);
  file.write("bn", "moving_variance:0", torch::tensor({4.0f, 5.0f, 6.0f}), nested);
  file.add_weightless_layer("relu");
}

void expect_tiny_loaded(TinyNet& net) {
  auto conv = net->conv->weight.accessor<float, 4>();  // torch (out,in,kh,kw)
  for (int64_t o = 0; o < 3; ++o)
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t h = 0; h < 3; ++h)
        for (int64_t w = 0; w < 3; ++w)
          ASSERT_EQ(conv[o][i][h][w], 1000 * h + 100 * w + 10 * i + o) << o << i << h << w;
  auto dw = net->dw->weight.accessor<float, 4>();  // torch (C,1,kh,kw)
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t h = 0; h < 3; ++h)
      for (int64_t w = 0; w < 3; ++w) ASSERT_EQ(dw[c][0][h][w], 1000 * h + 100 * w + 10 * c) << c << h << w;
  EXPECT_TRUE(torch::equal(net->conv->bias, torch::tensor({0.5f, -1.0f, 2.0f})));
  EXPECT_TRUE(torch::equal(net->bn->weight, torch::tensor({1.0f, 2.0f, 3.0f})));
  EXPECT_TRUE(torch::equal(net->bn->bias, torch::tensor({0.1f, 0.2f, 0.3f})));
  EXPECT_TRUE(torch::equal(net->bn->running_mean, torch::tensor({-1.0f, 0.0f, 1.0f})));
  EXPECT_TRUE(torch::equal(net->bn->running_var, torch::tensor({4.0f, 5.0f, 6.0f})));
}

TEST(KerasWeights, LoadsOneLevelNestedAndModelWeightsLayouts) {
  TempDir dir;
  for (const auto& [nested, root] : {std::pair<bool, std::string>{false, ""}, {true, ""}, {true, "model_weights"}}) {
    const std::string path = dir / (root + (nested ? "nested" : "flat") + ".h5");
    write_tiny_file(path, nested, root);
    TinyNet net;
    load_keras_weights(net, path);
    SCOPED_TRACE(root + (nested ? " nested" : " flat"));
    expect_tiny_loaded(net);
  }
}

TEST(KerasWeights, ConvWithKnownWeightsGivesHandComputedOutput) {
  TempDir dir;
  const std::string path = dir / "conv.h5";
  write_tiny_file(path, /*nested=*/true);
  TinyNet net;
  load_keras_weights(net, path);
  // A unit impulse at (1,1) of input channel 0. Keras 'same' 3x3 cross-correlation:
  // out[o][y][x] = sum_{h,w} in[y+h-1][x+w-1] * K[h][w][0][o] + b[o] = K[2-y][2-x][0][o] + b[o] near the impulse.
  torch::Tensor x = torch::zeros({1, 2, 4, 4});
  x[0][0][1][1] = 1.0f;
  torch::Tensor y = net->conv(x);
  const float bias[3] = {0.5f, -1.0f, 2.0f};
  for (int64_t o = 0; o < 3; ++o) {
    for (int64_t r = 0; r < 4; ++r) {
      for (int64_t c = 0; c < 4; ++c) {
        float expected = bias[o];
        if (r <= 2 && c <= 2) expected += static_cast<float>(1000 * (2 - r) + 100 * (2 - c) + o);
        EXPECT_FLOAT_EQ(y[0][o][r][c].item<float>(), expected) << "o=" << o << " y=" << r << " x=" << c;
      }
    }
  }
  // Literal spot checks: the top-left output sees the impulse through K[2][2][0][o], the centre one through K[1][1].
  EXPECT_FLOAT_EQ(y[0][0][0][0].item<float>(), 2200.5f);
  EXPECT_FLOAT_EQ(y[0][2][1][1].item<float>(), 1104.0f);

  // A general input through the depthwise stride-2 'same' conv: pads (0 before, 1 after) on a 4x4 map.
  torch::Tensor z = torch::arange(48, torch::kFloat32).reshape({1, 3, 4, 4});
  torch::Tensor dz = net->dw(z);
  ASSERT_EQ(dz.sizes(), torch::IntArrayRef({1, 3, 2, 2}));
  for (int64_t c = 0; c < 3; ++c) {
    for (int64_t r = 0; r < 2; ++r) {
      for (int64_t q = 0; q < 2; ++q) {
        double expected = 0;
        for (int64_t h = 0; h < 3; ++h) {
          for (int64_t w = 0; w < 3; ++w) {
            const int64_t yy = 2 * r + h, xx = 2 * q + w;  // top/left padding is 0 in TF 'same' here
            if (yy < 4 && xx < 4) expected += (c * 16 + yy * 4 + xx) * (1000.0 * h + 100.0 * w + 10.0 * c);
          }
        }
        EXPECT_DOUBLE_EQ(dz[0][c][r][q].item<double>(), expected) << c << r << q;
      }
    }
  }
}

TEST(KerasWeights, ReportsEveryProblemInOneErrorAndLeavesTheModelUntouched) {
  TempDir dir;
  const std::string path = dir / "bad.h5";
  {
    KerasH5Writer h5(path);
    h5.write("conv", "kernel:0", torch::zeros({3, 3, 3, 3}), true);  // model expects (3,3,2,3)
    h5.write("conv", "bias:0", torch::zeros({3}), true);
    h5.write("dw", "kernel:0", torch::zeros({3, 3, 3, 1}), true);  // wrong dataset name for a depthwise layer
    h5.write("fc1", "kernel:0", torch::zeros({3, 10}), true);      // a layer the model does not have
    h5.write("predictions", "bias:0", torch::zeros({10}), true);
    // "bn" is missing altogether.
  }
  TinyNet net;
  const torch::Tensor before = net->conv->weight.clone();
  try {
    load_keras_weights(net, path);
    FAIL() << "expected a DataError";
  } catch (const DataError& e) {
    const std::string message = e.what();
    EXPECT_THAT(message, HasSubstr(path));
    EXPECT_THAT(message, HasSubstr("6 problems"));
    EXPECT_THAT(message, HasSubstr("shape mismatch for 'conv/kernel:0': file has [3,3,3,3], model expects [3,3,2,3]"));
    EXPECT_THAT(message, HasSubstr("missing dataset 'dw/depthwise_kernel:0'"));
    EXPECT_THAT(message, HasSubstr("unexpected dataset 'dw/kernel:0'"));
    EXPECT_THAT(message, HasSubstr("missing layer 'bn'"));
    EXPECT_THAT(message, HasSubstr("unexpected layer 'fc1'"));
    EXPECT_THAT(message, HasSubstr("unexpected layer 'predictions'"));
  }
  EXPECT_TRUE(torch::equal(net->conv->weight, before));

  // allow_unexpected tolerates extra layers only.
  try {
    load_keras_weights(net, path, KerasLoadOptions().allow_unexpected(true));
    FAIL() << "expected a DataError";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("4 problems"));
    EXPECT_THAT(e.what(), ::testing::Not(HasSubstr("fc1")));
  }
}

TEST(KerasWeights, UnreadableFilesAreDataErrors) {
  TinyNet net;
  TempDir dir;
  EXPECT_THROW(load_keras_weights(net, dir / "does_not_exist.h5"), DataError);
  const std::string path = dir / "not_hdf5.h5";
  steel::testing::write_file(path, "not an hdf5 file\n");
  EXPECT_THROW(load_keras_weights(net, path), DataError);
}

std::set<const void*> parameters_and_moving_stats(const torch::nn::Module& module) {
  std::set<const void*> out;
  for (const auto& p : module.parameters()) out.insert(p.unsafeGetTensorImpl());
  for (const auto& b : module.named_buffers()) {
    if (b.key().find("running_") != std::string::npos) out.insert(b.value().unsafeGetTensorImpl());
  }
  return out;
}

// Writes a random Keras-layout file for every binding of `model`, loads it, and checks each tensor.
void expect_full_load(const KerasMappable& model, const torch::nn::Module& module, const std::string& path) {
  torch::manual_seed(7);
  std::map<std::pair<std::string, std::string>, torch::Tensor> written;
  {
    KerasH5Writer h5(path);
    for (const auto& b : model.keras_bindings()) {
      torch::Tensor keras = torch_to_keras(b.dataset, torch::randn(b.tensor.sizes()));
      h5.write(b.layer, b.dataset, keras, /*nested=*/true);
      written[{b.layer, b.dataset}] = keras;
    }
    h5.add_weightless_layer("some_activation");
  }
  load_keras_weights(model, path);
  std::set<const void*> bound;
  for (const auto& b : model.keras_bindings()) {
    EXPECT_TRUE(bound.insert(b.tensor.unsafeGetTensorImpl()).second) << b.layer << "/" << b.dataset << " bound twice";
    EXPECT_TRUE(torch::equal(torch_to_keras(b.dataset, b.tensor), written.at({b.layer, b.dataset})))
        << b.layer << "/" << b.dataset;
  }
  EXPECT_EQ(bound, parameters_and_moving_stats(module)) << "every parameter and moving statistic is bound once";
}

TEST(KerasWeights, ResNetEncoderUsesKerasNamesAndTransposes) {
  ResNetEncoder encoder(ResNetEncoderOptions::for_depth(18));
  // The layer names classification_models gives ResNet-18, generated from its naming rules.
  std::set<std::string> expected{"bn_data", "conv0", "bn0", "bn1"};
  for (int s = 1; s <= 4; ++s) {
    for (int u = 1; u <= 2; ++u) {
      const std::string unit = "stage" + std::to_string(s) + "_unit" + std::to_string(u) + "_";
      for (const char* layer : {"bn1", "conv1", "bn2", "conv2"}) expected.insert(unit + layer);
      if (u == 1) expected.insert(unit + "sc");
    }
  }
  std::set<std::string> layers;
  for (const auto& b : encoder->keras_bindings()) layers.insert(b.layer);
  EXPECT_EQ(layers, expected);

  TempDir dir;
  const std::string path = dir / "resnet18.h5";
  expect_full_load(*encoder, *encoder, path);
  // Spot checks by torch parameter name, independent of the binding list.
  const auto params = encoder->named_parameters();
  EXPECT_TRUE(torch::equal(params["stage2_unit1.sc.weight"].permute({2, 3, 1, 0}),
                           read_h5_dataset(path, "stage2_unit1_sc/stage2_unit1_sc/kernel:0")));
  EXPECT_TRUE(torch::equal(params["bn_data.bias"], read_h5_dataset(path, "bn_data/bn_data/beta:0")));
  EXPECT_EQ(params.find("bn_data.weight"), nullptr) << "bn_data has no gamma (Keras scale=False)";
  EXPECT_TRUE(torch::equal(encoder->named_buffers()["bn0.running_var"],
                           read_h5_dataset(path, "bn0/bn0/moving_variance:0")));
}

TEST(KerasWeights, EfficientNetEncoderUsesKerasNamesAndTransposes) {
  EfficientNetEncoder encoder(EfficientNetEncoderOptions::variant(0));
  std::set<std::string> expected{"stem_conv", "stem_bn", "top_conv", "top_bn"};
  const int repeats[] = {1, 2, 2, 3, 3, 4, 1};
  for (int s = 1; s <= 7; ++s) {
    for (int r = 0; r < repeats[s - 1]; ++r) {
      const std::string block = "block" + std::to_string(s) + static_cast<char>('a' + r) + "_";
      if (s > 1) {
        expected.insert(block + "expand_conv");
        expected.insert(block + "expand_bn");
      }
      for (const char* layer : {"dwconv", "bn", "se_reduce", "se_expand", "project_conv", "project_bn"}) {
        expected.insert(block + layer);
      }
    }
  }
  std::set<std::string> layers;
  for (const auto& b : encoder->keras_bindings()) layers.insert(b.layer);
  EXPECT_EQ(layers, expected);

  TempDir dir;
  const std::string path = dir / "effb0.h5";
  expect_full_load(*encoder, *encoder, path);
  const auto params = encoder->named_parameters();
  EXPECT_TRUE(torch::equal(params["block2a.dwconv.weight"].permute({2, 3, 0, 1}),
                           read_h5_dataset(path, "block2a_dwconv/block2a_dwconv/depthwise_kernel:0")));
  EXPECT_TRUE(torch::equal(params["block2a.se_reduce.bias"],
                           read_h5_dataset(path, "block2a_se_reduce/block2a_se_reduce/bias:0")));
  EXPECT_TRUE(torch::equal(params["stem_conv.weight"].permute({2, 3, 1, 0}),
                           read_h5_dataset(path, "stem_conv/stem_conv/kernel:0")));
}

TEST(KerasWeights, DecoderAndHeadUseSegmentationModelsNames) {
  UNet model = make_unet("resnet18");
  std::set<std::string> decoder_layers;
  for (const auto& b : model->decoder().keras_bindings()) decoder_layers.insert(b.layer);
  std::set<std::string> expected;
  for (int i = 0; i < 5; ++i) {
    for (const char* part : {"a", "b"}) {
      for (const char* kind : {"_conv", "_bn"}) expected.insert("decoder_stage" + std::to_string(i) + part + kind);
    }
  }
  EXPECT_EQ(decoder_layers, expected);
  bool has_head = false;
  for (const auto& b : model->keras_bindings()) {
    if (b.layer == "final_conv") has_head = true;
    if (b.layer.rfind("decoder_stage", 0) == 0 && b.layer.find("_conv") != std::string::npos) {
      EXPECT_NE(b.dataset, "bias:0") << "decoder convs have no bias (BN follows)";
    }
  }
  EXPECT_TRUE(has_head);
  TempDir dir;
  const std::string path = dir / "decoder.h5";
  expect_full_load(model->decoder(), model->decoder(), path);
}

// Perturbs every parameter and moving statistic (seed-dependent) so that a round trip cannot pass by
// accident, while keeping activations finite so that outputs can be compared too.
void randomize(torch::nn::Module& module, int seed) {
  torch::manual_seed(seed);
  torch::NoGradGuard no_grad;
  for (auto& p : module.parameters()) p.add_(torch::randn_like(p) * 0.05);
  for (auto& b : module.named_buffers()) {
    if (b.key().find("running_var") != std::string::npos) b.value().uniform_(0.5, 2.0);
    if (b.key().find("running_mean") != std::string::npos) b.value().normal_();
  }
}

void expect_round_trip(const std::string& backbone) {
  SCOPED_TRACE(backbone);
  TempDir dir;
  const std::string path = dir / (backbone + ".h5");
  UNet original = make_unet(backbone, UNetOptions().encoder_mode(EncoderMode::kTrainable));
  randomize(*original, 1);
  save_keras_weights(original, path);
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  EXPECT_TRUE(testing::h5_root_has_attribute(path, "layer_names"));

  UNet copy = make_unet(backbone, UNetOptions().encoder_mode(EncoderMode::kTrainable));
  randomize(*copy, 2);
  load_keras_weights(copy, path);
  const auto a = original->named_parameters();
  const auto b = copy->named_parameters();
  for (const auto& item : a) EXPECT_TRUE(torch::equal(item.value(), b[item.key()])) << item.key();
  const auto ab = original->named_buffers();
  const auto bb = copy->named_buffers();
  for (const auto& item : ab) {
    if (item.key().find("running_") != std::string::npos) {
      EXPECT_TRUE(torch::equal(item.value(), bb[item.key()])) << item.key();
    }
  }
  original->eval();
  copy->eval();
  const torch::Tensor x = torch::rand({1, 3, 64, 64});
  const torch::Tensor expected = original->predict(x);
  ASSERT_TRUE(torch::isfinite(expected).all().item<bool>());
  EXPECT_TRUE(torch::equal(expected, copy->predict(x)));
}

TEST(KerasWeights, SaveThenLoadRoundTripsResNet) {
  expect_round_trip("resnet18");
  // The nested Keras form, with the kernel in HWIO order.
  UNet probe = make_unet("resnet18");
  TempDir dir;
  const std::string path = dir / "probe.h5";
  save_keras_weights(probe, path);
  EXPECT_TRUE(torch::equal(read_h5_dataset(path, "conv0/conv0/kernel:0"),
                           probe->encoder().named_parameters()["conv0.weight"].permute({2, 3, 1, 0})));
  EXPECT_TRUE(torch::equal(read_h5_dataset(path, "final_conv/final_conv/bias:0"),
                           probe->named_parameters()["final_conv.bias"]));
}

TEST(KerasWeights, SaveThenLoadRoundTripsEfficientNet) { expect_round_trip("efficientnet-b0"); }

TEST(KerasWeights, EncoderLoadsFromFullModelFileOnlyWhenAllowed) {
  TempDir dir;
  const std::string path = dir / "full.h5";
  UNet model = make_unet("efficientnet-b0");
  randomize(*model, 3);
  save_keras_weights(model, path);
  auto encoder = make_encoder("efficientnet-b0");
  EXPECT_THROW(load_keras_weights(*encoder, path), DataError);
  load_keras_weights(*encoder, path, KerasLoadOptions().allow_unexpected(true));
  EXPECT_TRUE(torch::equal(encoder->named_parameters()["top_conv.weight"],
                           model->encoder().named_parameters()["top_conv.weight"]));
}


// Writes `model`'s bindings in the Keras layout (zeros), plus `extra_layers` layers the model does not have;
// `wrong` ("layer/dataset") gets one output channel too many.
void write_keras_file(const KerasMappable& model, const std::string& path, const std::string& wrong = "",
                      int extra_layers = 0) {
  KerasH5Writer h5(path);
  for (const auto& b : model.keras_bindings()) {
    std::vector<int64_t> shape = b.tensor.sizes().vec();
    if (b.layer + "/" + b.dataset == wrong) shape[0] += 1;
    h5.write(b.layer, b.dataset, torch_to_keras(b.dataset, torch::zeros(shape)), /*nested=*/true);
  }
  for (int i = 0; i < extra_layers; ++i) {
    const std::string name = std::string("extra_") + (i < 10 ? "0" : "") + std::to_string(i);
    h5.write(name, "kernel:0", torch::zeros({3, 3, 1, 1}), /*nested=*/true);
  }
}

std::string pretrained_error(const UNet& model, const std::string& path, const std::string& backbone) {
  try {
    load_pretrained_weights(model, path, backbone);
  } catch (const DataError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a DataError for " << path;
  return "";
}

TEST(KerasWeights, PretrainedUNetFileWithOneBadTensorReportsOnlyThatTensor) {
  TempDir dir;
  const std::string path = dir / "unet.h5";
  UNet model = make_unet("resnet18");
  write_keras_file(*model, path, "stage2_unit1_conv1/kernel:0");
  const torch::Tensor before = model->encoder().named_parameters()["conv0.weight"].clone();
  const std::string message = pretrained_error(model, path, "resnet18");
  EXPECT_THAT(message, HasSubstr(path));
  EXPECT_THAT(message, HasSubstr("as a resnet18 U-Net file (1 problem):"));
  EXPECT_THAT(message, HasSubstr("shape mismatch for 'stage2_unit1_conv1/kernel:0': file has [3,3,64,129], "
                                 "model expects [3,3,64,128]"));
  // The old fallback to the encoder reading buried this under "unexpected layer 'decoder_...'" lines.
  EXPECT_THAT(message, ::testing::Not(HasSubstr("unexpected")));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("'decoder_")));
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 1) << message;
  EXPECT_TRUE(torch::equal(model->encoder().named_parameters()["conv0.weight"], before)) << "model left unchanged";
}

TEST(KerasWeights, PretrainedEncoderFileLoadsIntoTheEncoderAlone) {
  TempDir dir;
  const std::string path = dir / "encoder.h5";
  auto source = make_encoder("resnet18");
  randomize(*source, 4);
  save_keras_weights(*source, path);
  UNet model = make_unet("resnet18");
  const torch::Tensor head_before = model->named_parameters()["final_conv.weight"].clone();
  load_pretrained_weights(model, path, "resnet18");

  const auto expected = source->named_parameters();
  const auto loaded = model->encoder().named_parameters();
  ASSERT_EQ(expected.size(), loaded.size());
  for (const auto& item : expected) EXPECT_TRUE(torch::equal(item.value(), loaded[item.key()])) << item.key();
  const auto expected_buffers = source->named_buffers();
  const auto loaded_buffers = model->encoder().named_buffers();
  for (const auto& item : expected_buffers) {
    if (item.key().find("running_") != std::string::npos) {
      EXPECT_TRUE(torch::equal(item.value(), loaded_buffers[item.key()])) << item.key();
    }
  }
  EXPECT_TRUE(torch::equal(model->named_parameters()["final_conv.weight"], head_before))
      << "the head keeps its initialisation";
}

TEST(KerasWeights, PretrainedFileOfAnotherBackboneIsAnError) {
  TempDir dir;
  UNet model = make_unet("resnet18");
  const torch::Tensor before = model->encoder().named_parameters()["conv0.weight"].clone();
  // ResNet-34 has every ResNet-18 layer with the same shapes, plus 8 units of 4 layers: only strictness catches it.
  const std::string encoder_path = dir / "resnet34_encoder.h5";
  save_keras_weights(*make_encoder("resnet34"), encoder_path);
  std::string message = pretrained_error(model, encoder_path, "resnet18");
  EXPECT_THAT(message, HasSubstr("as a resnet18 encoder file (32 problems):"));
  EXPECT_THAT(message, HasSubstr("unexpected layer 'stage1_unit3_bn1'"));

  const std::string unet_path = dir / "resnet34_unet.h5";
  save_keras_weights(make_unet("resnet34"), unet_path);
  message = pretrained_error(model, unet_path, "resnet18");
  EXPECT_THAT(message, HasSubstr("as a resnet18 U-Net file (32 problems):"));
  EXPECT_THAT(message, HasSubstr("unexpected layer 'stage1_unit3_bn1'"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("'decoder_")));

  // Another family: an EfficientNet-B0 U-Net file shares only the decoder and head with a ResNet-18 U-Net.
  const std::string b0_path = dir / "b0_unet.h5";
  save_keras_weights(make_unet("efficientnet-b0"), b0_path);
  message = pretrained_error(model, b0_path, "resnet18");
  EXPECT_THAT(message, HasSubstr("as a resnet18 U-Net file ("));
  EXPECT_THAT(message, HasSubstr("missing layer 'bn_data'"));
  EXPECT_TRUE(torch::equal(model->encoder().named_parameters()["conv0.weight"], before)) << "model left unchanged";
}

TEST(KerasWeights, PretrainedErrorListsTwentyProblemsThenCountsTheRest) {
  TempDir dir;
  const std::string path = dir / "extra.h5";
  write_keras_file(*make_encoder("resnet18"), path, "", /*extra_layers=*/25);
  const std::string message = pretrained_error(make_unet("resnet18"), path, "resnet18");
  EXPECT_THAT(message, HasSubstr("as a resnet18 encoder file (25 problems):"));
  // Layers are reported in file order, which HDF5 gives by name: extra_00 ... extra_19 are listed.
  EXPECT_THAT(message, HasSubstr("\n  unexpected layer 'extra_00'"));
  EXPECT_THAT(message, HasSubstr("\n  unexpected layer 'extra_19'"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("extra_20")));
  EXPECT_THAT(message, ::testing::EndsWith("\n  ... and 5 more"));
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 21) << "heading, 20 problems, the count";
}

}  // namespace
TEST(KerasWeights, AFullDiskLeavesThePreviousFileIntact) {
  TempDir dir;
  torch::manual_seed(1);
  auto first = make_unet("resnet18");
  const std::string path = dir / "best.h5";
  save_keras_weights(first, path);
  auto read = [](const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const auto before = read(path);
  torch::manual_seed(2);
  auto second = make_unet("resnet18");

  {
    steel::testing::FileSizeLimit full_disk(before.size() / 2);
    EXPECT_THROW(save_keras_weights(second, path), steel::DataError);
  }

  EXPECT_EQ(read(path), before);
  EXPECT_EQ(steel::testing::list_dir(dir.path()), std::vector<std::string>{"best.h5"}) << "a temporary file was left";
}

}  // namespace steel::models
