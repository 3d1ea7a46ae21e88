using SphereFace.Detection.ModelBuild;
using SphereFace.Graphs.Import.TfLite;
using SphereFace.Models.IO;
using SphereFace.Models.Onnx;

// Builds the face detector's ONNX models (run by the Detection project's build; docs/detection.md):
//   dotnet SphereFace.Detection.ModelBuild.dll --out DIR [--cache DIR]
// For each pinned MediaPipe model: the npm tarball (fetched once into the cache, sha256-checked), the .tflite file in
// it (sha256-checked), converted by the project's TFLite importer into DIR/<name>.onnx with its origin in the metadata.
string? output = null;
string cache = NpmTarball.DefaultCache;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--out" && i + 1 < args.Length) output = args[++i];
    else if (args[i] == "--cache" && i + 1 < args.Length) cache = args[++i];
    else
    {
        Console.Error.WriteLine($"unknown argument '{args[i]}'; usage: --out DIR [--cache DIR]");
        return 2;
    }
}
if (output is null)
{
    Console.Error.WriteLine("usage: --out DIR [--cache DIR]");
    return 2;
}
try
{
    Directory.CreateDirectory(output);
    foreach (var model in PinnedModel.All)
    {
        byte[] tflite = model.ReadTfLite(cache);
        string digest = model.FileSha256;
        var onnx = TfLiteToOnnx.Convert(tflite, $"{model.Package}@{model.Version}/{model.Entry}", new TfLiteImportOptions(model.InputName, model.OutputNames,
            Path.GetFileNameWithoutExtension(model.OnnxFile), new Dictionary<string, string>
            {
                ["sphereface.origin"] = $"{model.Package}@{model.Version} {model.Entry}" + (model.End < 0 ? "" : $" bytes {model.Start}–{model.End}"),
                ["sphereface.origin_sha256"] = model.FileSha256,
                ["sphereface.license"] = "Apache-2.0 (the MediaPipe authors)",
                ["sphereface.description"] = model.Description,
            }));
        string path = Path.Combine(output, model.OnnxFile);
        ModelFile.Save(onnx, path);
        Console.WriteLine($"{model.Package}@{model.Version} {model.Entry} ({tflite.Length:N0} bytes, sha256 {digest[..12]}…) → {path}");
    }
    return 0;
}
catch (Exception e) when (e is InvalidOperationException or InvalidDataException or NotSupportedException or IOException)
{
    Console.Error.WriteLine($"detection models: {e.Message}");
    return 1;
}
