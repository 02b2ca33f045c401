// efficienttrack eval: one-pass evaluation over every sequence of a data
// folder (OTB layout): a table per sequence and the mean, JSON, and the
// success/precision plots as a PNG.
#include <omp.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "net/model.h"
#include "tools/cli/commands.h"
#include "tools/cli/progress.h"
#include "tools/cli/track_common.h"
#include "tracker/image_write.h"
#include "tracker/metrics.h"
#include "tracker/plot.h"
#include "tracker/track_sequence.h"
#include "tracker/tracker.h"
#include "weights/atomic_file.h"
#include "weights/error.h"

namespace et::cli {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> split_names(const std::string& text) {
  std::vector<std::string> names;
  std::stringstream ss(text);
  std::string name;
  while (std::getline(ss, name, ','))
    if (!name.empty()) names.push_back(name);
  if (names.empty()) throw Error("--sequences: got '" + text + "', expected names separated by commas");
  return names;
}

std::string join(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

struct Row {
  std::string name;
  std::size_t frames = 0;
  SequenceMetrics metrics;
  RunSpeed speed;
  double tracker_s = 0;
};

void print_row(const std::string& name, const std::string& frames, double auc, double prec, double nprec,
               double fps, double net_fps) {
  std::printf("%-26s %7s %7.2f %8.2f %10.2f %8.1f %8.1f\n", name.c_str(), frames.c_str(), 100 * auc, 100 * prec,
              100 * nprec, fps, net_fps);
  std::fflush(stdout);
}

std::string metrics_json(std::size_t frames, double auc, double prec, double nprec, double fps) {
  return "{\"frames\": " + std::to_string(frames) + ", \"auc\": " + json_number(auc) +
         ", \"precision\": " + json_number(prec) + ", \"norm_precision\": " + json_number(nprec) +
         ", \"fps\": " + json_number(fps) + "}";
}

int eval(const Parsed& args) {
  const std::string data = args.get("--data", shared_dir() + "/sequences");
  const std::vector<std::string> available = list_sequences(data);
  std::vector<std::string> names = available;
  if (args.has("--sequences")) {
    names = split_names(args.get("--sequences"));
    for (const std::string& n : names)
      if (std::find(available.begin(), available.end(), n) == available.end())
        throw Error("--sequences: got '" + n + "', expected a sequence under " + data + " (" + join(available) + ")");
  }
  const AbsentFrames absent = parse_absent_frames(args.get("--absent", "pytracking"), "--absent");
  const auto max_frames = static_cast<std::size_t>(args.get_int("--frames", 0, 0, 100000000));
  const auto model = load_model(args);
  const std::string model_name = model_label(args);
  const TrackerOptions options = tracker_options(args, *model);
  const std::string results_dir = args.get("--results");
  if (!results_dir.empty()) {
    std::error_code ec;
    fs::create_directories(results_dir, ec);
    if (ec || !fs::is_directory(results_dir))
      throw Error("--results: cannot create folder '" + results_dir + "': " + ec.message());
  }
  // The JSON and the plot are written after every sequence has run: a path
  // that cannot be written fails now, not after the run.
  for (const char* output : {"--json", "--plot"})
    if (args.has(output)) check_writable(args.get(output));

  std::error_code ec;
  const std::string& blob_path = model->blob().path();
  const std::string file = fs::is_regular_file(blob_path, ec) ? " (" + blob_path + ")" : "";
  std::printf("model %s%s, mode %s, absent frames: %s, %d OpenMP threads, data %s\n", model_name.c_str(),
              file.c_str(), mode_name(options.mode).c_str(), absent_frames_name(absent).c_str(),
              omp_get_max_threads(), data.c_str());
  std::printf("%-26s %7s %7s %8s %10s %8s %8s\n", "sequence", "frames", "AUC", "Prec@20", "NPrec@0.2", "fps",
              "net fps");
  std::fflush(stdout);

  std::vector<Row> rows;
  for (const std::string& name : names) {
    const Sequence seq = open_sequence((fs::path(data) / name).string());
    const std::string gt_path = (fs::path(seq.dir) / "groundtruth.txt").string();
    if (seq.groundtruth.size() != seq.frames.size())
      throw Error(gt_path + ": got " + std::to_string(seq.groundtruth.size()) + " rows for " +
                  std::to_string(seq.frames.size()) + " frames in " + (fs::path(seq.dir) / "img").string() +
                  ", expected one row per frame");
    Tracker tracker(model, options);
    SequenceRun run;
    {
      Progress progress("eval " + name, max_frames == 0 ? seq.frames.size() : std::min(max_frames, seq.frames.size()));
      run = track_sequence(tracker, seq.frames, first_groundtruth_box(seq), max_frames,
                           [&](std::size_t i, const Image&, const TrackResult&) { progress.update(i + 1); });
    }
    std::vector<BoxF> pred;
    std::string lines;
    for (const TrackResult& r : run.results) {
      pred.push_back(to_boxf(r.box));
      lines += result_line(r);
    }
    if (!results_dir.empty()) write_file_atomic((fs::path(results_dir) / (name + ".txt")).string(), lines);
    Row row{name, pred.size(),
            evaluate_sequence(pred, std::span<const BoxF>(seq.groundtruth.data(), pred.size()), absent),
            run_speed(run), run.init_s + run.update_s};
    print_row(name, std::to_string(row.frames), row.metrics.auc, row.metrics.precision, row.metrics.norm_precision,
              row.speed.tracker_fps, row.speed.network_fps);
    rows.push_back(row);
  }

  std::vector<SequenceMetrics> all;
  std::size_t total_frames = 0;
  double total_s = 0;
  for (const Row& r : rows) {
    all.push_back(r.metrics);
    total_frames += r.frames;
    total_s += r.tracker_s;
  }
  const MeanMetrics mean = mean_metrics(all);
  // Over all frames together (each frame counts once), unlike the metrics'
  // mean over sequences.
  const double mean_fps = total_s > 0 ? static_cast<double>(total_frames) / total_s : 0.0;
  double network_s = 0, updates = 0;
  for (const Row& r : rows)
    if (r.speed.network_fps > 0) {
      updates += static_cast<double>(r.frames - 1);
      network_s += static_cast<double>(r.frames - 1) / r.speed.network_fps;
    }
  print_row("mean", std::to_string(total_frames), mean.auc, mean.precision, mean.norm_precision, mean_fps,
            network_s > 0 ? updates / network_s : 0.0);
  std::printf("(AUC, precision and normalised precision in %%, mean over sequences; frames/s over all frames: fps "
              "= crop + network + decode, net fps = network alone)\n");

  if (args.has("--json")) {
    std::string json = "{\"model\": " + json_string(model_name) + ", \"mode\": " +
                       json_string(mode_name(options.mode)) + ", \"sequences\": {";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      json += (i ? ", " : "") + json_string(r.name) + ": " +
              metrics_json(r.frames, r.metrics.auc, r.metrics.precision, r.metrics.norm_precision, r.speed.tracker_fps);
    }
    json += "}, \"mean\": " + metrics_json(total_frames, mean.auc, mean.precision, mean.norm_precision, mean_fps) +
            "}\n";
    write_file_atomic(args.get("--json"), json);
  }
  if (args.has("--plot")) {
    std::vector<std::string> labels;
    for (const Row& r : rows) labels.push_back(r.name);
    const std::string title = model_name + ", mode " + mode_name(options.mode) + ", " +
                              std::to_string(rows.size()) + " sequences, " + std::to_string(total_frames) + " frames";
    save_image(evaluation_plot(labels, all, mean, title), args.get("--plot"));
  }
  return 0;
}

}  // namespace

const Command& eval_command() {
  static const Command command{
      "eval",
      "Evaluate the tracker on every sequence of a data folder (one-pass, OTB/pytracking protocol).\n"
      "Prints AUC, precision at 20 px, normalised precision at 0.2 and frames/s per sequence and their\n"
      "mean; optionally writes JSON (metrics as fractions in [0, 1]) and the success/precision plots.",
      {model_option(),
       seed_option(),
       {"--data", "DIR", "folder with one sequence per sub-folder (NAME/img/*, NAME/groundtruth.txt)",
        "$ET_SHARED_DIR/sequences"},
       {"--sequences", "a,b", "evaluate only these sequences, in this order", "all, sorted by name"},
       {"--json", "FILE", "write {\"model\", \"mode\", \"sequences\": {NAME: {frames, auc, precision, "
                          "norm_precision, fps}}, \"mean\"} here", ""},
       {"--plot", "FILE", "draw the success and precision plots into this PNG", ""},
       {"--results", "DIR", "write each sequence's x,y,w,h,score lines to DIR/NAME.txt", ""},
       {"--mode", "MODE", "opencv (BGR, OpenCV's edge quirk: OpenCV TrackerVit's boxes) or correct (RGB)",
        "opencv for vittrack-zoo, correct for other families"},
       {"--absent", "RULE", "ground-truth rows marking the target absent: pytracking (excluded) or lasot "
                            "(counted as failures)", "pytracking"},
       {"--threshold", "T", "center head: windowed score, corner head: confidence, at or above which the box "
                            "moves (found)", "0.2 center, 0 corner"},
       {"--frames", "N", "evaluate only the first N frames of each sequence (0: all)", "0"},
       {"--help", "", "show this help", ""}},
      eval};
  return command;
}

}  // namespace et::cli
