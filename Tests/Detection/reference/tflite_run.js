// Runs a .tflite model with TensorFlow Lite's own kernels (the WebAssembly build of TFLite in the npm package
// @tensorflow/tfjs-tflite, XNNPACK delegate, one thread) on float32 inputs: an independent runtime of the same file the
// project converts to ONNX (Tests/Detection/ConvertedModelTests.cs).
//   node tflite_run.js MODEL.tflite INPUT.bin OUT_PREFIX
// INPUT.bin holds the model's one input (float32, the model's NHWC shape, batch 1). Writes OUT_PREFIX.json
// ({"outputs": [{"name", "shape", "file"}]}) and one raw float32 file per output, in the model's output order.
const fs = require('fs');
const path = require('path');

function vector(v) { const a = []; for (let i = 0; i < v.size(); i++) a.push(v.get(i)); v.delete(); return a; }

(async () => {
  const [modelPath, inputPath, outPrefix] = process.argv.slice(2);
  const script = require.resolve('@tensorflow/tfjs-tflite/wasm/tflite_web_api_cc_simd.js');
  const factory = require(script);
  const module = await factory({ wasmBinary: fs.readFileSync(script.replace(/\.js$/, '.wasm')), print: () => {}, printErr: () => {} });
  const model = fs.readFileSync(modelPath);
  const at = module._malloc(model.length);
  module.HEAPU8.set(model, at);
  const status = module.TFLiteWebModelRunner.CreateFromBufferAndOptions(at, model.length, { numThreads: 1, enableProfiling: false, maxProfilingBufferEntries: 1 });
  if (!status.ok()) throw new Error(status.errorMessage());
  const runner = status.value();
  const inputs = vector(runner.GetInputs());
  if (inputs.length !== 1) throw new Error(`${inputs.length} inputs`);
  const raw = fs.readFileSync(inputPath);
  const values = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const target = inputs[0].data();
  if (target.length !== values.length) throw new Error(`input holds ${target.length} values, the file ${values.length}`);
  target.set(values);
  if (!runner.Infer()) throw new Error('Infer failed');
  const listed = vector(runner.GetOutputs()).map((o, i) => {
    const data = o.data();
    const file = `${outPrefix}.${i}.bin`;
    fs.writeFileSync(file, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    return { name: o.name, shape: String(o.shape).split(',').map(Number), file };
  });
  fs.writeFileSync(`${outPrefix}.json`, JSON.stringify({ outputs: listed }));
})().catch(e => { console.error(e && e.stack || String(e)); process.exit(1); });
