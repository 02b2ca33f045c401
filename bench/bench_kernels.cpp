// Kernel micro-benchmarks: GFLOP/s and percent of the core's measured FP32
// peak for the tracker-shaped GEMMs of spec/bench.md. A benchmark, not a
// test: it checks nothing, it reports. Pin it for single-thread figures:
//   OMP_NUM_THREADS=1 taskset -c 0 build/et_bench_kernels [--isa avx2] [--runs 50] [--json] [--filter conv2x2]
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "bench/fma_peak.h"
#include "kernels/kernels.h"
#include "weights/error.h"

namespace {

using et::Isa;
using Clock = std::chrono::steady_clock;

struct Buffer {
  explicit Buffer(std::size_t n) : p(static_cast<float*>(std::aligned_alloc(64, (n * 4 + 127) / 64 * 64))) {
    for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<float>((i * 2654435761u) % 1000) * 1e-3f - 0.5f;
  }
  ~Buffer() { std::free(p); }
  float* p;
};

// Wall time, and the process's CPU time: on a shared machine wall time
// counts the slices other processes took from the core, CPU time does not.
// With one thread the GFLOP/s come from the CPU time (as the peak's do).
struct Timing {
  double min_ms, median_ms, max_ms, cpu_median_ms, cpu_min_ms;
};

double process_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e3 + double(t.tv_nsec) * 1e-6;
}

Timing time_it(int runs, const std::function<void()>& f) {
  for (int i = 0; i < 3; ++i) f();  // warm-up, not timed
  std::vector<double> ms, cpu;
  for (int i = 0; i < runs; ++i) {
    const double cpu_start = process_cpu_ms();
    const auto start = Clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    cpu.push_back(process_cpu_ms() - cpu_start);
  }
  std::sort(ms.begin(), ms.end());
  std::sort(cpu.begin(), cpu.end());
  return {ms.front(), ms[ms.size() / 2], ms.back(), cpu[cpu.size() / 2], cpu.front()};
}

struct Row {
  std::string name;
  double flops;
  Timing t;
};

}  // namespace

int main(int argc, char** argv) {
  try {
    Isa isa = et::active_kernels().isa;  // the best runnable, or the one ET_ISA names
    int runs = 50;
    bool json = false, peak_only = false;
    std::string filter;
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      if (a == "--isa" && i + 1 < argc) isa = et::parse_isa(argv[++i]);
      else if (a == "--runs" && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
      else if (a == "--json") json = true;
      else if (a == "--peak-only") peak_only = true;
      else if (a == "--filter" && i + 1 < argc) filter = argv[++i];
      else if (a == "--help") {
        std::puts("usage: et_bench_kernels [--isa reference|avx2|avx512|neon] [--runs N] [--json] [--peak-only]\n"
                  "                        [--filter TEXT]\n"
                  "  --isa NAME: the kernels to time (default: ET_ISA's, else the best this CPU runs)\n"
                  "  --peak-only: measure and print only the core's FMA peak (bench/peers/compare.py's floor)\n"
                  "  --filter TEXT: time only the kernels whose name contains TEXT (e.g. conv2x2, \"linear 321x256\")");
        return 0;
      } else throw et::Error("unknown argument '" + a + "' (see --help)");
    }
    const et::KernelTable& k = et::kernel_table(isa);
    const double peak = et::bench::measure_fma_peak_gflops(isa == Isa::reference ? et::runnable_isas().back() : isa);
    if (peak_only) {
      if (json) std::printf("{\"isa\": \"%s\", \"peak_gflops\": %.2f}\n", et::isa_name(isa), peak);
      else std::printf("ISA %s: measured FMA peak %.1f GFLOP/s (thread CPU time, best of 7 probes)\n", et::isa_name(isa), peak);
      return 0;
    }
    std::vector<Row> rows;
    // Times f as kernel `name` (flops per run), unless --filter leaves it out.
    auto add = [&](std::string name, double flops, const std::function<void()>& f) {
      if (name.find(filter) != std::string::npos) rows.push_back({std::move(name), flops, time_it(runs, f)});
    };

    const int M = 321;  // tokens: class token + 256 search + 64 template
    const std::vector<std::pair<int, int>> linear_shapes = {{128, 384}, {128, 128}, {128, 512}, {512, 128}, {256, 768},
                                                            {256, 256}, {256, 1024}, {1024, 256}, {768, 2304}, {48, 144}, {48, 192}, {192, 48}};
    for (auto [K, N] : linear_shapes) {
      Buffer x(std::size_t(M) * K), w(std::size_t(N) * K), b(N), y(std::size_t(M) * N);
      Buffer packed(k.packed_linear_floats(N, K));
      k.pack_linear(w.p, b.p, N, K, packed.p);
      const et::LinearShape s{M, K, N, K, N};
      add("linear " + std::to_string(M) + "x" + std::to_string(K) + "x" + std::to_string(N), 2.0 * M * K * N,
          [&] { k.linear(s, x.p, packed.p, et::Activation::none, false, y.p); });
    }
    // The GEMM's ceiling on this core: two 6-row micro-tiles of one whole
    // panel (2 vectors: 8 columns NEON, 16 AVX2, 32 AVX-512) and K = 256,
    // whose A (12 KiB) and packed B (8-32 KiB) stay in L1, 200 calls a run
    // (its ms are for all 200). The tracker-shaped rows above fall short of
    // it by their memory traffic and per-tile work (epilogue, partial tiles).
    {
      const int tile_rows = 12, K = 256, calls = 200;
      const int N = isa == Isa::avx512 ? 32 : isa == Isa::neon ? 8 : 16;
      Buffer x(std::size_t(tile_rows) * K), w(std::size_t(N) * K), b(N), y(std::size_t(tile_rows) * N);
      Buffer packed(k.packed_linear_floats(N, K));
      k.pack_linear(w.p, b.p, N, K, packed.p);
      const et::LinearShape s{tile_rows, K, N, K, N};
      add("GEMM ceiling: 12x256x" + std::to_string(N) + " in L1", 2.0 * tile_rows * K * N * calls, [&] {
        for (int i = 0; i < calls; ++i) k.linear(s, x.p, packed.p, et::Activation::none, false, y.p);
      });
    }
    // The GA mixer's qkv: a grouped 1x1 conv over tokens (C = 256, H = 4
    // groups of 64 -> 96: q and k 16 wide, v 64), run as the network runs it
    // (net/layers.cpp run_linear): one strided linear per group.
    {
      const int C = 256, groups = 4, in = C / groups, out = 96, width = groups * out;
      Buffer x(std::size_t(M) * C), w(std::size_t(width) * in), b(width), y(std::size_t(M) * width);
      Buffer packed(groups * k.packed_linear_floats(out, in));
      const std::size_t group_floats = k.packed_linear_floats(out, in);
      for (int g = 0; g < groups; ++g)
        k.pack_linear(w.p + std::size_t(g) * out * in, b.p + g * out, out, in, packed.p + g * group_floats);
      const et::LinearShape s{M, in, out, C, width};
      add("GA qkv 321x256x384, 4 groups", 2.0 * M * in * out * groups, [&] {
        for (int g = 0; g < groups; ++g)
          k.linear(s, x.p + g * in, packed.p + g * group_floats, et::Activation::none, false, y.p + g * out);
      });
    }
    // One attention head: QK^T (321x32 @ 32x321), softmax, PV (321x321 @ 321x32).
    for (auto [dk, dv, keys] : std::vector<std::tuple<int, int, int>>{{32, 32, 321}, {64, 64, 321}, {48, 48, 320}, {16, 64, 320}}) {
      const int ld = 2 * dk + dv;
      Buffer qkv(std::size_t(keys) * ld), out(std::size_t(keys) * dv);
      const et::AttentionShape s{keys, keys, dk, dv, ld, ld, ld, dv, 1.0f / std::sqrt(float(dk))};
      Buffer scratch(k.attention_scratch_floats(s, omp_get_max_threads()));
      add("attention head q" + std::to_string(keys) + " dk" + std::to_string(dk) + " dv" + std::to_string(dv),
          2.0 * keys * keys * (dk + dv), [&] { k.attention(s, qkv.p, qkv.p + dk, qkv.p + 2 * dk, out.p, scratch.p, omp_get_max_threads()); });
    }
    // A whole attention as vit-d12c256 runs it (net/layers.cpp): 4 heads of
    // 64 over the qkv GEMM's [321][3 x 256] output; its thread scaling
    // includes the K/V packing and what each thread reads of the others' rows.
    {
      const int C = 256, heads = 4, D = C / heads;
      Buffer qkv(std::size_t(M) * 3 * C), out(std::size_t(M) * C);
      const et::AttentionShape s{M, M, D, D, 3 * C, 3 * C, 3 * C, C, 1.0f / std::sqrt(float(D)), heads, D, D, D, D};
      Buffer scratch(k.attention_scratch_floats(s, omp_get_max_threads()));
      add("attention 4 heads q321 dk64 dv64", 2.0 * M * M * heads * 2 * D,
          [&] { k.attention(s, qkv.p, qkv.p + C, qkv.p + 2 * C, out.p, scratch.p, omp_get_max_threads()); });
    }
    // Convolutions of the stems and heads, with the activation each has in
    // its model (stems: HardSwish after every stage but the last; heads'
    // towers: ReLU): the epilogue is part of a narrow conv's cost.
    using et::Activation;
    struct ConvCase { const char* name; et::Conv2dShape s; Activation act; };
    for (const ConvCase& c : {ConvCase{"conv3x3 s2 3->6 256px hswish", {3, 256, 256, 6, 3, 2, 1, 1}, Activation::hardswish},
                              ConvCase{"conv3x3 s2 6->12 128px hswish", {6, 128, 128, 12, 3, 2, 1, 1}, Activation::hardswish},
                              ConvCase{"conv3x3 s2 12->24 64px hswish", {12, 64, 64, 24, 3, 2, 1, 1}, Activation::hardswish},
                              ConvCase{"conv3x3 s2 24->48 32px", {24, 32, 32, 48, 3, 2, 1, 1}, Activation::none},
                              ConvCase{"conv3x3 s1 48->48 16px relu", {48, 16, 16, 48, 3, 1, 1, 1}, Activation::relu},
                              ConvCase{"conv3x3 s1 24->12 16px relu", {24, 16, 16, 12, 3, 1, 1, 1}, Activation::relu},
                              ConvCase{"conv3x3 s1 48->32 16px relu", {48, 16, 16, 32, 3, 1, 1, 1}, Activation::relu},
                              ConvCase{"conv3x3 s2 3->32 256px hswish", {3, 256, 256, 32, 3, 2, 1, 1}, Activation::hardswish},
                              ConvCase{"conv3x3 s2 32->64 128px hswish", {32, 128, 128, 64, 3, 2, 1, 1}, Activation::hardswish},
                              ConvCase{"conv3x3 s2 64->128 64px hswish", {64, 64, 64, 128, 3, 2, 1, 1}, Activation::hardswish},
                              ConvCase{"conv3x3 s2 128->256 32px", {128, 32, 32, 256, 3, 2, 1, 1}, Activation::none},
                              ConvCase{"conv3x3 s1 256->256 16px relu", {256, 16, 16, 256, 3, 1, 1, 1}, Activation::relu},
                              ConvCase{"conv3x3 s1 256->128 16px relu", {256, 16, 16, 128, 3, 1, 1, 1}, Activation::relu},
                              ConvCase{"conv2x2 s2 3->32 256px hswish", {3, 256, 256, 32, 2, 2, 0, 1}, Activation::hardswish},
                              ConvCase{"conv2x2 s2 32->64 128px hswish", {32, 128, 128, 64, 2, 2, 0, 1}, Activation::hardswish},
                              ConvCase{"conv2x2 s2 64->128 64px hswish", {64, 64, 64, 128, 2, 2, 0, 1}, Activation::hardswish},
                              ConvCase{"conv2x2 s2 128->256 32px", {128, 32, 32, 256, 2, 2, 0, 1}, Activation::none},
                              ConvCase{"conv16x16 s16 3->256 256px", {3, 256, 256, 256, 16, 16, 0, 1}, Activation::none}}) {
      const auto& s = c.s;
      Buffer x(std::size_t(s.in_channels) * s.in_height * s.in_width),
          w(std::size_t(s.out_channels) * s.in_channels * s.kernel * s.kernel), b(s.out_channels),
          y(std::size_t(s.out_channels) * s.out_height() * s.out_width()),
          scratch(k.conv2d_scratch_floats(s, omp_get_max_threads()) + 16);
      add(c.name, 2.0 * s.out_channels * s.out_height() * s.out_width() * s.in_channels * s.kernel * s.kernel,
          [&] { k.conv2d(s, x.p, w.p, b.p, c.act, y.p, scratch.p, omp_get_max_threads()); });
    }

    if (rows.empty()) throw et::Error("--filter '" + filter + "' matches no kernel (run without it for the list)");
    const bool one_thread = omp_get_max_threads() == 1;
    // Median: the kernel on this machine as it is. Best: its fastest run,
    // the like of the peak (the best of the probe's runs); on a shared or
    // virtual core the slices another tenant takes count as CPU time too,
    // so the median mixes the kernel with the neighbours' load.
    auto gflops = [&](const Row& r) { return r.flops / (one_thread ? r.t.cpu_median_ms : r.t.median_ms) * 1e-6; };
    auto best_gflops = [&](const Row& r) { return r.flops / (one_thread ? r.t.cpu_min_ms : r.t.min_ms) * 1e-6; };
    if (json) {
      for (const Row& r : rows)
        std::printf("{\"kernel\": \"%s\", \"isa\": \"%s\", \"threads\": %d, \"runs\": %d, \"min_ms\": %.5f, "
                    "\"median_ms\": %.5f, \"max_ms\": %.5f, \"cpu_median_ms\": %.5f, \"cpu_min_ms\": %.5f, "
                    "\"gflops\": %.2f, \"best_gflops\": %.2f, \"peak_gflops\": %.2f}\n",
                    r.name.c_str(), et::isa_name(isa), omp_get_max_threads(), runs, r.t.min_ms, r.t.median_ms,
                    r.t.max_ms, r.t.cpu_median_ms, r.t.cpu_min_ms, gflops(r), best_gflops(r), peak);
      return 0;
    }
    std::printf("ISA %s, %d thread(s), %d runs; measured FMA peak %.1f GFLOP/s (thread CPU time, best of 7 probes)\n",
                et::isa_name(isa), omp_get_max_threads(), runs, peak);
    std::printf("GFLOP/s from the median and from the best %s time\n\n", one_thread ? "CPU" : "wall");
    std::printf("%-34s %10s %10s %10s %10s %9s %7s %9s %7s\n", "kernel", "min ms", "median ms", "max ms", "cpu ms",
                "GFLOP/s", "% peak", "best", "% peak");
    for (const Row& r : rows) {
      const double gf = gflops(r), best = best_gflops(r);
      std::printf("%-34s %10.4f %10.4f %10.4f %10.4f %9.1f %6.1f%% %9.1f %6.1f%%\n", r.name.c_str(), r.t.min_ms,
                  r.t.median_ms, r.t.max_ms, r.t.cpu_median_ms, gf, 100.0 * gf / peak, best, 100.0 * best / peak);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "et_bench_kernels: error: %s\n", e.what());
    return 1;
  }
}
