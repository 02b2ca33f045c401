// efficienttrack track: run the tracker over one sequence, write one
// x,y,w,h,score line per frame, optionally draw overlay frames and a contact
// sheet for a person to look at.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "net/model.h"
#include "tools/cli/commands.h"
#include "tools/cli/progress.h"
#include "tools/cli/track_common.h"
#include "tracker/draw.h"
#include "tracker/image_write.h"
#include "tracker/metrics.h"
#include "tracker/track_sequence.h"
#include "tracker/tracker.h"
#include "weights/atomic_file.h"
#include "weights/error.h"

namespace et::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kSheetFrames = 8;  // frames on the contact sheet
constexpr int kSheetColumns = 4;
constexpr int kThumbWidth = 320;

BoxF parse_init(const std::string& text) {
  double v[4];
  char tail = 0;
  if (std::sscanf(text.c_str(), "%lf,%lf,%lf,%lf%c", &v[0], &v[1], &v[2], &v[3], &tail) != 4)
    throw Error("--init: got '" + text + "', expected x,y,w,h");
  return {v[0], v[1], v[2], v[3]};
}

// Frame indices (0-based) shown on the contact sheet: evenly spaced, first and last included.
std::vector<std::size_t> sheet_indices(std::size_t frames) {
  const std::size_t k = std::min(kSheetFrames, frames);
  std::vector<std::size_t> idx;
  for (std::size_t i = 0; i < k; ++i)
    idx.push_back(k == 1 ? 0 : (i * (frames - 1) + (k - 1) / 2) / (k - 1));  // rounded
  return idx;
}

// Draws the ground truth (green, thin), the tracker's box (yellow when
// found, red when the previous box was kept) and a "#frame score" label.
void draw_overlay(Image& img, std::size_t index, const TrackResult& r, const BoxF* gt) {
  const int scale = img.height >= 480 ? 2 : 1;
  const int thick = std::max(2, std::min(img.width, img.height) / 240);
  if (gt != nullptr && gt->present())
    draw_rect(img, static_cast<int>(std::lround(gt->x)), static_cast<int>(std::lround(gt->y)),
              static_cast<int>(std::lround(gt->w)), static_cast<int>(std::lround(gt->h)), {0, 220, 0}, 1);
  const Rgb colour = r.found ? Rgb{255, 230, 0} : Rgb{255, 40, 40};
  draw_rect(img, r.box.x, r.box.y, r.box.w, r.box.h, colour, thick);
  char text[64];
  std::snprintf(text, sizeof text, "#%zu %.3f%s", index + 1, static_cast<double>(r.score), r.found ? "" : " lost");
  const int tw = text_width(text, scale) + 4 * scale, th = text_height(scale) + 4 * scale;
  const int lx = std::clamp(r.box.x, 0, std::max(0, img.width - tw));
  const int ly = r.box.y - th >= 0 ? r.box.y - th : std::clamp(r.box.y + r.box.h, 0, std::max(0, img.height - th));
  fill_rect(img, lx, ly, tw, th, {0, 0, 0});
  draw_text(img, lx + 2 * scale, ly + 2 * scale, text, colour, scale);
}

struct Thumb {
  Image image;
  std::string caption;
};

Image contact_sheet(const std::vector<Thumb>& thumbs, const std::string& title) {
  int cell_h = 0;
  for (const Thumb& t : thumbs) cell_h = std::max(cell_h, t.image.height);
  const int caption_h = 18, pad = 8, title_h = 30;
  const int columns = std::min<int>(kSheetColumns, static_cast<int>(thumbs.size()));
  const int rows = (static_cast<int>(thumbs.size()) + columns - 1) / columns;
  Image sheet = make_image(pad + columns * (kThumbWidth + pad), title_h + rows * (cell_h + caption_h + pad) + pad,
                           {32, 32, 32});
  draw_text(sheet, pad, 8, title, {255, 255, 255}, 2);
  for (std::size_t i = 0; i < thumbs.size(); ++i) {
    const int col = static_cast<int>(i) % columns, row = static_cast<int>(i) / columns;
    const int x = pad + col * (kThumbWidth + pad), y = title_h + row * (cell_h + caption_h + pad);
    blit(sheet, thumbs[i].image, x, y);
    draw_text(sheet, x, y + thumbs[i].image.height + 5, thumbs[i].caption, {230, 230, 230}, 1);
  }
  return sheet;
}

int track(const Parsed& args) {
  if (!args.has("--sequence"))
    throw Error("--sequence: missing, expected a sequence folder (DIR/img/...) or a text file listing frames");
  const std::string source = args.get("--sequence");
  std::error_code ec;
  const Sequence seq = fs::is_regular_file(source, ec) ? open_frame_list(source) : open_sequence(source);
  const BoxF init = args.has("--init") ? parse_init(args.get("--init")) : first_groundtruth_box(seq);
  const auto max_frames = static_cast<std::size_t>(args.get_int("--frames", 0, 0, 100000000));
  const auto model = load_model(args);
  const std::string model_name = model_label(args);
  const TrackerOptions options = tracker_options(args, *model);
  Tracker tracker(model, options);

  const std::size_t n = max_frames == 0 ? seq.frames.size() : std::min(max_frames, seq.frames.size());
  const std::string overlay = args.get("--overlay");
  if (!overlay.empty()) {
    fs::create_directories(overlay, ec);
    if (ec || !fs::is_directory(overlay)) throw Error("--overlay: cannot create folder '" + overlay + "': " + ec.message());
  }
  if (args.has("--out")) check_writable(args.get("--out"));  // fails before the run, not after it
  const std::vector<std::size_t> sheet = sheet_indices(n);
  std::vector<Thumb> thumbs;
  Progress progress("track " + seq.name, n);
  const SequenceRun run = track_sequence(
      tracker, seq.frames, init, max_frames, [&](std::size_t i, const Image& frame, const TrackResult& r) {
        progress.update(i + 1);
        if (overlay.empty()) return;
        Image drawn = frame;
        draw_overlay(drawn, i, r, i < seq.groundtruth.size() ? &seq.groundtruth[i] : nullptr);
        char name[32];
        std::snprintf(name, sizeof name, "%08zu.jpg", i + 1);
        save_image(drawn, (fs::path(overlay) / name).string(), 90);
        if (std::find(sheet.begin(), sheet.end(), i) != sheet.end()) {
          const int h = std::max(1, static_cast<int>(std::lround(static_cast<double>(kThumbWidth) * drawn.height / drawn.width)));
          char caption[96];
          std::snprintf(caption, sizeof caption, "frame %zu  box %d,%d,%d,%d  score %.3f", i + 1, r.box.x, r.box.y,
                        r.box.w, r.box.h, static_cast<double>(r.score));
          thumbs.push_back({resize_box(drawn, kThumbWidth, h), caption});
        }
      });

  std::string lines;
  for (const TrackResult& r : run.results) lines += result_line(r);
  if (args.has("--out")) write_file_atomic(args.get("--out"), lines);
  else std::fputs(lines.c_str(), stdout);

  if (!overlay.empty()) {
    const std::string sheet_path = (fs::path(overlay) / "contact_sheet.png").string();
    save_image(contact_sheet(thumbs, seq.name + "  " + model_name + "  mode " + mode_name(options.mode)), sheet_path);
    std::fprintf(stderr, "overlay: %zu frames and %s\n", run.results.size(), sheet_path.c_str());
  }
  std::size_t found = 0;
  for (const TrackResult& r : run.results) found += r.found ? 1 : 0;
  const RunSpeed speed = run_speed(run);
  std::fprintf(stderr, "tracked %zu frames (%zu found), mode %s: %.1f frames/s tracker, %.1f frames/s network (%d threads)\n",
               run.results.size(), found, mode_name(options.mode).c_str(), speed.tracker_fps, speed.network_fps,
               omp_get_max_threads());
  std::fputs(update_time_table(run).c_str(), stderr);
  if (seq.groundtruth.size() >= run.results.size() && !args.has("--init")) {
    std::vector<BoxF> pred;
    for (const TrackResult& r : run.results) pred.push_back(to_boxf(r.box));
    const std::span<const BoxF> gt(seq.groundtruth.data(), pred.size());
    const SequenceMetrics m = evaluate_sequence(pred, gt);
    std::fprintf(stderr, "against groundtruth.txt: AUC %.2f  Prec@20 %.2f  NPrec@0.2 %.2f (%%)\n", 100 * m.auc,
                 100 * m.precision, 100 * m.norm_precision);
  }
  return 0;
}

}  // namespace

const Command& track_command() {
  static const Command command{
      "track",
      "Track one target through a sequence and write one x,y,w,h,score line per frame.\n"
      "The first line is the init box (score 1). The tracker is initialised on the first\n"
      "frame with the first ground-truth row, or with --init. A progress bar with frames/s\n"
      "is shown when stderr is a terminal; a summary goes to stderr.",
      {model_option(),
       seed_option(),
       {"--sequence", "DIR", "sequence folder (DIR/img/* and DIR/groundtruth.txt), or a text file listing "
                             "frame paths, one per line", ""},
       {"--init", "x,y,w,h", "init box in first-frame pixels (rounded half up) instead of the first ground-truth row", ""},
       {"--out", "FILE", "write the results here (atomically) instead of stdout", ""},
       {"--overlay", "DIR", "write every frame with the box and score drawn (DIR/00000001.jpg ...) and "
                            "DIR/contact_sheet.png", ""},
       {"--mode", "MODE", "opencv (BGR, OpenCV's edge quirk: OpenCV TrackerVit's boxes) or correct (RGB)",
        "opencv for vittrack-zoo, correct for other families"},
       {"--threshold", "T", "center head: windowed score, corner head: confidence, at or above which the box "
                            "moves (found)", "0.2 center, 0 corner"},
       {"--frames", "N", "track only the first N frames (0: all)", "0"},
       {"--help", "", "show this help", ""}},
      track};
  return command;
}

}  // namespace et::cli
