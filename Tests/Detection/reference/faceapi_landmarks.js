// An independent landmark source for the detector's five points: face-api's SSD MobileNet detector and 68-point
// landmark net (@vladmandic/face-api, its own models, TensorFlow.js CPU backend), reduced to the same five points:
// eye centres (mean of points 36–41 and 42–47), nose tip (30), mouth corners (48, 54).
//   node faceapi_landmarks.js IMAGE.rgb WIDTH HEIGHT OUT.json
// IMAGE.rgb: the photo's pixels, 8-bit RGB, row by row. Writes {"faces": [{"box": [x, y, w, h], "score", "points": [[x, y] × 5]}]}.
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');

(async () => {
  const [rgbPath, width, height, outPath] = process.argv.slice(2);
  await tf.setBackend('cpu');
  await tf.ready();
  const models = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(models);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(models);
  const pixels = fs.readFileSync(rgbPath);
  const image = tf.tensor3d(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength), [+height, +width, 3], 'int32');
  const found = await faceapi.detectAllFaces(image, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.3 })).withFaceLandmarks();
  const mean = (pts, from, to) => { let x = 0, y = 0; for (let i = from; i <= to; i++) { x += pts[i].x; y += pts[i].y; } const n = to - from + 1; return [x / n, y / n]; };
  const faces = found.map(f => {
    const p = f.landmarks.positions;
    const b = f.detection.box;
    return { box: [b.x, b.y, b.width, b.height], score: f.detection.score, points: [mean(p, 36, 41), mean(p, 42, 47), [p[30].x, p[30].y], [p[48].x, p[48].y], [p[54].x, p[54].y]] };
  });
  fs.writeFileSync(outPath, JSON.stringify({ faces }));
})().catch(e => { console.error(e && e.stack || String(e)); process.exit(1); });
