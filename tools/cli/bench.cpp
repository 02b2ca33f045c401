// efficienttrack bench: per-model latency, a per-layer time table, a thread
// sweep, batches of search crops, many trackers at once and a sustained mode; a readable table or JSON
// rows carrying model, ISA, threads and commit. A benchmark reports numbers;
// it checks nothing. Pin it for single-thread figures:
//   OMP_NUM_THREADS=1 taskset -c 0 efficienttrack bench --model vittrack-zoo
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "kernels/kernels.h"
#include "net/model.h"
#include "tools/cli/commands.h"
#include "weights/error.h"

#include "et_git_commit.h"  // ET_GIT_COMMIT, generated at build time

namespace et::cli {
namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

struct Summary {
  double min_ms = 0, median_ms = 0, max_ms = 0;
};

// CPU time of this process / this thread in ms. On a shared machine wall
// time includes the slices other processes took from the core; CPU time
// does not, so a large gap between the two flags a disturbed run
// (spec/bench.md). With one thread the process CPU time is the engine's.
double cpu_ms(clockid_t clock) {
  timespec t{};
  clock_gettime(clock, &t);
  return double(t.tv_sec) * 1e3 + double(t.tv_nsec) * 1e-6;
}
double process_cpu_ms() { return cpu_ms(CLOCK_PROCESS_CPUTIME_ID); }
double thread_cpu_ms() { return cpu_ms(CLOCK_THREAD_CPUTIME_ID); }

// libgomp's idle workers spin for a while (GOMP_SPINCOUNT: ~10 ms here)
// after a parallel region before they sleep. A run with fewer threads right
// after one with more would share its cores with them (here a 3.3 ms
// one-thread update took 6.0). Returns true once the process burns no CPU
// while this thread sleeps, i.e. the workers sleep too; false after 1 s
// (they never do: OMP_WAIT_POLICY=active). The windows are 10 ms: the
// kernel accounts other threads' CPU time at its scheduler tick (4 ms
// here), so a shorter window can read 0 while they spin; on a loaded
// machine even a 10 ms one can, which only cuts the wait short.
bool wait_for_sleeping_workers() {
  for (int i = 0; i < 100; ++i) {
    const double cpu0 = process_cpu_ms();
    const auto t0 = Clock::now();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (process_cpu_ms() - cpu0 < 0.2 * ms_between(t0, Clock::now())) return true;
  }
  return false;
}

Summary summarize(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  return {ms.front(), ms[ms.size() / 2], ms.back()};
}

// Time between consecutive probe checkpoints = the time of the sub-layer that
// ends there (patch_embed.x, blocks.i.<sub-layer>, norm, head.*). The network
// calls the probe only at those points, so timing costs a clock read each.
class LayerTimer final : public ActivationProbe {
 public:
  void start() {
    previous_.clear();
    last_ = Clock::now();
    last_cpu_ = thread_cpu_ms();
  }
  void observe(std::string_view name, std::span<const float>, std::span<const std::int64_t>) override {
    const auto now = Clock::now();
    const double now_cpu = thread_cpu_ms();
    std::string layer(name);
    if (layer.starts_with("head.")) layer = "head";  // the head emits its maps together at its end
    if (layer.starts_with("blocks.") && layer.find('.', 7) == std::string::npos) layer += ".ffn";  // a block's last FFN
    if (layer == "patch_embed.x") layer = "patch_embed";
    auto [it, inserted] = index_.try_emplace(layer, order_.size());
    if (inserted) {
      order_.push_back(layer);
      samples_.emplace_back();
      cpu_samples_.emplace_back();
    }
    auto& samples = samples_[it->second];
    auto& cpu = cpu_samples_[it->second];
    if (layer == previous_) {  // a merged checkpoint (head.*) of the same run
      samples.back() += ms_between(last_, now);
      cpu.back() += now_cpu - last_cpu_;
    } else {
      samples.push_back(ms_between(last_, now));
      cpu.push_back(now_cpu - last_cpu_);
    }
    previous_ = layer;
    last_ = Clock::now();
    last_cpu_ = thread_cpu_ms();
  }
  const std::vector<std::string>& layers() const { return order_; }
  std::vector<double> samples(std::size_t i) const { return samples_[i]; }
  // The calling thread's CPU time: the layer's with one thread.
  std::vector<double> cpu_samples(std::size_t i) const { return cpu_samples_[i]; }

 private:
  Clock::time_point last_;
  double last_cpu_ = 0;
  std::string previous_;
  std::map<std::string, std::size_t> index_;
  std::vector<std::string> order_;
  std::vector<std::vector<double>> samples_, cpu_samples_;
};

std::vector<int> parse_list(const std::string& option, const std::string& text, int lo, int hi) {
  std::vector<int> values;
  std::size_t at = 0;
  while (at <= text.size()) {
    const std::size_t comma = text.find(',', at);
    const std::string item = text.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    char* end = nullptr;
    const long v = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v < lo || v > hi)
      throw Error(option + ": got '" + text + "', expected comma-separated integers in [" + std::to_string(lo) + ", " +
                  std::to_string(hi) + "]");
    values.push_back(static_cast<int>(v));
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  return values;
}

// Normalised-image-like inputs: N(0, 1), fixed seed.
std::vector<float> random_input(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

struct Row {
  std::string mode;  // latency | trackers | sustained
  int threads = 1, trackers = 1;
  int batch = 1;         // search crops per run_batch() (latency mode)
  Summary update, full;  // run_batch() with the cached template; set_template() + run_batch()
  Summary update_cpu;    // process CPU time of run()
  double frames_per_second = 0;  // search crops per second
  // Latency rows: the throughput against the first thread count at the same
  // batch, the median of the runs' paired ratios (1 for the base rows).
  double speedup = 1;
  int speedup_base_threads = 1;
  struct Layer {
    std::string name;
    Summary wall, cpu;
  };
  std::vector<Layer> layers;
  std::vector<double> windows_fps;  // sustained mode: throughput per window
};

int run_bench(const Parsed& args) {
  if (args.has("--isa")) set_active_isa(parse_isa(args.get("--isa")));
  const std::string model_name = args.get("--model", "vittrack-zoo");
  const auto seed = static_cast<std::uint64_t>(args.get_int("--seed", 0, 0, 1L << 40));
  const int runs = static_cast<int>(args.get_int("--runs", 50, 1, 1000000));
  const int warmup = static_cast<int>(args.get_int("--warmup", 5, 0, 1000000));
  const std::vector<int> thread_counts = parse_list("--threads", args.get("--threads", "1"), 1, 1024);
  const std::vector<int> batches = parse_list("--batch", args.get("--batch", "1"), 1, Model::kMaxBatch);
  const int trackers = static_cast<int>(args.get_int("--trackers", 1, 1, 4096));
  const double duration = static_cast<double>(args.get_int("--duration", 0, 0, 86400));
  const bool json = args.has("--json");

  auto model = Model::load(model_name, seed);
  const ModelConfig& c = model->config();
  const auto z = random_input(3 * std::size_t(c.template_size) * c.template_size, 1);
  const auto x = random_input(3 * std::size_t(c.search_size) * c.search_size, 2);
  // A batch's crops differ (seeds 2, 3, ...), as several trackers' would.
  const int largest_batch = *std::max_element(batches.begin(), batches.end());
  std::vector<std::vector<float>> batch_inputs;
  for (int i = 0; i < largest_batch; ++i)
    batch_inputs.push_back(i == 0 ? x : random_input(x.size(), 2 + static_cast<unsigned>(i)));
  std::vector<const float*> batch_crops;  // after the inputs are all in place
  for (const std::vector<float>& input : batch_inputs) batch_crops.push_back(input.data());
  // GFLOP/s count the MACs the engine executes (StageCost::executed_macs);
  // the header also gives the model's, which a full forward pass computes.
  std::uint64_t macs_update = 0, macs_full = 0, model_macs_update = 0;
  std::map<std::string, std::uint64_t> stage_macs;
  for (const StageCost& s : model->stage_costs()) {
    macs_full += s.executed_macs;
    if (!s.once_per_template) {
      macs_update += s.executed_macs;
      model_macs_update += s.macs;
    }
    stage_macs[s.name] = s.executed_macs;
    for (const StageCost::Part& part : s.parts) stage_macs[part.name] = part.executed_macs;
  }

  // One network per (thread count, batch), the rows' order. The runs are
  // interleaved: run i times every configuration back to back, so a shared
  // host that changes speed between seconds (spec/bench.md) moves all of
  // them alike, and each run's ratio of two thread counts is measured
  // seconds apart (the paired speedup below).
  struct Config {
    int threads, batch;
    std::unique_ptr<Network> net;
  };
  std::vector<Config> configs;
  for (int threads : thread_counts) {
    omp_set_num_threads(threads);  // a network's convs run on up to the threads set at its creation
    for (int batch : batches) configs.push_back({threads, batch, model->create_network(batch)});
  }
  auto crops_of = [&](const Config& cfg) {
    return std::span<const float* const>(batch_crops.data(), static_cast<std::size_t>(cfg.batch));
  };
  int previous_threads = 0;
  bool workers_sleep = true;
  auto use_threads = [&](int threads) {
    if (threads < previous_threads && workers_sleep && !wait_for_sleeping_workers()) {
      workers_sleep = false;  // waiting again would only add a second per run
      std::fprintf(stderr,
                   "efficienttrack bench: warning: the OpenMP workers keep spinning between runs "
                   "(OMP_WAIT_POLICY=active?); the runs with fewer threads share cores with them\n");
    }
    omp_set_num_threads(threads);
    previous_threads = threads;
  };
  for (Config& cfg : configs) {  // warm-up; through use_threads too, so the first timed run waits if it must
    use_threads(cfg.threads);
    for (int i = 0; i < warmup; ++i) {
      cfg.net->set_template(z.data());
      cfg.net->run_batch(crops_of(cfg));
    }
  }
  const std::size_t n_configs = configs.size();
  std::vector<std::vector<double>> update_ms(n_configs), full_ms(n_configs), update_cpu_ms(n_configs);
  for (int i = 0; i < runs; ++i) {
    for (std::size_t k = 0; k < n_configs; ++k) {
      Config& cfg = configs[k];
      use_threads(cfg.threads);
      const auto t0 = Clock::now();
      cfg.net->set_template(z.data());
      cfg.net->run_batch(crops_of(cfg));
      const auto t1 = Clock::now();
      const double c1 = process_cpu_ms();
      cfg.net->run_batch(crops_of(cfg));
      const double c2 = process_cpu_ms();
      const auto t2 = Clock::now();
      full_ms[k].push_back(ms_between(t0, t1));
      update_ms[k].push_back(ms_between(t1, t2));
      update_cpu_ms[k].push_back(c2 - c1);
    }
  }
  std::vector<LayerTimer> timers(n_configs);
  for (int i = 0; i < runs; ++i) {
    for (std::size_t k = 0; k < n_configs; ++k) {
      use_threads(configs[k].threads);
      timers[k].start();
      configs[k].net->run_batch(crops_of(configs[k]), &timers[k]);
    }
  }
  std::vector<Row> rows;
  for (std::size_t k = 0; k < n_configs; ++k) {
    Row row;
    row.mode = "latency";
    row.threads = configs[k].threads;
    row.batch = configs[k].batch;
    row.update = summarize(update_ms[k]);
    row.update_cpu = summarize(update_cpu_ms[k]);
    row.full = summarize(full_ms[k]);
    row.frames_per_second = 1e3 * row.batch / row.update.median_ms;
    // Against the first thread count at the same batch: the median of the
    // runs' ratios, each from two updates timed back to back.
    const std::size_t base = static_cast<std::size_t>(
        std::find_if(configs.begin(), configs.end(), [&](const Config& other) { return other.batch == row.batch; }) -
        configs.begin());
    row.speedup_base_threads = configs[base].threads;
    std::vector<double> ratios;
    for (int i = 0; i < runs; ++i) ratios.push_back(update_ms[base][std::size_t(i)] / update_ms[k][std::size_t(i)]);
    row.speedup = summarize(ratios).median_ms;
    for (std::size_t l = 0; l < timers[k].layers().size(); ++l)
      row.layers.push_back(
          {timers[k].layers()[l], summarize(timers[k].samples(l)), summarize(timers[k].cpu_samples(l))});
    rows.push_back(std::move(row));
  }
  configs.clear();  // the trackers below make their own networks

  if (trackers > 1 || duration > 0) {
    // T trackers share the model; each runs on one thread (its kernels single
    // threaded), T at a time across the pool.
    const int threads = thread_counts.back();
    omp_set_num_threads(1);  // networks for one thread: no per-thread conv scratch
    omp_set_max_active_levels(1);
    std::vector<std::unique_ptr<Network>> nets;
    for (int t = 0; t < trackers; ++t) {
      nets.push_back(model->create_network());
      nets.back()->set_template(z.data());
    }
    omp_set_num_threads(threads);
    auto round = [&] {
#pragma omp parallel for schedule(dynamic, 1)
      for (int t = 0; t < trackers; ++t) nets[static_cast<std::size_t>(t)]->run(x.data());
    };
    for (int i = 0; i < warmup; ++i) round();
    Row row;
    row.mode = duration > 0 ? "sustained" : "trackers";
    row.threads = threads;
    row.trackers = trackers;
    std::vector<double> round_ms;
    const auto begin = Clock::now();
    auto window_start = begin;
    int window_frames = 0;
    long frames = 0;
    for (int i = 0;; ++i) {
      const auto t0 = Clock::now();
      round();
      const auto t1 = Clock::now();
      round_ms.push_back(ms_between(t0, t1));
      frames += trackers;
      window_frames += trackers;
      if (duration > 0 && ms_between(window_start, t1) >= 1000.0) {
        row.windows_fps.push_back(window_frames / (ms_between(window_start, t1) * 1e-3));
        window_start = t1;
        window_frames = 0;
      }
      if (duration > 0 ? ms_between(begin, t1) >= duration * 1e3 : i + 1 >= runs) break;
    }
    row.update = summarize(round_ms);
    row.frames_per_second = static_cast<double>(frames) / (ms_between(begin, Clock::now()) * 1e-3);
    rows.push_back(std::move(row));
  }

  // MACs of a timed layer (one crop): the stage or block sub-layer of that
  // name (patch embed: its search stage); 0 for layers without MACs (norm).
  auto layer_macs = [&](const std::string& layer) -> std::uint64_t {
    for (const auto& [stage, m] : stage_macs)
      if (stage == layer || stage == layer + " (search)" || (layer == "head" && stage.starts_with("head"))) return m;
    return 0;
  };
  const char* isa = isa_name(active_kernels().isa);
  auto gflops = [](std::uint64_t macs, double ms) { return ms > 0 ? 2.0 * double(macs) / (ms * 1e6) : 0.0; };
  if (json) {
    for (const Row& r : rows) {
      std::string j = "{\"model\": " + json_string(model_name) + ", \"seed\": " + std::to_string(seed) +
                      ", \"isa\": \"" + isa + "\", \"commit\": \"" + ET_GIT_COMMIT + "\", \"mode\": \"" + r.mode +
                      "\", \"threads\": " + std::to_string(r.threads) + ", \"trackers\": " +
                      std::to_string(r.trackers) + ", \"batch\": " + std::to_string(r.batch) +
                      ", \"runs\": " + std::to_string(runs);
      char buf[512];
      std::snprintf(buf, sizeof buf,
                    ", \"min_ms\": %.5f, \"median_ms\": %.5f, \"max_ms\": %.5f, \"cpu_min_ms\": %.5f, "
                    "\"cpu_median_ms\": %.5f, \"full_median_ms\": %.5f, "
                    "\"macs_per_update\": %llu, \"executed_macs_per_update\": %llu, \"gflops\": %.3f, "
                    "\"frames_per_second\": %.3f, "
                    "\"median_ms_per_crop\": %.5f, \"speedup\": %.4f, \"speedup_base_threads\": %d",
                    r.update.min_ms, r.update.median_ms, r.update.max_ms, r.update_cpu.min_ms, r.update_cpu.median_ms,
                    r.full.median_ms,
                    static_cast<unsigned long long>(model_macs_update), static_cast<unsigned long long>(macs_update),
                    r.mode == "latency" ? gflops(macs_update * std::uint64_t(r.batch), r.update.median_ms) : 0.0,
                    r.frames_per_second, r.update.median_ms / r.batch, r.speedup, r.speedup_base_threads);
      j += buf;
      j += ", \"layers\": [";
      double total = 0;
      for (const Row::Layer& l : r.layers) total += l.wall.median_ms;
      for (std::size_t i = 0; i < r.layers.size(); ++i) {
        const Row::Layer& l = r.layers[i];
        std::snprintf(buf, sizeof buf,
                      "%s{\"name\": \"%s\", \"median_ms\": %.5f, \"cpu_median_ms\": %.5f, \"share\": %.4f, "
                      "\"gflops\": %.3f}",
                      i ? ", " : "", l.name.c_str(), l.wall.median_ms, l.cpu.median_ms,
                      total > 0 ? l.wall.median_ms / total : 0.0,
                      gflops(layer_macs(l.name) * std::uint64_t(r.batch), l.wall.median_ms));
        j += buf;
      }
      j += "], \"windows_fps\": [";
      for (std::size_t i = 0; i < r.windows_fps.size(); ++i) {
        std::snprintf(buf, sizeof buf, "%s%.2f", i ? ", " : "", r.windows_fps[i]);
        j += buf;
      }
      j += "]}\n";
      std::fputs(j.c_str(), stdout);
    }
    return 0;
  }

  std::printf("model %s (seed %llu), ISA %s, commit %s; %llu MACs per update executed (%llu with the template; "
              "the model's %llu, of which the last block's non-search rows are skipped)\n",
              model_name.c_str(), static_cast<unsigned long long>(seed), isa, ET_GIT_COMMIT,
              static_cast<unsigned long long>(macs_update), static_cast<unsigned long long>(macs_full),
              static_cast<unsigned long long>(model_macs_update));
  for (const Row& r : rows) {
    if (r.mode == "latency") {
      const std::uint64_t macs = macs_update * std::uint64_t(r.batch);
      if (r.batch == 1)
        std::printf("\n%d thread(s), %d runs after %d warm-up: update %.3f ms median (min %.3f, max %.3f), "
                    "%.1f GFLOP/s, %.1f frames/s; process CPU %.3f ms median (min %.3f); template + update %.3f ms\n",
                    r.threads, runs, warmup, r.update.median_ms, r.update.min_ms, r.update.max_ms,
                    gflops(macs, r.update.median_ms), r.frames_per_second, r.update_cpu.median_ms,
                    r.update_cpu.min_ms, r.full.median_ms);
      else
        std::printf("\n%d thread(s), batch of %d crops, %d runs after %d warm-up: update %.3f ms median (min %.3f, "
                    "max %.3f), %.3f ms per crop, %.1f GFLOP/s, %.1f crops/s; process CPU %.3f ms median (min %.3f); "
                    "template + update %.3f ms\n",
                    r.threads, r.batch, runs, warmup, r.update.median_ms, r.update.min_ms, r.update.max_ms,
                    r.update.median_ms / r.batch, gflops(macs, r.update.median_ms), r.frames_per_second,
                    r.update_cpu.median_ms, r.update_cpu.min_ms, r.full.median_ms);
      if (r.threads != r.speedup_base_threads)
        std::printf("  %.2fx the throughput of %d thread(s) (median over the runs of the two updates' ratio, timed back "
                    "to back)\n",
                    r.speedup, r.speedup_base_threads);
      double total = 0;
      for (const Row::Layer& l : r.layers) total += l.wall.median_ms;
      std::printf("  %-22s %10s %10s %7s %9s\n", "layer", "median ms", "cpu ms", "share", "GFLOP/s");
      for (const Row::Layer& l : r.layers) {
        std::printf("  %-22s %10.4f %10.4f %6.1f%%", l.name.c_str(), l.wall.median_ms, l.cpu.median_ms,
                    100.0 * l.wall.median_ms / total);
        if (const std::uint64_t m = layer_macs(l.name); m > 0)
          std::printf(" %9.1f", gflops(m * std::uint64_t(r.batch), l.wall.median_ms));
        std::printf("\n");
      }
    } else {
      std::printf("\n%d trackers on %d thread(s)%s: %.1f frames/s in all; a round of all trackers %.3f ms median "
                  "(min %.3f, max %.3f)\n",
                  r.trackers, r.threads, r.mode == "sustained" ? ", sustained" : "", r.frames_per_second,
                  r.update.median_ms, r.update.min_ms, r.update.max_ms);
      if (!r.windows_fps.empty()) {
        std::vector<double> w = r.windows_fps;
        std::sort(w.begin(), w.end());
        std::printf("  per 1 s window: first %.1f, last %.1f, min %.1f, median %.1f, max %.1f frames/s (%zu windows)\n",
                    r.windows_fps.front(), r.windows_fps.back(), w.front(), w[w.size() / 2], w.back(), w.size());
      }
    }
  }
  return 0;
}

}  // namespace

const Command& bench_command() {
  static const Command command{
      "bench",
      "Time a model: latency of an update (the network on a search crop, template cached) and of\n"
      "template + update, a per-layer table (time between the network's layer checkpoints; blocks.i.ffn is\n"
      "a block's last FFN/MLP), a thread sweep, batches of search crops run at once (one template; the\n"
      "row-wise layers see all crops' tokens), many trackers sharing one model, a sustained mode. The sweep's\n"
      "runs are interleaved (run i times every thread count and batch back to back), and each thread count\n"
      "after the first reports its speedup as the median of those paired ratios.\n"
      "Pin single-thread runs: OMP_NUM_THREADS=1 taskset -c 0 efficienttrack bench ...",
      {{"--model", "M", "blob path, vittrack-zoo, or a config name (et-..., vit-...)", "vittrack-zoo"},
       {"--seed", "N", "seed of a config name's random weights", "0"},
       {"--threads", "LIST", "thread counts to sweep, e.g. 1,2,4 (runs interleaved; speedup against the first)", "1"},
       {"--batch", "LIST", "search crops per run, swept, e.g. 1,2,4,8 (the times are per batch)", "1"},
       {"--runs", "N", "timed runs (rounds with --trackers)", "50"},
       {"--warmup", "N", "untimed runs first", "5"},
       {"--trackers", "T", "also run T trackers sharing the model, in parallel on the last thread count", "1"},
       {"--duration", "S", "sustained mode: run the trackers for S seconds, throughput per second", "0"},
       {"--isa", "NAME", "force kernels: reference, avx2, avx512, neon", "best available"},
       {"--json", "", "JSON rows instead of the table", ""},
       {"--help", "", "show this help", ""}},
      run_bench};
  return command;
}

}  // namespace et::cli
