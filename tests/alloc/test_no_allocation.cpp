// A forward pass (set_template + run or run_batch, no probe) makes no heap allocation, for
// every family and head. Its own executable: it replaces the global operator
// new to count calls, which et_tests' other files may do for themselves.
#include <doctest/doctest.h>

#include <vector>

#include "efficienttrack.h"
#include "net/model.h"
#include "tests/counting_new.h"  // this executable's one copy of the counting operator new
#include "tests/test_util.h"

namespace et {

TEST_CASE("allocation: a forward pass without a probe allocates nothing") {
  for (const char* name : {"et-c32-d1-fgaf-bn-conv2x2-corner", "et-c32-d1-af-ln-conv3x3-center",
                           "vit-d1-c64-conv2x2-corner", "vit-d1-c64-standard-center", ET_TEST_ZOO_BLOB}) {
    INFO("model ", name);
    auto net = Model::load(name, 0)->create_network();
    const auto z = test::random_values(3 * 128 * 128, 1), x = test::random_values(3 * 256 * 256, 2);
    net->set_template(z.data());
    net->run(x.data());  // warm-up: OpenMP's thread pool
    CHECK(test::allocations_during([&] {
            net->set_template(z.data());
            net->run(x.data());
          }) == 0);
    // The counter works: a probe's names and shapes are heap-allocated.
    struct Probe final : ActivationProbe {
      void observe(std::string_view, std::span<const float>, std::span<const std::int64_t>) override {}
    } probe;
    CHECK(test::allocations_during([&] { net->run(x.data(), &probe); }) > 0);

    // A batch of crops too.
    auto batched = Model::load(name, 0)->create_network(3);
    batched->set_template(z.data());
    const std::vector<float> x2 = test::random_values(3 * 256 * 256, 3);
    const std::vector<const float*> three = {x.data(), x2.data(), x.data()};
    batched->run_batch(three);
    CHECK(test::allocations_during([&] { batched->run_batch(three); }) == 0);
  }
}

TEST_CASE("allocation: a C API update on a strided BGR frame allocates nothing after the first") {
  et_model* model = nullptr;
  et_tracker* tracker = nullptr;
  REQUIRE(et_model_load(ET_TEST_ZOO_BLOB, &model) == ET_OK);
  REQUIRE(et_tracker_create(model, nullptr, &tracker) == ET_OK);
  // 320x240 BGR8 rows padded to 1000 bytes, a smooth pattern with a bright square.
  const int width = 320, height = 240;
  const std::size_t stride = 1000;
  std::vector<unsigned char> pixels(stride * height);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<unsigned char>((i * 7) % 251);
  for (std::size_t y = 100; y < 140; ++y)
    for (std::size_t x = 3 * 150; x < 3 * 190; ++x) pixels[y * stride + x] = 250;
  const et_frame frame = {pixels.data(), width, height, stride, ET_PIXEL_BGR8};
  const et_box box = {150, 100, 40, 40};
  REQUIRE(et_tracker_init(tracker, &frame, &box) == ET_OK);
  et_result result{};
  REQUIRE(et_tracker_update(tracker, &frame, &result) == ET_OK);  // warm-up: OpenMP's pool
  et_status status = ET_OK;
  CHECK(test::allocations_during([&] { status = et_tracker_update(tracker, &frame, &result); }) == 0);
  CHECK(status == ET_OK);
  // The counter sees the API's allocations: a failing call builds its message.
  CHECK(test::allocations_during([&] { status = et_tracker_update(tracker, nullptr, &result); }) > 0);
  CHECK(status == ET_ERROR_INVALID_ARGUMENT);
  et_tracker_free(tracker);
  et_model_free(model);
}

}  // namespace et
