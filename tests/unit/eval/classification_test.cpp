#include "steel/eval/classification.h"

#include <gtest/gtest.h>

using namespace steel::eval;

TEST(Classification, TheTwoHundredPixelRule) {
  // One image, 4 classes, 20x20 = 400 pixels per plane.
  auto prob = torch::zeros({1, 4, 20, 20});
  prob[0][0].view(-1).slice(0, 0, 201).fill_(0.9);  // 201 pixels above 0.5: present
  prob[0][1].view(-1).slice(0, 0, 200).fill_(0.9);  // exactly 200: not present ("more than 200")
  prob[0][2].view(-1).slice(0, 0, 300).fill_(0.5);  // 0.5 is not above the threshold
  prob[0][3].view(-1).fill_(0.51);                   // all 400 above: present
  auto labels = predicted_labels(prob, LabelRule{});
  ASSERT_EQ(labels.sizes(), (torch::IntArrayRef{1, 4}));
  EXPECT_TRUE(labels[0][0].item<bool>());
  EXPECT_FALSE(labels[0][1].item<bool>());
  EXPECT_FALSE(labels[0][2].item<bool>());
  EXPECT_TRUE(labels[0][3].item<bool>());
  LabelRule loose;
  loose.min_pixels = 0;
  loose.threshold = 0.4;
  auto all = predicted_labels(prob, loose);
  EXPECT_TRUE(all.all().item<bool>());
}

TEST(Classification, APixelIsDefectiveOnlyStrictlyAboveTheThreshold) {
  // The Kaggle kernels' `pred > 0.5`: exactly 0.5 is no defect.
  const auto p = torch::tensor({0.49, 0.5, 0.5000001, 0.9}, torch::kFloat64);
  EXPECT_TRUE(torch::equal(defective_pixels(p, 0.5), torch::tensor({0, 0, 1, 1}, torch::kBool)));
}

TEST(Classification, ThePictureShowsOnlyTheClassesTheLabelsCallPresent) {
  // One picture, 4 classes, 20x20 = 400 pixels per plane.
  auto prob = torch::zeros({4, 20, 20});
  prob[0].view(-1).slice(0, 0, 201).fill_(0.9);  // 201 pixels: more than 200, drawn
  prob[1].view(-1).slice(0, 0, 200).fill_(0.9);  // exactly 200: absent, not drawn
  prob[2].view(-1).slice(0, 0, 30).fill_(0.9);   // a few pixels: absent, not drawn
  prob[3].view(-1).fill_(0.5);                   // 0.5 is not above the threshold
  const LabelRule rule;
  const auto mask = predicted_mask_for_picture(prob, rule);
  ASSERT_EQ(mask.sizes(), (torch::IntArrayRef{20, 20}));
  ASSERT_EQ(mask.scalar_type(), torch::kUInt8);
  const auto pixels_of = [](const torch::Tensor& bits, int c) {
    return bits.bitwise_and(1 << c).ne(0).sum().item<int64_t>();
  };
  EXPECT_EQ(pixels_of(mask, 0), 201);
  EXPECT_EQ(pixels_of(mask, 1), 0);
  EXPECT_EQ(pixels_of(mask, 2), 0);
  EXPECT_EQ(pixels_of(mask, 3), 0);
  // The picture and the labels agree class by class.
  const auto labels = predicted_labels(prob.unsqueeze(0), rule)[0];
  for (int c = 0; c < 4; ++c) EXPECT_EQ(labels[c].item<bool>(), pixels_of(mask, c) > 0) << "class " << c + 1;

  // One pixel fewer in the rule: the 200-pixel class is present now and drawn with its own bit, beside class 1.
  LabelRule looser = rule;
  looser.min_pixels = 199;
  const auto both = predicted_mask_for_picture(prob, looser);
  EXPECT_EQ(pixels_of(both, 0), 201);
  EXPECT_EQ(pixels_of(both, 1), 200);
  EXPECT_EQ(pixels_of(both, 2), 0);
  EXPECT_EQ(both.view(-1)[0].item<uint8_t>(), 0b0011);
  EXPECT_EQ(both.view(-1)[200].item<uint8_t>(), 0b0001);
}

TEST(Classification, ClassBitfieldDrawsOnlyTheClassesMarkedPresent) {
  // What steel_predict does at full size: every class has pixels above the threshold, two are marked present.
  const auto prob = torch::full({4, 3, 5}, 0.8);
  const auto present = torch::tensor({0, 1, 0, 1}, torch::kBool);
  const auto bits = class_bitfield(prob, present, 0.5);
  EXPECT_TRUE(torch::equal(bits, torch::full({3, 5}, 0b1010, torch::kUInt8)));
  EXPECT_TRUE(torch::equal(class_bitfield(prob, present, 0.9), torch::zeros({3, 5}, torch::kUInt8)));
}

TEST(Classification, TrueLabelsAreAnyPixel) {
  auto t = torch::zeros({2, 4, 4, 4});
  t[0][2][3][3] = 1;
  t[1][0][0][0] = 1;
  t[1][3][1][2] = 1;
  auto l = true_labels(t);
  auto expected = torch::tensor({0, 0, 1, 0, 1, 0, 0, 1}, torch::kBool).reshape({2, 4});
  EXPECT_TRUE(torch::equal(l, expected));
}

TEST(Classification, ConfusionMatricesAndAccuraciesLikeSklearn) {
  // 3 images. Truth / prediction per class:
  //   image 0: truth {1,3}   pred {1,3}     exact match
  //   image 1: truth {2}     pred {2,4}     FP on class 4
  //   image 2: truth {3,4}   pred {4}       FN on class 3
  auto truth = torch::tensor({1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1}, torch::kBool).reshape({3, 4});
  auto pred = torch::tensor({1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 1}, torch::kBool).reshape({3, 4});
  ClassificationCounts c;
  c.add(pred, truth);
  // [TN, FP, FN, TP] per class, what sklearn's multilabel_confusion_matrix gives (ravelled).
  using Row = std::array<int64_t, 4>;
  EXPECT_EQ(c.confusion[0], (Row{2, 0, 0, 1}));
  EXPECT_EQ(c.confusion[1], (Row{2, 0, 0, 1}));
  EXPECT_EQ(c.confusion[2], (Row{1, 0, 1, 1}));
  EXPECT_EQ(c.confusion[3], (Row{1, 1, 0, 1}));
  EXPECT_EQ(c.images, 3);
  EXPECT_DOUBLE_EQ(c.image_accuracy(), 1.0 / 3.0);         // accuracy_score(y_true, y_pred) on multilabel input
  EXPECT_DOUBLE_EQ(c.decision_accuracy(), 10.0 / 12.0);    // 2 wrong decisions of 12
  EXPECT_DOUBLE_EQ(c.class_accuracy(2), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(c.class_accuracy(0), 1.0);

  ClassificationCounts twice = c;
  twice += c;
  EXPECT_EQ(twice.images, 6);
  EXPECT_EQ(twice.confusion[3], (Row{2, 2, 0, 2}));
  EXPECT_DOUBLE_EQ(twice.image_accuracy(), c.image_accuracy());
}

TEST(Classification, ThesisResNet34Class1RowReproducesItsAccuracy) {
  // Figure 57, ResNet-34, defect type 1: [167 15 12 56] (0.892) over 250 images.
  ClassificationCounts c;
  c.confusion[0] = {167, 15, 12, 56};
  c.images = 250;
  EXPECT_NEAR(c.class_accuracy(0), 0.892, 5e-4);
}

TEST(Classification, EmptyCountsAreRejected) {
  ClassificationCounts c;
  EXPECT_THROW(c.image_accuracy(), std::invalid_argument);
}
