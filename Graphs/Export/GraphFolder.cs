using SphereFace.Graphs.IO;
using SphereFace.Graphs.Onnx;

namespace SphereFace.Graphs.Export;

/// <summary>A folder of graphs written by <c>build-graph</c>: each model file plus <c>manifest.json</c>.</summary>
public static class GraphFolder
{
    /// <summary>
    /// Writes every graph and then the manifest into <paramref name="folder"/>. Everything is built in memory
    /// before this is called; each file is written atomically, so a failure leaves no partial file behind.
    /// </summary>
    public static void Write(string folder, Manifest manifest, IReadOnlyList<(string Role, string File, ModelProto Model)> graphs)
    {
        EnsureWritable(folder);
        foreach (var (role, file, model) in graphs)
        {
            ModelFile.Save(model, Path.Combine(folder, file));
            manifest.Files[role] = file;
        }
        manifest.Save(folder);
    }

    /// <summary>Creates <paramref name="folder"/> if needed and checks a file can be created in it; throws a clear error otherwise.</summary>
    public static void EnsureWritable(string folder)
    {
        if (File.Exists(folder)) throw new IOException($"Output folder '{folder}' is an existing file.");
        try
        {
            Directory.CreateDirectory(folder);
            string probe = Path.Combine(folder, $".write-probe-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new IOException($"Output folder '{folder}' is not writable: {e.Message}", e);
        }
    }
}
