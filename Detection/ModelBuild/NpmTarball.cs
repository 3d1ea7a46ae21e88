using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace SphereFace.Detection.ModelBuild;

/// <summary>
/// An npm package tarball fetched with <c>npm pack NAME@VERSION</c> into a cache folder on first use, checked against
/// its pinned sha256 every time, and read without unpacking to disk.
/// </summary>
public static class NpmTarball
{
    /// <summary>The tarball cache: npm/ under <see cref="Models.IO.CacheFolder.Root"/>.</summary>
    public static string DefaultCache => Path.Combine(Models.IO.CacheFolder.Root, "npm");

    /// <summary>The tarball of <paramref name="model"/>'s package in <paramref name="cache"/>, fetched when missing.</summary>
    /// <exception cref="InvalidOperationException">npm is missing or failed, or the tarball's digest differs from the pin.</exception>
    public static string Ensure(PinnedModel model, string cache) => Ensure(model.Package, model.Version, model.TarballSha256, cache);

    /// <summary>The tarball of <paramref name="package"/>@<paramref name="version"/> in <paramref name="cache"/>, fetched when missing and checked against <paramref name="sha256"/>.</summary>
    /// <exception cref="InvalidOperationException">npm is missing or failed, or the tarball's digest differs from the pin.</exception>
    public static string Ensure(string package, string version, string sha256, string cache)
    {
        Directory.CreateDirectory(cache);
        string path = Path.Combine(cache, $"{package.TrimStart('@').Replace('/', '-')}-{version}.tgz");
        // Concurrent builds (or tests) may fetch the same package: each packs into its own folder and moves the file in.
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"fetching {package}@{version} with npm pack into {cache}");
            string scratch = Directory.CreateTempSubdirectory("sphereface-npm-").FullName;
            try
            {
                Run("npm", ["pack", $"{package}@{version}", "--pack-destination", scratch, "--silent"], scratch);
                string packed = Path.Combine(scratch, Path.GetFileName(path));
                if (!File.Exists(packed)) throw new InvalidOperationException($"npm pack {package}@{version} did not write {Path.GetFileName(path)}.");
                File.Move(packed, path, overwrite: true);
            }
            finally
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
        string digest = Sha256(File.ReadAllBytes(path));
        if (digest != sha256)
        {
            File.Delete(path);
            throw new InvalidOperationException($"{path}: sha256 {digest}, expected {sha256} (removed; the next run fetches it again).");
        }
        return path;
    }

    /// <summary>The bytes of <paramref name="entry"/> in the gzipped tarball at <paramref name="tarball"/>.</summary>
    /// <exception cref="InvalidDataException">The entry is missing.</exception>
    public static byte[] Read(string tarball, string entry)
    {
        using var file = File.OpenRead(tarball);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        while (reader.GetNextEntry() is { } e)
        {
            if (e.Name != entry || e.DataStream is null) continue;
            using var copy = new MemoryStream();
            e.DataStream.CopyTo(copy);
            return copy.ToArray();
        }
        throw new InvalidDataException($"{tarball}: no entry '{entry}'.");
    }

    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Runs a program in <paramref name="folder"/>; a failure is an exception with its stderr.</summary>
    public static void Run(string program, string[] args, string folder)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = folder, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{program} is needed to fetch the face models (Debian: apt-get install npm): {e.Message}", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(" ", args)} failed ({process.ExitCode}): {stderr.Result.Trim()}");
        }
    }
}
