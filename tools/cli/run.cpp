// efficienttrack run: one network pass on a real frame pair. The template is
// cropped around the ground-truth box of one frame, the search region around
// the same box in a later frame (as the tracker would after init); prints
// the decoded box against the ground truth, and the time of each step.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <omp.h>
#include <vector>

#include "net/config_names.h"
#include "kernels/kernels.h"
#include "net/model.h"
#include "tools/cli/commands.h"
#include "tracker/decode.h"
#include "tracker/image.h"
#include "tracker/preprocess.h"
#include "tracker/sequence.h"
#include "weights/error.h"

namespace et::cli {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

BoxF parse_box(const std::string& text) {
  double v[4];
  char tail = 0;
  if (std::sscanf(text.c_str(), "%lf,%lf,%lf,%lf%c", &v[0], &v[1], &v[2], &v[3], &tail) != 4)
    throw Error("--init: got '" + text + "', expected x,y,w,h");
  return {v[0], v[1], v[2], v[3]};
}

double iou(const Box& a, const BoxF& b) {
  const double x1 = std::max<double>(a.x, b.x), y1 = std::max<double>(a.y, b.y);
  const double x2 = std::min<double>(a.x + a.w, b.x + b.w), y2 = std::min<double>(a.y + a.h, b.y + b.h);
  const double inter = std::max(0.0, x2 - x1) * std::max(0.0, y2 - y1);
  const double uni = double(a.w) * a.h + b.w * b.h - inter;
  return uni > 0 ? inter / uni : 0.0;
}

DecodeResult decode_center_maps(const Network& net, const Box& last, CropWindow search) {
  const CenterHeadMaps maps = net.center_maps();
  return decode_center(maps.score, maps.size, maps.offset, last, search);
}

// The corner box (fractions of the search crop) in frame pixels; `score` is
// the head's confidence. No threshold: a corner head always places a box.
DecodeResult decode_corner(const CornerHeadOutput& corner, CropWindow search) {
  const double side = search.size;
  const double x1 = search.x1 + corner.box[0] * side, y1 = search.y1 + corner.box[1] * side;
  const double x2 = search.x1 + corner.box[2] * side, y2 = search.y1 + corner.box[3] * side;
  DecodeResult r;
  r.box = {static_cast<int>(std::floor(x1)), static_cast<int>(std::floor(y1)),
           static_cast<int>(std::lround(std::max(x2 - x1, 1.0))), static_cast<int>(std::lround(std::max(y2 - y1, 1.0)))};
  r.score = corner.confidence;
  r.found = true;
  return r;
}

int run_pair(const Parsed& args) {
  const std::string model_arg = model_label(args);
  const std::string sequence = args.get("--sequence", shared_dir() + "/sequences/otb_Crossing");
  const long runs = args.get_int("--runs", 50, 1, 100000);
  const std::string mode_arg = args.get("--mode", "opencv");
  if (mode_arg != "opencv" && mode_arg != "correct")
    throw Error("--mode: got '" + mode_arg + "', expected opencv or correct");
  const EdgeMode edge = mode_arg == "opencv" ? EdgeMode::opencv : EdgeMode::correct;
  const ChannelOrder order = mode_arg == "opencv" ? ChannelOrder::bgr : ChannelOrder::rgb;

  const auto frames = list_frames(sequence);
  const long template_frame = args.get_int("--template-frame", 1, 1, static_cast<long>(frames.size()));
  const long search_frame = args.get_int("--search-frame", std::min<long>(2, static_cast<long>(frames.size())), 1,
                                         static_cast<long>(frames.size()));
  const std::string gt_path = (std::filesystem::path(sequence) / "groundtruth.txt").string();
  std::vector<BoxF> gt;
  if (std::filesystem::exists(gt_path)) gt = read_groundtruth(gt_path);
  BoxF init_box;
  if (args.has("--init")) {
    init_box = parse_box(args.get("--init"));
  } else if (static_cast<long>(gt.size()) >= template_frame) {
    init_box = gt[static_cast<std::size_t>(template_frame - 1)];
  } else {
    throw Error(gt_path + ": no row for frame " + std::to_string(template_frame) + "; give --init x,y,w,h");
  }
  const Box last = round_box(init_box, "the init box");

  auto start = Clock::now();
  auto model = load_model(args);
  auto net = model->create_network();
  const double load_ms = ms_since(start);

  start = Clock::now();
  const Image template_image = load_image(frames[static_cast<std::size_t>(template_frame - 1)]);
  const Image search_image = load_image(frames[static_cast<std::size_t>(search_frame - 1)]);
  const double decode_image_ms = ms_since(start) / 2;

  const ModelConfig& c = model->config();
  const int zs = static_cast<int>(c.template_size), xs = static_cast<int>(c.search_size);
  std::vector<float> z(3 * std::size_t(zs) * zs), x(3 * std::size_t(xs) * xs);
  PreprocessScratch scratch;
  crop_resize_normalize(template_image, crop_window(last, 2.0), zs, edge, order, z.data(), scratch);
  const CropWindow search_window = crop_window(last, 4.0);
  start = Clock::now();
  crop_resize_normalize(search_image, search_window, xs, edge, order, x.data(), scratch);
  const double preprocess_ms = ms_since(start);

  start = Clock::now();
  net->set_template(z.data());
  const double template_ms = ms_since(start);

  std::vector<double> times;
  net->run(x.data());  // warm-up, not timed
  for (long i = 0; i < runs; ++i) {
    start = Clock::now();
    net->run(x.data());
    times.push_back(ms_since(start));
  }
  std::sort(times.begin(), times.end());

  start = Clock::now();
  const DecodeResult result = net->head_kind() == HeadKind::corner ? decode_corner(net->corner_output(), search_window)
                                                                    : decode_center_maps(*net, last, search_window);
  const double decode_ms = ms_since(start);

  if (is_config_name(args.get("--model", "vittrack-zoo")))
    std::printf("model      %s, generated\n", model_arg.c_str());
  else
    std::printf("model      %s (%s)\n", model_arg.c_str(), model->blob().path().c_str());
  std::printf("sequence   %s: template frame %ld, search frame %ld of %zu (mode %s)\n", sequence.c_str(),
              template_frame, search_frame, frames.size(), mode_arg.c_str());
  std::printf("init box   %d,%d,%d,%d\n", last.x, last.y, last.w, last.h);
  if (net->head_kind() == HeadKind::corner)
    std::printf("box        %d,%d,%d,%d  corner confidence %.4g (peak probabilities multiplied)\n", result.box.x,
                result.box.y, result.box.w, result.box.h, static_cast<double>(result.score));
  else
    std::printf("box        %d,%d,%d,%d  score %.4f  %s\n", result.box.x, result.box.y, result.box.w, result.box.h,
                static_cast<double>(result.score), result.found ? "found" : "not found (kept the previous box)");
  if (static_cast<long>(gt.size()) >= search_frame && gt[static_cast<std::size_t>(search_frame - 1)].present()) {
    const BoxF& g = gt[static_cast<std::size_t>(search_frame - 1)];
    std::printf("truth      %g,%g,%g,%g  IoU %.3f\n", g.x, g.y, g.w, g.h, iou(result.box, g));
  }
  std::printf("time       network %.3f ms median (min %.3f, max %.3f, %ld runs, %s kernels, %d threads)\n",
              times[times.size() / 2], times.front(), times.back(), runs, isa_name(active_kernels().isa),
              omp_get_max_threads());
  std::printf("           template embedding %.3f ms (once), crop+resize+normalise %.3f ms, head decode %.4f ms,\n"
              "           image decode %.2f ms per frame, model load %.2f ms\n",
              template_ms, preprocess_ms, decode_ms, decode_image_ms, load_ms);
  return 0;
}

}  // namespace

const Command& run_command() {
  static const Command command{
      "run",
      "Run the network once on a real frame pair and print the decoded box and the time.\n"
      "The template is cropped around the init box (ground truth of --template-frame unless --init),\n"
      "the search region around the same box in --search-frame.",
      {model_option(),
       seed_option(),
       {"--sequence", "DIR", "sequence folder with img/ and groundtruth.txt",
        "$ET_SHARED_DIR/sequences/otb_Crossing"},
       {"--template-frame", "N", "1-based frame for the template", "1"},
       {"--search-frame", "N", "1-based frame for the search region", "2"},
       {"--init", "x,y,w,h", "init box instead of the ground truth row", ""},
       {"--runs", "N", "timed network runs after one warm-up", "50"},
       {"--mode", "MODE", "opencv (BGR, OpenCV's edge quirk) or correct (RGB)", "opencv"},
       {"--help", "", "show this help", ""}},
      run_pair};
  return command;
}

}  // namespace et::cli
