namespace SphereFace.Detection.ModelBuild;

/// <summary>
/// A published TFLite model the detector is converted from: the npm package that carries it (name, version and the
/// tarball's sha256), where the file sits in the package (a path, and for a packed asset the byte range), the file's
/// own sha256, and the ONNX file and output names it is converted to.
/// </summary>
public sealed record PinnedModel(string Package, string Version, string TarballSha256, string Entry, long Start, long End, string FileSha256,
    string OnnxFile, string InputName, string[] OutputNames, string Description)
{
    /// <summary>
    /// MediaPipe's BlazeFace full-range detector (Apache-2.0): 192×192 RGB in [−1, 1] → 2304 anchors × 16 regressors
    /// and a score logit each.
    /// </summary>
    public static PinnedModel FaceDetection { get; } = new("@mediapipe/face_detection", "0.4.1657300184",
        "a118cde74923dc4435257fbfbb613464a0f58d115dff6314d4ff96c8aebf6419", "package/face_detection_full_range.tflite", 0, -1,
        "99bf9494d84f50acc6617d89873f71bf6635a841ea699c17cb3377f9507cfec3", "face_detection_full_range.onnx", "image",
        ["regressors", "scores"], "MediaPipe face detection, full range (BlazeFace)");

    /// <summary>
    /// MediaPipe's face landmark model (Face Mesh, Apache-2.0), packed in the package's asset bundle at the byte range its
    /// loader script gives: a 192×192 face crop, RGB in [0, 1] → 468 landmarks (x, y, z in crop pixels) and a
    /// face-presence logit.
    /// </summary>
    public static PinnedModel FaceLandmarks { get; } = new("@mediapipe/face_mesh", "0.4.1657299874",
        "c08a7e0742a326285da666cf81d77c8b6f3a181a2ee948cadaf166008e0d3bc7", "package/face_mesh_solution_packed_assets.data", 2495952, 3737848,
        "c603fa6149219a3e9487dc9abd7a0c24474c77263273d24868378cdf40aa26d1", "face_landmark.onnx", "image",
        ["landmarks", "presence"], "MediaPipe face landmarks (Face Mesh, 468 points)");

    public static IReadOnlyList<PinnedModel> All { get; } = [FaceDetection, FaceLandmarks];

    /// <summary>The .tflite file: read from the (fetched, checked) package tarball in <paramref name="cache"/> and checked against its pin.</summary>
    /// <exception cref="InvalidDataException">The file's digest differs from the pin.</exception>
    public byte[] ReadTfLite(string cache)
    {
        byte[] entry = NpmTarball.Read(NpmTarball.Ensure(this, cache), Entry);
        byte[] tflite = End < 0 ? entry : entry[(int)Start..(int)End];
        string digest = NpmTarball.Sha256(tflite);
        if (digest != FileSha256) throw new InvalidDataException($"{Package}@{Version} {Entry}: the model's sha256 is {digest}, expected {FileSha256}.");
        return tflite;
    }
}
