"""Read and write the engine's weight blob (`.etb`), format version 1.

The layout is described in weights/FORMAT.md. The constants (magic, version,
sizes, enum codes) are defined once, in weights/blob_format.h; this module
parses that header at import time so Python and C++ cannot disagree.

    import blobfile
    blobfile.CONST.kFamilyVittrackZoo          # 1, read from blob_format.h
    blobfile.write_blob(path, {"family": 0}, [("input.z", array)])
    config, tensors = blobfile.read_blob(path)

Run as a script it prints a blob's header, config and tensor table.
"""

import argparse
import os
import re
import struct
import sys
import tempfile
import types
import zlib
from collections import OrderedDict

import numpy as np

HEADER_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "weights",
                           "blob_format.h")

# The 16 u32 config fields, in file order (FORMAT.md, "Config").
CONFIG_FIELDS = (
    "family", "depth", "channels", "heads", "block_type", "norm", "patch_embed", "head_kind",
    "head_channels", "template_size", "search_size", "mlp_ratio", "key_dim", "value_dim",
    "reserved0", "reserved1",
)


# Header field byte offsets (FORMAT.md, "Header").
_CHECKSUM_OFFSET = 56


class BlobError(Exception):
    """A blob that cannot be written or read; the message names the file and tensor."""


def _parse_format_header(path):
    """Returns a namespace of every `kName` constant in blob_format.h."""
    u32 = re.compile(r"^\s*inline\s+constexpr\s+std::uint32_t\s+(k\w+)\s*=\s*(\d+)\s*;")
    magic = re.compile(r'^\s*inline\s+constexpr\s+char\s+kMagic\[(\d+)\]\s*=\s*"([^"]*)"\s*;')
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.readlines()
    except OSError as e:
        raise BlobError(f"{path}: cannot read the blob format header: {e.strerror}") from e
    values = {}
    for line in lines:
        m = u32.match(line)
        if m:
            values[m.group(1)] = int(m.group(2))
            continue
        m = magic.match(line)
        if m:
            text = m.group(2).encode("ascii")
            if int(m.group(1)) != len(text) + 1:
                raise BlobError(f"{path}: kMagic[{m.group(1)}] does not hold \"{m.group(2)}\" "
                                "plus its NUL")
            values["kMagic"] = text
    required = ("kMagic", "kFormatVersion", "kHeaderSize", "kConfigSize", "kTensorEntrySize",
                "kTensorNameCapacity", "kMaxDims", "kMaxTensors", "kDataAlignment", "kDtypeF32")
    missing = [name for name in required if name not in values]
    if missing:
        raise BlobError(f"{path}: constants not found: {', '.join(missing)} (expected lines like "
                        "`inline constexpr std::uint32_t kName = N;`)")
    return types.SimpleNamespace(**values)


CONST = _parse_format_header(HEADER_PATH)

# Header: magic, format_version, header_size, file_size, config_offset,
# config_size, tensor_count, table_offset, data_offset, checksum, reserved.
_HEADER = struct.Struct(f"<{len(CONST.kMagic)}sIIQQIIQQII")
# Tensor table entry: name, dtype, ndim, dims[kMaxDims], offset, size.
_ENTRY = struct.Struct(f"<{CONST.kTensorNameCapacity}sII{CONST.kMaxDims}IQQ")
_CONFIG = struct.Struct(f"<{len(CONFIG_FIELDS)}I")

if (_HEADER.size != CONST.kHeaderSize or _ENTRY.size != CONST.kTensorEntrySize
        or _CONFIG.size != CONST.kConfigSize):
    raise BlobError(f"{HEADER_PATH}: sizes disagree with FORMAT.md's layout (header "
                    f"{_HEADER.size}/{CONST.kHeaderSize}, entry {_ENTRY.size}/"
                    f"{CONST.kTensorEntrySize}, config {_CONFIG.size}/{CONST.kConfigSize})")

_CONFIG_OFFSET = CONST.kHeaderSize
_TABLE_OFFSET = CONST.kHeaderSize + CONST.kConfigSize
_MAX_NAME_BYTES = CONST.kTensorNameCapacity - 1  # room for the NUL


def _align(n):
    a = CONST.kDataAlignment
    return (n + a - 1) // a * a


def _shape_str(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


def _check_name(path, name):
    """Names are 1..87 bytes; the C++ loader also wants printable ASCII without spaces."""
    if not isinstance(name, str):
        raise BlobError(f"{path}: tensor name {name!r} is not a string")
    raw = name.encode("utf-8")
    if not 1 <= len(raw) <= _MAX_NAME_BYTES:
        raise BlobError(f"{path}: tensor {name!r}: name is {len(raw)} bytes, expected "
                        f"1..{_MAX_NAME_BYTES}")
    if any(b < 33 or b > 126 for b in raw):
        raise BlobError(f"{path}: tensor {name!r}: name has a byte outside printable ASCII "
                        "(the engine's loader refuses it)")
    return raw


def _to_f32(path, name, array):
    """Returns the tensor as a C-contiguous little-endian float32 array, checked."""
    a = np.asarray(array)
    if not (np.issubdtype(a.dtype, np.floating) or np.issubdtype(a.dtype, np.integer)):
        raise BlobError(f"{path}: tensor {name}: dtype {a.dtype}, expected a real number type")
    if not 1 <= a.ndim <= CONST.kMaxDims:
        raise BlobError(f"{path}: tensor {name}: ndim {a.ndim} (shape {_shape_str(a.shape)}), "
                        f"expected 1..{CONST.kMaxDims}")
    if 0 in a.shape:
        raise BlobError(f"{path}: tensor {name}: shape {_shape_str(a.shape)} has a zero dimension")
    if any(d >= 2**32 for d in a.shape):
        raise BlobError(f"{path}: tensor {name}: dimension past u32 in {_shape_str(a.shape)}")
    with np.errstate(over="ignore"):  # values past float32 range become Inf, refused below
        f = np.ascontiguousarray(a, dtype="<f4")
    bad = ~np.isfinite(f)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        what = "NaN" if np.isnan(f.flat[k]) else "Inf (after conversion to float32)"
        raise BlobError(f"{path}: tensor {name}: element {k} is {what}, expected finite values")
    return f


def _config_values(path, config):
    """Config dict -> 16 u32 values in file order; missing fields are 0."""
    unknown = [k for k in config if k not in CONFIG_FIELDS]
    if unknown:
        raise BlobError(f"{path}: unknown config field(s) {', '.join(unknown)}; expected "
                        f"{', '.join(CONFIG_FIELDS)}")
    values = []
    for field in CONFIG_FIELDS:
        v = config.get(field, 0)
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v < 2**32:
            raise BlobError(f"{path}: config {field}: got {v!r}, expected an integer in 0..2^32-1")
        values.append(int(v))
    return values


def encode_blob(config, tensors, path="<blob>"):
    """Returns the bytes of a blob holding `config` and `tensors` [(name, array), ...]."""
    config_values = _config_values(path, config)
    tensors = list(tensors)
    if not 1 <= len(tensors) <= CONST.kMaxTensors:
        raise BlobError(f"{path}: {len(tensors)} tensors, expected 1..{CONST.kMaxTensors}")

    entries = []  # (name bytes, float32 array, offset)
    seen = set()
    table_end = _TABLE_OFFSET + len(tensors) * CONST.kTensorEntrySize
    data_offset = _align(table_end)
    cursor = data_offset
    for name, array in tensors:
        raw = _check_name(path, name)
        if name in seen:
            raise BlobError(f"{path}: tensor {name}: duplicate name")
        seen.add(name)
        data = _to_f32(path, name, array)
        offset = _align(cursor)
        entries.append((raw, data, offset))
        cursor = offset + data.nbytes
    file_size = cursor

    out = bytearray(file_size)  # zero-filled: all padding is zero
    _HEADER.pack_into(out, 0, CONST.kMagic, CONST.kFormatVersion, CONST.kHeaderSize, file_size,
                      _CONFIG_OFFSET, CONST.kConfigSize, len(entries), _TABLE_OFFSET,
                      data_offset, 0, 0)
    _CONFIG.pack_into(out, _CONFIG_OFFSET, *config_values)
    for i, (raw, data, offset) in enumerate(entries):
        dims = list(data.shape) + [0] * (CONST.kMaxDims - data.ndim)
        _ENTRY.pack_into(out, _TABLE_OFFSET + i * CONST.kTensorEntrySize, raw, CONST.kDtypeF32,
                         data.ndim, *dims, offset, data.nbytes)
        out[offset:offset + data.nbytes] = data.tobytes()
    # CRC-32 of the whole file, computed while the checksum field is still zero.
    struct.pack_into("<I", out, _CHECKSUM_OFFSET, zlib.crc32(out) & 0xFFFFFFFF)
    return bytes(out)


def write_atomic(path, data):
    """Writes bytes to `path` via a temporary file in the same folder and os.replace,
    so a reader (or an interrupted build) never sees a half-written file."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_blob(path, config, tensors):
    """Writes a blob: `config` maps CONFIG_FIELDS names to u32 (missing ones are 0),
    `tensors` is an ordered list of (name, array), stored as float32 in that order.
    Returns the number of bytes written."""
    data = encode_blob(config, tensors, path)
    write_atomic(path, data)
    return len(data)


def read_blob(path):
    """Reads and validates a blob. Returns (config, tensors): config is an ordered
    dict of the 16 fields, tensors an ordered dict name -> float32 ndarray."""
    try:
        with open(path, "rb") as f:
            b = f.read()
    except OSError as e:
        raise BlobError(f"{path}: cannot read weight blob: {e.strerror}") from e
    return decode_blob(b, path)


def decode_blob(b, path="<blob>"):
    """Validates blob bytes in the loader's order (FORMAT.md) and decodes them."""
    def fail(what):
        raise BlobError(f"{path}: {what}")

    if len(b) < CONST.kHeaderSize:
        fail(f"truncated: {len(b)} bytes, expected at least {CONST.kHeaderSize} (the header)")
    (magic, version, header_size, file_size, config_offset, config_size, count, table_offset,
     data_offset, checksum, reserved) = _HEADER.unpack_from(b, 0)
    if magic != CONST.kMagic:
        fail(f"not a weight blob: magic {magic!r}, expected {CONST.kMagic!r}")
    if version > CONST.kFormatVersion:
        fail(f"format version {version} is newer than this tool supports "
             f"({CONST.kFormatVersion})")
    if version == 0:
        fail(f"format version 0, expected 1..{CONST.kFormatVersion}")
    for field, got, want in (("header_size", header_size, CONST.kHeaderSize),
                             ("config_offset", config_offset, _CONFIG_OFFSET),
                             ("config_size", config_size, CONST.kConfigSize),
                             ("table_offset", table_offset, _TABLE_OFFSET),
                             ("reserved", reserved, 0)):
        if got != want:
            fail(f"header {field}: got {got}, expected {want}")
    if file_size != len(b):
        fail(f"header file_size: got {file_size}, the file has {len(b)} bytes "
             "(truncated or trailing data)")
    if not 1 <= count <= CONST.kMaxTensors:
        fail(f"header tensor_count: got {count}, expected 1..{CONST.kMaxTensors}")
    table_end = _TABLE_OFFSET + count * CONST.kTensorEntrySize
    if table_end > len(b):
        fail(f"truncated: the tensor table of {count} entries ends at {table_end}, past the end "
             f"of the file ({len(b)} bytes)")
    if data_offset < table_end or data_offset % CONST.kDataAlignment or data_offset > len(b):
        fail(f"header data_offset: got {data_offset}, expected a multiple of "
             f"{CONST.kDataAlignment} in [{table_end}, {len(b)}]")

    entries = []  # (name, shape, offset, size)
    seen = set()
    for i in range(count):
        raw, dtype, ndim, *rest = _ENTRY.unpack_from(b, _TABLE_OFFSET + i * CONST.kTensorEntrySize)
        dims, offset, size = rest[:CONST.kMaxDims], rest[-2], rest[-1]
        where = f"tensor table entry {i}"
        if 0 not in raw:
            fail(f"{where}: name is not NUL-terminated within {CONST.kTensorNameCapacity} bytes")
        raw_name = raw[:raw.index(0)]
        if any(raw[len(raw_name):]):
            fail(f"{where}: name {raw_name!r} is not NUL-padded")
        try:
            name = raw_name.decode("utf-8")
        except UnicodeDecodeError:
            fail(f"{where}: name {raw_name!r} is not UTF-8")
        if not name:
            fail(f"{where}: empty name")
        where = f"tensor {name}"
        if name in seen:
            fail(f"{where}: duplicate name (table entry {i})")
        seen.add(name)
        if dtype != CONST.kDtypeF32:
            fail(f"{where}: dtype {dtype}, expected {CONST.kDtypeF32} (float32)")
        if not 1 <= ndim <= CONST.kMaxDims:
            fail(f"{where}: ndim {ndim}, expected 1..{CONST.kMaxDims}")
        shape = tuple(dims[:ndim])
        if 0 in shape:
            fail(f"{where}: shape {_shape_str(shape)} has a zero dimension")
        if any(dims[ndim:]):
            fail(f"{where}: dims {list(dims)} past ndim {ndim} must be 0")
        expected_size = int(np.prod(shape, dtype=np.uint64)) * 4
        if size != expected_size:
            fail(f"{where}: size {size} bytes, expected {expected_size} for float32 "
                 f"{_shape_str(shape)}")
        if offset % CONST.kDataAlignment:
            fail(f"{where}: offset {offset} is not {CONST.kDataAlignment}-byte aligned")
        if offset < data_offset:
            fail(f"{where}: offset {offset} lies before the data section ({data_offset})")
        if offset + size > len(b):
            fail(f"{where}: bytes [{offset}, {offset + size}) extend past the end of the file "
                 f"({len(b)} bytes)")
        entries.append((name, shape, offset, size))

    by_offset = sorted(entries, key=lambda e: e[2])
    for prev, cur in zip(by_offset, by_offset[1:]):
        if cur[2] < prev[2] + prev[3]:
            fail(f"tensors {prev[0]} and {cur[0]} overlap")

    crc = zlib.crc32(b[:_CHECKSUM_OFFSET])
    crc = zlib.crc32(b"\0\0\0\0", crc)
    crc = zlib.crc32(b[_CHECKSUM_OFFSET + 4:], crc) & 0xFFFFFFFF
    if crc != checksum:
        fail(f"checksum mismatch: computed crc32 {crc:08x}, header says {checksum:08x} "
             "(the file is corrupt)")

    config = OrderedDict(zip(CONFIG_FIELDS, _CONFIG.unpack_from(b, _CONFIG_OFFSET)))
    tensors = OrderedDict()
    for name, shape, offset, size in entries:
        # copy(): a writable array that does not pin the file's bytes.
        a = np.frombuffer(b, dtype="<f4", count=size // 4, offset=offset).reshape(shape).copy()
        bad = ~np.isfinite(a)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            fail(f"tensor {name}: element {k} is {'NaN' if np.isnan(a.flat[k]) else 'Inf'}, "
                 "expected finite values")
        tensors[name] = a.astype(np.float32, copy=False)
    return config, tensors


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Validate a weight blob (.etb) and print its config and tensor table.")
    parser.add_argument("blob", help="path of the .etb file")
    args = parser.parse_args(argv)
    try:
        config, tensors = read_blob(args.blob)
    except BlobError as e:
        print(f"blobfile: error: {e}", file=sys.stderr)
        return 1
    print(f"{args.blob}: valid, format version {CONST.kFormatVersion}, {len(tensors)} tensors, "
          f"{sum(t.size for t in tensors.values())} values")
    print("config: " + ", ".join(f"{k}={v}" for k, v in config.items()))
    for name, t in tensors.items():
        print(f"  {name:40s} {_shape_str(t.shape):18s} min {t.min(): .4g} max {t.max(): .4g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
