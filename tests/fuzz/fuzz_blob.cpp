// libFuzzer target: the weight-blob loader (BlobFile::from_memory) and the
// model families' checks of config and tensor set (Model::from_blob).
// An et::Error is the expected outcome for bad input; any other exception, a
// crash, a sanitizer report or a leak is a bug.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "net/model.h"
#include "weights/blob.h"
#include "weights/blob_format.h"
#include "weights/blob_writer.h"
#include "weights/error.h"

namespace {

void load(const std::vector<unsigned char>& bytes) {
  try {
    const auto model = et::Model::from_blob(et::BlobFile::from_memory(bytes.data(), bytes.size(), "fuzz.etb"));
    (void)model->parameter_count();
    (void)model->stage_costs();
  } catch (const et::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<unsigned char> bytes(data, data + size);
  load(bytes);
  // Nearly every mutation breaks the checksum, which is checked before the
  // config and the tensor set; load a restamped copy too, so the fuzzer
  // reaches the checks behind it.
  if (bytes.size() >= et::blob::kHeaderSize) {
    et::restamp_checksum(bytes);
    load(bytes);
  }
  return 0;
}
