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

Result cli(const std::string& args) {
  const std::string command = std::string("'") + ET_TEST_CLI + "' " + args + " 2>&1";
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
}

TEST_CASE("cli: inspect --json carries the same counts") {
  const Result r = cli("inspect --json --model " + kZoo);
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(r.out.starts_with("{\"model\": "));
  CHECK(r.out.find("\"parameters\": 173953,") != std::string::npos);
  CHECK(r.out.find("\"family\": \"vittrack-zoo\"") != std::string::npos);
  CHECK(r.out.find("{\"name\": \"pos_embed_x\", \"dtype\": \"f32\", \"shape\": [256,48],") != std::string::npos);
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
