// Times one ONNX model in ONNX Runtime (onnxruntime-node), one thread, all
// graph optimisations, as spec/bench.md prescribes. Prints one JSON line.
//   node ort_bench.mjs MODEL.onnx --runs N [--warmup W]
// Inputs: every float input gets seeded pseudo-random values of the shape the
// model declares (batch 1).
import * as ort from 'onnxruntime-node';

function usage(message) {
  if (message) console.error(`ort_bench: ${message}`);
  console.error('usage: node ort_bench.mjs MODEL.onnx --runs N [--warmup W]');
  process.exit(2);
}

const args = process.argv.slice(2);
if (args.length < 1 || args[0].startsWith('--')) usage('missing MODEL.onnx');
const modelPath = args[0];
let runs = 50, warmup = 5;
for (let i = 1; i < args.length; i += 2) {
  const value = Number(args[i + 1]);
  if (!Number.isInteger(value) || value < 1) usage(`${args[i]}: got '${args[i + 1]}', expected a positive integer`);
  if (args[i] === '--runs') runs = value;
  else if (args[i] === '--warmup') warmup = value;
  else usage(`unknown option '${args[i]}'`);
}

const session = await ort.InferenceSession.create(modelPath, {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
});

let state = 12345;
function random() {  // xorshift32: repeatable inputs without a dependency
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return state / 4294967296 - 0.5;
}

const feeds = {};
for (const name of session.inputNames) {
  const meta = session.inputMetadata?.find?.((m) => m.name === name);
  const shape = meta?.shape?.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
  if (!shape) throw new Error(`${modelPath}: input ${name}: no static shape in the model`);
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; ++i) data[i] = random();
  feeds[name] = new ort.Tensor('float32', data, shape);
}

for (let i = 0; i < warmup; ++i) await session.run(feeds);
// Wall time, and the process's CPU time (user + system), which leaves out
// the slices other processes take from the core on a shared machine.
const times = [], cpuTimes = [];
for (let i = 0; i < runs; ++i) {
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  await session.run(feeds);
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
  const cpu = process.cpuUsage(cpuStart);
  cpuTimes.push((cpu.user + cpu.system) / 1e3);
}
times.sort((a, b) => a - b);
cpuTimes.sort((a, b) => a - b);
const median = (v) => v[Math.floor(v.length / 2)];
console.log(JSON.stringify({
  system: 'onnxruntime', version: ort.env.versions?.common ?? 'unknown', model: modelPath, runs,
  min_ms: times[0], median_ms: median(times), max_ms: times[times.length - 1],
  cpu_min_ms: cpuTimes[0], cpu_median_ms: median(cpuTimes),
}));
