using System.Diagnostics;
using SphereFace.Detection.ModelBuild;

namespace SphereFace.Tests.Support;

/// <summary>
/// The Node.js references the detection tests compare with, installed once with npm into the cache
/// (~/.cache/sphereface/node-reference-1, pinned versions): TensorFlow Lite's own kernels (the WebAssembly build in
/// @tensorflow/tfjs-tflite) running the very .tflite files the project converts, and face-api's independent detector
/// and 68-point landmark net (@vladmandic/face-api on TensorFlow.js's CPU backend). The scripts are
/// Tests/Detection/reference/*.js.
/// </summary>
internal static class NodeReference
{
    private static readonly string[] Packages =
        ["@tensorflow/tfjs@4.22.0", "@tensorflow/tfjs-backend-wasm@4.22.0", "@tensorflow/tfjs-tflite@0.0.1-alpha.10", "@vladmandic/face-api@1.7.15"];

    private static readonly Lazy<string> s_folder = new(Install);

    /// <summary>Runs <c>node SCRIPT args…</c> (a script of Tests/Detection/reference) in the reference folder.</summary>
    public static void Run(string script, params string[] args)
    {
        string folder = s_folder.Value;
        File.Copy(Path.Combine(AppContext.BaseDirectory, "reference", script), Path.Combine(folder, script), overwrite: true);
        NpmTarball.Run("node", [script, .. args], folder);
    }

    private static string Install()
    {
        string folder = Path.Combine(Models.IO.CacheFolder.Root, "node-reference-1");
        string done = Path.Combine(folder, ".installed");
        if (File.Exists(done)) return folder;
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "package.json"), """{ "name": "sphereface-node-reference", "private": true }""");
        // tfjs-tflite's alpha declares an older tfjs core as its peer: its WebAssembly runtime does not use it.
        NpmTarball.Run("npm", ["install", "--no-audit", "--no-fund", "--legacy-peer-deps", "--silent", .. Packages], folder);
        File.WriteAllText(done, string.Join("\n", Packages));
        return folder;
    }
}
