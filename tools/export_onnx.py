"""Export the OpenCV Zoo VitTrack ONNX model to the engine's weight blob.

    export_onnx.py --onnx object_tracking_vittrack_2023sep.onnx --out vittrack-zoo.etb

The ONNX file names most of its initializers by number ('621', '680', ...),
so they are mapped to the reference's state_dict names (FORMAT.md) by walking
the graph: the conv chain from the input 'template', then the token stream
block by block (LayerNorm, attention, LayerNorm, MLP, each recognised op by
op), then the final LayerNorm and the three head branches. Every constant
the engine hard-codes (LayerNorm eps, attention scale, GELU, clip bounds,
q/k/v split, token layout) is checked against the graph, and every float
initializer must be accounted for, so a different graph fails loudly instead
of exporting wrong weights.

BatchNorm is already folded into the convs by the ONNX export (every conv has
a bias and there is no BatchNormalization node), so there is nothing to fold.
"""

import argparse
import math
import os
import re
import sys
from collections import OrderedDict, defaultdict

sys.dont_write_bytecode = True  # the build runs these from the source tree; keep it clean

import numpy as np  # noqa: E402
import onnx  # noqa: E402
from google.protobuf.message import DecodeError  # noqa: E402
from onnx import numpy_helper  # noqa: E402

import blobfile  # noqa: E402
import vittrack_zoo as zoo  # noqa: E402


class GraphError(Exception):
    """The ONNX graph does not have the structure of vittrack-zoo."""


class _Graph:
    """Producer/consumer index over an ONNX graph, with checked accessors."""

    def __init__(self, model, path):
        self.path = path
        g = model.graph
        self.consts = {t.name: numpy_helper.to_array(t) for t in g.initializer}
        self.float_initializers = {t.name for t in g.initializer
                                   if t.data_type == onnx.TensorProto.FLOAT}
        for node in g.node:
            if node.op_type == "Constant":
                value = next((a.t for a in node.attribute if a.name == "value"), None)
                if value is not None:
                    self.consts[node.output[0]] = numpy_helper.to_array(value)
        self.producer = {}
        self.consumers = defaultdict(list)
        for node in g.node:
            for out in node.output:
                self.producer[out] = node
            for inp in node.input:
                self.consumers[inp].append(node)
        self.inputs = {i.name: [d.dim_value for d in i.type.tensor_type.shape.dim]
                       for i in g.input if i.name not in self.consts}
        self.outputs = [o.name for o in g.output]
        self.used = set()  # constants the walk has consumed

    def fail(self, what):
        raise GraphError(f"{self.path}: {what}")

    def const(self, name, what):
        if name not in self.consts:
            self.fail(f"{what}: tensor '{name}' is not a constant")
        self.used.add(name)
        return self.consts[name]

    def consumer(self, tensor, op_type):
        """The single node of `op_type` that reads `tensor`."""
        found = [n for n in self.consumers[tensor] if n.op_type == op_type]
        if len(found) != 1:
            seen = ", ".join(f"{n.op_type} {n.name}" for n in self.consumers[tensor]) or "nothing"
            self.fail(f"expected one {op_type} reading '{tensor}', found {seen}")
        return found[0]

    def chain(self, tensor, *op_types):
        """Follows single consumers of the given op types; returns the nodes."""
        nodes = []
        for op_type in op_types:
            nodes.append(self.consumer(tensor, op_type))
            tensor = nodes[-1].output[0]
        return nodes

    def const_operand(self, node, what):
        """The constant input of a binary op whose other input is computed."""
        names = [n for n in node.input if n in self.consts]
        if len(node.input) != 2 or len(names) != 1:
            self.fail(f"{what}: {node.op_type} {node.name} should have exactly one constant input")
        return self.const(names[0], what)

    def expect_scalar(self, value, expected, what):
        """Equality after rounding to float32, the precision the graph stores."""
        if value.size != 1 or np.float32(value.reshape(())) != np.float32(expected):
            self.fail(f"{what}: got {value.tolist()}, expected {expected} (as float32)")

    def attr(self, node, name, default=None):
        for a in node.attribute:
            if a.name == name:
                return onnx.helper.get_attribute_value(a)
        return default

    def expect_attr(self, node, name, expected, default=None):
        got = self.attr(node, name, default)
        got = list(got) if isinstance(got, (list, tuple)) else got
        if got != expected:
            self.fail(f"{node.op_type} {node.name}: attribute {name} = {got}, expected {expected}")

    def axes(self, node, what):
        """Axes of ReduceMean/Unsqueeze: an attribute before opset 13/18, an input after."""
        axes = self.attr(node, "axes")
        if axes is None and len(node.input) > 1:
            axes = self.const(node.input[1], what).tolist()
        return list(axes) if axes is not None else None

    def slice_params(self, node, what):
        """(start, end, axis, step) of a one-axis Slice (opset >= 10 form)."""
        if len(node.input) < 4:
            self.fail(f"{what}: Slice {node.name} lacks its axes input (opset < 10?)")
        values = [self.const(name, what) for name in node.input[1:]]
        if any(v.size != 1 for v in values):
            self.fail(f"{what}: Slice {node.name} slices more than one axis")
        start, end, axis = (int(v.reshape(-1)[0]) for v in values[:3])
        step = int(values[3].reshape(-1)[0]) if len(values) > 3 else 1
        return start, end, axis, step


def _conv(g, node, what, kernel, stride, pad):
    g.expect_attr(node, "kernel_shape", [kernel, kernel])
    g.expect_attr(node, "strides", [stride, stride], [1, 1])
    g.expect_attr(node, "pads", [pad] * 4, [0, 0, 0, 0])
    g.expect_attr(node, "group", 1, 1)
    g.expect_attr(node, "dilations", [1, 1], [1, 1])
    if len(node.input) != 3:
        g.fail(f"{what}: Conv {node.name} has no bias (expected BatchNorm folded into a bias)")
    return node.input[1], node.input[2]  # initializer names of weight [out,in,k,k], bias [out]


def _patch_embed(g, image, tokens):
    """Walks conv3x3 s2 (+HardSwish) x3, conv3x3 s2, Reshape, Transpose, Add pos_embed.
    Returns (4 (weight, bias) initializer names, pos_embed [tokens,48], stream tensor)."""
    convs, t = [], image
    for i in range(4):
        conv = g.consumer(t, "Conv")
        convs.append(_conv(g, conv, f"patch_embed.{i} ({image})", 3, 2, 1))
        t = conv.output[0]
        if i < 3:
            t = g.consumer(t, "HardSwish").output[0]
    reshape, transpose, add = g.chain(t, "Reshape", "Transpose", "Add")
    shape = g.const(reshape.input[1], f"patch_embed reshape ({image})").tolist()
    if shape[1:] != [zoo.CHANNELS, -1]:  # [B,48,h,w] -> [B,48,h*w], row-major tokens
        g.fail(f"patch embed of '{image}': Reshape to {shape}, expected [B,48,-1]")
    g.expect_attr(transpose, "perm", [0, 2, 1])  # -> [B,h*w,48]
    pos = g.const_operand(add, f"pos_embed ({image})")
    if pos.shape[-2:] != (tokens, zoo.CHANNELS) or pos.size != tokens * zoo.CHANNELS:
        g.fail(f"position embedding of '{image}': shape {list(pos.shape)}, expected "
               f"[1,{tokens},{zoo.CHANNELS}]")
    return convs, pos.reshape(tokens, zoo.CHANNELS), add.output[0]


def _layer_norm(g, t, what):
    """ReduceMean, Sub, Pow 2, ReduceMean, Add eps, Sqrt, Div, Mul weight, Add bias
    over the last axis. Returns (weight, bias, output tensor)."""
    mean = g.consumer(t, "ReduceMean")
    sub = g.consumer(mean.output[0], "Sub")
    if list(sub.input) != [t, mean.output[0]]:
        g.fail(f"{what}: Sub {sub.name} is not x - mean(x)")
    pow_, var, add_eps, sqrt, div = g.chain(sub.output[0], "Pow", "ReduceMean", "Add", "Sqrt",
                                            "Div")
    for node in (mean, var):
        if g.axes(node, what) not in ([-1], [2]):
            g.fail(f"{what}: {node.op_type} {node.name} reduces axes {g.axes(node, what)}, "
                   "expected the channel axis")
        g.expect_attr(node, "keepdims", 1, 1)
    exponent = g.const_operand(pow_, f"{what} Pow")
    g.expect_scalar(exponent, 2.0, f"{what}: Pow exponent")
    eps = g.const_operand(add_eps, f"{what} eps")
    g.expect_scalar(eps, zoo.LN_EPS, f"{what}: LayerNorm eps")
    if list(div.input) != [sub.output[0], sqrt.output[0]]:
        g.fail(f"{what}: Div {div.name} is not (x - mean) / sqrt(var + eps)")
    mul, add = g.chain(div.output[0], "Mul", "Add")
    weight = g.const_operand(mul, f"{what} weight")
    bias = g.const_operand(add, f"{what} bias")
    return weight, bias, add.output[0]


def _linear(g, t, what):
    """MatMul by a constant [in,out], Add bias. Returns (weight [out,in], bias, output)."""
    mm = g.consumer(t, "MatMul")
    if mm.input[0] != t or mm.input[1] not in g.consts:
        g.fail(f"{what}: MatMul {mm.name} is not x @ W with a constant W")
    add = g.consumer(mm.output[0], "Add")
    bias = g.const_operand(add, f"{what} bias")
    weight = g.const(mm.input[1], what).T  # ONNX x @ W stores [in,out]; PyTorch wants [out,in]
    return weight, bias, add.output[0]


def _residual(g, branch_out, stream, what):
    add = g.consumer(branch_out, "Add")
    if sorted(add.input) != sorted([branch_out, stream]):
        g.fail(f"{what}: Add {add.name} is not the residual x + f(x)")
    return add.output[0]


def _attention(g, t, what):
    """Single-head attention as exported from nn.MultiheadAttention (sequence-first):
    Transpose, qkv Linear, three Slices q|k|v, q / sqrt(48), q @ k^T, Softmax, @ v,
    Transpose, Reshape, proj Linear. Returns (qkv w, qkv b, proj w, proj b, output)."""
    tp = g.consumer(t, "Transpose")
    g.expect_attr(tp, "perm", [1, 0, 2])  # [1,320,48] -> [320,1,48]
    qkv_w, qkv_b, qkv = _linear(g, tp.output[0], f"{what}.qkv")
    slices = [n for n in g.consumers[qkv] if n.op_type == "Slice"]
    if len(slices) != 3 or len(g.consumers[qkv]) != 3:
        g.fail(f"{what}: expected the qkv output to be split by three Slices")
    params = {n.name: g.slice_params(n, f"{what} q/k/v split") for n in slices}
    slices.sort(key=lambda n: params[n.name][0])
    c = zoo.CHANNELS
    for node, (lo, hi) in zip(slices, ((0, c), (c, 2 * c), (2 * c, 3 * c))):
        start, end, axis, step = params[node.name]
        if start != lo or min(end, 3 * c) != hi or axis not in (-1, 2) or step != 1:
            g.fail(f"{what}: Slice {node.name} takes [{start}:{end}] of axis {axis}, expected "
                   f"[{lo}:{hi}] of the last axis (q, k, v rows of qkv)")
    q, k, v = (n.output[0] for n in slices)

    q_t, div = g.chain(q, "Transpose", "Div")
    g.expect_attr(q_t, "perm", [1, 0, 2])
    scale = g.const_operand(div, f"{what} scale")
    g.expect_scalar(scale, math.sqrt(c), f"{what}: attention scale divisor (sqrt(head dim))")
    scores, softmax, context = g.chain(div.output[0], "MatMul", "Softmax", "MatMul")
    k_t = g.producer.get(scores.input[1])
    if k_t is None or k_t.op_type != "Transpose" or k_t.input[0] != k:
        g.fail(f"{what}: MatMul {scores.name} is not q @ k^T")
    g.expect_attr(k_t, "perm", [1, 2, 0])
    if g.attr(softmax, "axis", -1) not in (-1, 2):
        g.fail(f"{what}: Softmax {softmax.name} is not over the keys (last axis)")
    v_t = g.producer.get(context.input[1])
    if v_t is None or v_t.op_type != "Transpose" or v_t.input[0] != v:
        g.fail(f"{what}: MatMul {context.name} is not softmax @ v")
    g.expect_attr(v_t, "perm", [1, 0, 2])
    tp_back, reshape = g.chain(context.output[0], "Transpose", "Reshape")
    g.expect_attr(tp_back, "perm", [1, 0, 2])
    g.const(reshape.input[1], f"{what} reshape")
    proj_w, proj_b, out = _linear(g, reshape.output[0], f"{what}.proj")
    return qkv_w, qkv_b, proj_w, proj_b, out


def _mlp(g, t, what):
    """fc1, exact GELU spelled x * (erf(x / sqrt 2) + 1) * 0.5, fc2."""
    fc1_w, fc1_b, h = _linear(g, t, f"{what}.fc1")
    div, erf, add, mul, half = g.chain(h, "Div", "Erf", "Add", "Mul", "Mul")
    for node, value, name in ((div, math.sqrt(2.0), "x / sqrt(2)"), (add, 1.0, "erf + 1"),
                              (half, 0.5, "* 0.5")):
        const = g.const_operand(node, f"{what} GELU")
        g.expect_scalar(const, value, f"{what}: GELU constant of {name}")
    if sorted(mul.input) != sorted([h, add.output[0]]):
        g.fail(f"{what}: Mul {mul.name} is not x * (erf(x / sqrt 2) + 1) (exact GELU)")
    fc2_w, fc2_b, out = _linear(g, half.output[0], f"{what}.fc2")
    return fc1_w, fc1_b, fc2_w, fc2_b, out


def _search_feature(g, t):
    """The last 256 tokens as [B,48,16,16]: Slice [-256:] of axis 1, Unsqueeze -1
    ([B,256,48,1]), Transpose (0,3,2,1) ([B,1,48,256]), Reshape [-1,48,16,16];
    so feature[c,y,x] = token[64 + 16*y + x][c], as the reference reshapes it."""
    slice_, unsq, tp, reshape = g.chain(t, "Slice", "Unsqueeze", "Transpose", "Reshape")
    start, end, axis, step = g.slice_params(slice_, "head input")
    first = zoo.TEMPLATE_TOKENS
    total = zoo.TEMPLATE_TOKENS + zoo.SEARCH_TOKENS
    if start not in (first, first - total) or end < total or axis != 1 or step != 1:
        g.fail(f"head input: Slice {slice_.name} takes [{start}:{end}] of axis {axis}, expected "
               f"the last {zoo.SEARCH_TOKENS} tokens")
    if g.axes(unsq, "head input") not in ([-1], [3]):
        g.fail(f"head input: Unsqueeze {unsq.name} axes {g.axes(unsq, 'head input')}, expected -1")
    g.expect_attr(tp, "perm", [0, 3, 2, 1])
    shape = g.const(reshape.input[1], "head input reshape").tolist()
    grid = zoo.SEARCH_GRID
    if shape[1:] != [zoo.CHANNELS, grid, grid]:
        g.fail(f"head input: Reshape to {shape}, expected [-1,{zoo.CHANNELS},{grid},{grid}]")
    return reshape.output[0]


def _head(g, feature):
    """Three branches of 4 x (conv3x3 p1, ReLU) and a conv1x1, named by the conv5_*
    initializer each ends in. Returns (branch -> 5 (weight, bias) names,
    branch -> graph output it produces)."""
    branches, outputs = {}, {}
    for conv in [n for n in g.consumers[feature] if n.op_type == "Conv"]:
        convs, t = [], feature
        for i in range(4):
            node = conv if i == 0 else g.consumer(t, "Conv")
            convs.append(_conv(g, node, f"head conv{i + 1}", 3, 1, 1))
            t = g.consumer(node.output[0], "Relu").output[0]
        last = g.consumer(t, "Conv")
        convs.append(_conv(g, last, "head conv5", 1, 1, 0))
        m = re.fullmatch(r"box_head\.conv5_(\w+)\.weight", last.input[1])
        if m is None or m.group(1) not in zoo.HEAD_BRANCHES:
            g.fail(f"head: branch ending in Conv {last.name} has weight '{last.input[1]}', "
                   f"expected box_head.conv5_{{{','.join(zoo.HEAD_BRANCHES)}}}.weight")
        branch = m.group(1)
        if branch in branches:
            g.fail(f"head: two branches end in conv5_{branch}")
        out = last.output[0]
        if branch in ("ctr", "size"):  # sigmoid, clip to [1e-4, 1 - 1e-4]
            sigmoid, clip = g.chain(out, "Sigmoid", "Clip")
            if len(clip.input) != 3:
                g.fail(f"head {branch}: Clip {clip.name} without min/max inputs (opset < 11?)")
            lo = g.const(clip.input[1], f"head {branch} clip")
            hi = g.const(clip.input[2], f"head {branch} clip")
            g.expect_scalar(lo, zoo.SCORE_CLIP, f"head {branch}: clip min")
            g.expect_scalar(hi, 1 - zoo.SCORE_CLIP, f"head {branch}: clip max")
            out = clip.output[0]
        if out not in g.outputs or g.consumers[out]:
            g.fail(f"head {branch}: '{out}' should be a graph output and nothing else")
        branches[branch], outputs[branch] = convs, out
    if sorted(branches) != sorted(zoo.HEAD_BRANCHES):
        g.fail(f"head: found branches {sorted(branches)}, expected {list(zoo.HEAD_BRANCHES)}")
    return branches, outputs


def onnx_to_state_dict(onnx_path):
    """Maps the ONNX graph's initializers to the reference's state_dict names.
    Returns an ordered dict name -> float32 ndarray (PyTorch layouts)."""
    try:
        model = onnx.load(onnx_path)
    except OSError as e:
        raise GraphError(f"{onnx_path}: cannot read the ONNX model: {e.strerror}") from e
    except DecodeError as e:
        raise GraphError(f"{onnx_path}: not an ONNX model: {e}") from e
    g = _Graph(model, onnx_path)
    expected_inputs = {"template": [1, 3, zoo.TEMPLATE_SIZE, zoo.TEMPLATE_SIZE],
                       "search": [1, 3, zoo.SEARCH_SIZE, zoo.SEARCH_SIZE]}
    if sorted(g.inputs) != sorted(expected_inputs):
        g.fail(f"graph inputs {sorted(g.inputs)}, expected {sorted(expected_inputs)}")
    for name, shape in expected_inputs.items():
        if g.inputs[name] not in (shape, [0, *shape[1:]]):  # 0: a symbolic batch
            g.fail(f"input '{name}': shape {g.inputs[name]}, expected {shape}")

    state = {}
    put = state.__setitem__

    convs_z, pos_z, tz = _patch_embed(g, "template", zoo.TEMPLATE_TOKENS)
    convs_x, pos_x, tx = _patch_embed(g, "search", zoo.SEARCH_TOKENS)
    if convs_z != convs_x:  # the patch embed is shared by template and search
        for (wz, bz), (wx, bx) in zip(convs_z, convs_x):
            if not (np.array_equal(g.consts[wz], g.consts[wx])
                    and np.array_equal(g.consts[bz], g.consts[bx])):
                g.fail(f"template and search patch embeds differ ('{wz}' vs '{wx}')")
    for i, (w, b) in enumerate(convs_z):
        put(f"patch_embed.{i}.weight", g.const(w, "patch_embed"))
        put(f"patch_embed.{i}.bias", g.const(b, "patch_embed"))
    put("pos_embed_z", pos_z)
    put("pos_embed_x", pos_x)
    concat = g.consumer(tz, "Concat")
    if list(concat.input) != [tz, tx] or g.attr(concat, "axis") != 1:
        g.fail(f"Concat {concat.name} is not [template; search] along the token axis")

    t = concat.output[0]  # the token stream [1,320,48]
    for i in range(zoo.DEPTH):
        p = f"blocks.{i}"
        w, b, h = _layer_norm(g, t, f"{p}.norm1")
        put(f"{p}.norm1.weight", w)
        put(f"{p}.norm1.bias", b)
        qkv_w, qkv_b, proj_w, proj_b, h = _attention(g, h, f"{p}.attn")
        put(f"{p}.attn.qkv.weight", qkv_w)
        put(f"{p}.attn.qkv.bias", qkv_b)
        put(f"{p}.attn.proj.weight", proj_w)
        put(f"{p}.attn.proj.bias", proj_b)
        t = _residual(g, h, t, f"{p}.attn")
        w, b, h = _layer_norm(g, t, f"{p}.norm2")
        put(f"{p}.norm2.weight", w)
        put(f"{p}.norm2.bias", b)
        fc1_w, fc1_b, fc2_w, fc2_b, h = _mlp(g, h, f"{p}.mlp")
        put(f"{p}.mlp.fc1.weight", fc1_w)
        put(f"{p}.mlp.fc1.bias", fc1_b)
        put(f"{p}.mlp.fc2.weight", fc2_w)
        put(f"{p}.mlp.fc2.bias", fc2_b)
        t = _residual(g, h, t, f"{p}.mlp")
    w, b, t = _layer_norm(g, t, "norm")
    put("norm.weight", w)
    put("norm.bias", b)

    branches, outputs = _head(g, _search_feature(g, t))
    for branch, convs in branches.items():
        for i, (w, b) in enumerate(convs):
            put(f"box_head.conv{i + 1}_{branch}.weight", g.const(w, "box_head"))
            put(f"box_head.conv{i + 1}_{branch}.bias", g.const(b, "box_head"))
    # The declared output order is score, size, offset (models/README.md); the
    # goldens' o1/o2/o3 depend on it.
    if g.outputs != [outputs["ctr"], outputs["size"], outputs["offset"]]:
        g.fail(f"graph outputs {g.outputs}, expected [score, size, offset] = "
               f"{[outputs['ctr'], outputs['size'], outputs['offset']]}")

    unmapped = sorted(g.float_initializers - g.used)
    if unmapped:
        g.fail(f"float initializers not accounted for by the walk: {unmapped}")
    order = zoo.VitTrackZoo().state_dict().keys()
    return OrderedDict((name, np.asarray(state[name], dtype=np.float32)) for name in order)


def model_from_onnx(onnx_path):
    """The reference VitTrackZoo carrying the ONNX file's weights (float32, eval mode)."""
    return zoo.model_from_state(onnx_to_state_dict(onnx_path), onnx_path)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Export the OpenCV Zoo VitTrack ONNX model to a vittrack-zoo weight blob.")
    parser.add_argument("--onnx", required=True, help="object_tracking_vittrack_2023sep.onnx")
    parser.add_argument("--out", required=True, help="output blob path (.etb)")
    args = parser.parse_args(argv)
    try:
        model = model_from_onnx(args.onnx)
        tensors = [(name, t.numpy()) for name, t in model.state_dict().items()]
        size = blobfile.write_blob(args.out, zoo.blob_config(), tensors)
    except (GraphError, blobfile.BlobError, ValueError, OSError) as e:
        print(f"export_onnx: error: {e}", file=sys.stderr)
        return 1
    print(f"export_onnx: {os.path.basename(args.onnx)} -> {args.out}: vittrack-zoo, "
          f"{len(tensors)} tensors, {zoo.count_parameters(model)} parameters, {size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
