// The efficienttrack executable: exit codes, messages and what users and
// other issues rely on (`parameters: N`, `macs: N`, --json).
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include "tests/test_util.h"

namespace et {
namespace {

struct Result {
  int status = -1;
  std::string out;  // stdout and stderr together
};

// env: assignments put before the command, e.g. "OMP_WAIT_POLICY=active".
Result cli(const std::string& args, const std::string& env = "") {
  const std::string command = env + (env.empty() ? "" : " ") + "'" + ET_TEST_CLI + "' " + args + " 2>&1";
  Result r;
  std::FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int raw = pclose(pipe);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return r;
}

const std::string kZoo = std::string("'") + ET_TEST_ZOO_BLOB + "'";

}  // namespace

TEST_CASE("cli: inspect reports vittrack-zoo's 173,953 parameters and its MACs") {
  const Result r = cli("inspect --model " + kZoo);
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(r.out.find("\nparameters: 173953\n") != std::string::npos);
  CHECK(r.out.find("\nmacs: 84") != std::string::npos);  // about 85 M (models.md)
  CHECK(r.out.find("  family          vittrack-zoo\n") != std::string::npos);
  CHECK(r.out.find("  blocks.2.attn.qkv.weight             [144,48]") != std::string::npos);
  // The last block's FFN runs on the 256 search rows only (executed MACs).
  CHECK(r.out.find("\n    blocks.2.ffn                                        5,898,240    7.0%       4,718,592\n") !=
        std::string::npos);
  CHECK(r.out.find("\nexecuted_macs_per_update: 78623744\n") != std::string::npos);
}

TEST_CASE("cli: inspect --json carries the same counts") {
  const Result r = cli("inspect --json --model " + kZoo);
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(r.out.starts_with("{\"model\": "));
  CHECK(r.out.find("\"parameters\": 173953,") != std::string::npos);
  CHECK(r.out.find("\"family\": \"vittrack-zoo\"") != std::string::npos);
  CHECK(r.out.find("{\"name\": \"pos_embed_x\", \"dtype\": \"f32\", \"shape\": [256,48],") != std::string::npos);
  // A block's sub-layers: qkv 320x48x144 + QK^T and PV 2x320x320x48 + proj 320x48x48; MLP 2x320x48x192.
  CHECK(r.out.find("\"parts\": [{\"name\": \"blocks.1.attn\", \"macs\": 12779520, \"executed_macs\": 12779520}, "
                   "{\"name\": \"blocks.1.ffn\", \"macs\": 5898240, \"executed_macs\": 5898240}]") != std::string::npos);
  // The last block's queries and FFN rows: the 256 search tokens.
  CHECK(r.out.find("{\"name\": \"blocks.2.ffn\", \"macs\": 5898240, \"executed_macs\": 4718592}") != std::string::npos);
  CHECK(r.out.find("\"macs_per_update\": 81916928, \"executed_macs_per_update\": 78623744}") != std::string::npos);
}

TEST_CASE("cli: inspect builds a config name from seeded weights") {
  const Result r = cli("inspect --model et-c256-d3-fgaf-bn-conv3x3-center --seed 7");
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(r.out.starts_with("model: et-c256-d3-fgaf-bn-conv3x3-center (seed 7)\nfile: "
                          "et-c256-d3-fgaf-bn-conv3x3-center (seed 7, generated) ("));
  CHECK(r.out.find("  family          efficienttrack\n") != std::string::npos);
  CHECK(r.out.find("  block_type      fgaf\n") != std::string::npos);
  CHECK(r.out.find("\nparameters: 3496421\n") != std::string::npos);  // bn: 4,608 fewer than ln (LayerNorms, biases)
  CHECK(r.out.find("\nmacs: 1289768960\n") != std::string::npos);
  const Result j = cli("inspect --json --model vit-d3-c128-standard-corner --seed 2");
  INFO(j.out);
  CHECK(j.status == 0);
  CHECK(j.out.starts_with("{\"model\": \"vit-d3-c128-standard-corner\", \"seed\": 2, "));
  CHECK(j.out.find("\"parameters\": 1182594,") != std::string::npos);
  CHECK(j.out.find("{\"name\": \"head (corner)\", \"parameters\": 488962, \"macs\": 125050880,") !=
        std::string::npos);
}

TEST_CASE("cli: run drives a corner-head config") {
  const Result r = cli("run --model vit-d1-c64-standard-corner --seed 3 --runs 1");
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(r.out.starts_with("model      vit-d1-c64-standard-corner (seed 3), generated\n"));
  CHECK(r.out.find("corner confidence ") != std::string::npos);
}

TEST_CASE("cli: errors go to stderr with a non-zero exit status") {
  SUBCASE("unknown command") {
    const Result r = cli("frobnicate");
    CHECK(r.status == 2);
    CHECK(r.out.starts_with("efficienttrack: unknown command 'frobnicate'"));
  }
  SUBCASE("unknown option") {
    const Result r = cli("inspect --modle x");
    CHECK(r.status == 1);
    CHECK(r.out == "efficienttrack inspect: error: inspect: unknown option '--modle' (see efficienttrack inspect --help)\n");
  }
  SUBCASE("missing value") {
    const Result r = cli("inspect --model");
    CHECK(r.status == 1);
    CHECK(r.out == "efficienttrack inspect: error: --model: missing value M\n");
  }
  SUBCASE("unknown model name") {
    const Result r = cli("inspect --model vittrack-huge");
    CHECK(r.status == 1);
    CHECK(r.out.find("unknown model 'vittrack-huge'") != std::string::npos);
  }
  SUBCASE("a malformed config name") {
    const Result r = cli("inspect --model et-c256-d3-fgax-bn-conv3x3-center");
    CHECK(r.status == 1);
    CHECK(r.out == "efficienttrack inspect: error: model name 'et-c256-d3-fgax-bn-conv3x3-center': block type "
                   "'fgax' (part 4): expected af, faf, gaf or fgaf\n");
  }
  SUBCASE("--seed for a file") {
    const Result r = cli("inspect --seed 3 --model " + kZoo);
    CHECK(r.status == 1);
    CHECK(r.out.find("error: --seed: applies to config names (et-..., vit-...), not to ") != std::string::npos);
  }
  SUBCASE("a negative seed") {
    const Result r = cli("inspect --seed -1 --model vit-d1-c64-standard-corner");
    CHECK(r.status == 1);
    CHECK(r.out == "efficienttrack inspect: error: --seed: got '-1', expected an integer in [0, 9223372036854775807]\n");
  }
  SUBCASE("a file that is not a blob") {
    const std::string dir = test::temp_dir("cli-notblob");
    std::FILE* f = std::fopen((dir + "/x.etb").c_str(), "wb");
    std::fputs("this is not a weight blob, just some text long enough for a header........", f);
    std::fclose(f);
    const Result r = cli("inspect --model " + dir + "/x.etb");
    CHECK(r.status == 1);
    CHECK(r.out == "efficienttrack inspect: error: " + dir + "/x.etb: not a weight blob: magic 'this is ', expected 'ETRKBLOB'\n");
  }
  SUBCASE("help") {
    const Result r = cli("inspect --help");
    CHECK(r.status == 0);
    CHECK(r.out.starts_with("usage: efficienttrack inspect [options]"));
  }
}

}  // namespace et

namespace et {

TEST_CASE("cli: bench --json rows carry the fields other tools read") {
  const Result r = cli("bench --model et-c16-d1-af-bn-conv2x2-center --seed 3 --runs 2 --warmup 0 --threads 1,2 --json");
  INFO(r.out);
  CHECK(r.status == 0);
  std::size_t rows = 0;
  for (std::size_t at = 0; (at = r.out.find("{\"model\": \"et-c16-d1-af-bn-conv2x2-center\"", at)) != std::string::npos; ++at)
    ++rows;
  CHECK(rows == 2);  // one per thread count
  for (const char* key : {"\"isa\": ", "\"threads\": 1,", "\"threads\": 2,", "\"runs\": 2,", "\"min_ms\": ",
                          "\"median_ms\": ", "\"max_ms\": ", "\"gflops\": ", "\"commit\": ",
                          "\"layers\": [{\"name\": \"patch_embed\", \"median_ms\": ", "{\"name\": \"blocks.0.mixer\"",
                          "{\"name\": \"head\""})
    CHECK(r.out.find(key) != std::string::npos);
  // The thread sweep's speedup: 1 for the first thread count, a positive
  // paired ratio for the next, both against one thread.
  CHECK(r.out.find("\"speedup\": 1.0000, \"speedup_base_threads\": 1,") != std::string::npos);
  const std::size_t two = r.out.find("\"threads\": 2,");
  REQUIRE(two != std::string::npos);
  const std::size_t speedup = r.out.find("\"speedup\": ", two);
  REQUIRE(speedup != std::string::npos);
  CHECK(std::stod(r.out.substr(speedup + 11)) > 0);
  CHECK(r.out.find("\"speedup_base_threads\": 1,", speedup) != std::string::npos);
  // Every layer with MACs has its rate, block sub-layers included; the norm has none.
  for (const char* layer : {"patch_embed", "blocks.0.mixer", "blocks.0.ffn", "head", "norm"}) {
    const std::size_t at = r.out.find(std::string("{\"name\": \"") + layer + "\"");
    REQUIRE(at != std::string::npos);
    const std::size_t rate = r.out.find("\"gflops\": ", at);
    REQUIRE(rate != std::string::npos);
    CHECK((std::stod(r.out.substr(rate + 10)) > 0) == (std::string(layer) != "norm"));
  }
}

TEST_CASE("cli: bench waits for spinning OpenMP workers before a run with fewer threads, or says it cannot") {
  // By default libgomp's workers go to sleep: the sweep 2,1 runs without a
  // word. With OMP_WAIT_POLICY=active they never do: the sweep still
  // completes, with one warning at most. (Not that it warns: on a loaded
  // machine a spinning worker can be charged no CPU time in a 10 ms window,
  // which the kernel accounts at its tick, and pass for asleep; that only
  // cuts a wait short.)
  const std::string sweep = "bench --model et-c16-d1-af-bn-conv2x2-center --runs 3 --warmup 0 --threads 2,1";
  const std::string warning = "warning: the OpenMP workers keep spinning between runs";
  const Result quiet = cli(sweep);
  INFO(quiet.out);
  CHECK(quiet.status == 0);
  CHECK(quiet.out.find(warning) == std::string::npos);
  const Result active = cli(sweep, "OMP_WAIT_POLICY=active");
  INFO(active.out);
  CHECK(active.status == 0);
  CHECK(active.out.find(warning) == active.out.rfind(warning));
  CHECK(active.out.find("x the throughput of 2 thread(s)") != std::string::npos);
}

TEST_CASE("cli: bench --batch gives a row per batch size, its rates per crop") {
  const Result r = cli("bench --model et-c16-d1-af-bn-conv2x2-center --seed 3 --runs 1 --warmup 0 --batch 1,3 --json");
  INFO(r.out);
  REQUIRE(r.status == 0);
  const std::size_t one = r.out.find("\"batch\": 1,"), three = r.out.find("\"batch\": 3,");
  REQUIRE(one != std::string::npos);
  REQUIRE(three != std::string::npos);
  CHECK(one < three);
  // The batch-3 row: crops per second and ms per crop follow from the batch's median.
  auto number = [&](const std::string& key) {
    const std::size_t at = r.out.find("\"" + key + "\": ", three);
    REQUIRE(at != std::string::npos);
    return std::stod(r.out.substr(at + key.size() + 4));
  };
  const double median = number("median_ms");
  CHECK(median > 0);
  CHECK(number("frames_per_second") == doctest::Approx(3e3 / median).epsilon(1e-3));
  CHECK(number("median_ms_per_crop") == doctest::Approx(median / 3).epsilon(1e-3));

  const Result table = cli("bench --model et-c16-d1-af-bn-conv2x2-center --runs 1 --warmup 0 --batch 2 --threads 1,2");
  CHECK(table.status == 0);
  CHECK(table.out.find("batch of 2 crops") != std::string::npos);
  CHECK(table.out.find("x the throughput of 1 thread(s)") != std::string::npos);  // the 2-thread row only
  CHECK(table.out.find("x the throughput of 1 thread(s)") == table.out.rfind("x the throughput of 1 thread(s)"));
  const Result bad = cli("bench --batch 0");
  CHECK(bad.status == 1);
  CHECK(bad.out == "efficienttrack bench: error: --batch: got '0', expected comma-separated integers in [1, 256]\n");
}

TEST_CASE("cli: bench refuses bad thread lists and unknown ISAs") {
  Result r = cli("bench --threads 1,x");
  CHECK(r.status == 1);
  CHECK(r.out == "efficienttrack bench: error: --threads: got '1,x', expected comma-separated integers in [1, 1024]\n");
  r = cli("bench --isa sse9");
  CHECK(r.status == 1);
  CHECK(r.out == "efficienttrack bench: error: ISA 'sse9': expected one of reference, avx2, avx512, neon\n");
}

}  // namespace et
