using System.Security.Cryptography;
using System.Text;
using OpenCvSharp;
using SphereFace.Alignment;
using SphereFace.Alignment.Formats;
using SphereFace.Cli.Commands;
using SphereFace.Detection;
using SphereFace.Detection.Photos;
using SphereFace.Models.IO;

namespace SphereFace.Cli.Inputs;

/// <summary>
/// The landmarks of photos given without a landmark list (embed, eval, quantize; docs/detection.md): the most
/// prominent face of each photo found by the detector once and cached — faces.json, the landmark list and the photos
/// without a face — in ~/.cache/sphereface/detections/&lt;fingerprint&gt;/, keyed by the photos' paths, sizes and
/// modification times, so a second run over the same data reads the cache. Aligned faces (the model's 112×96 or 112×112
/// input size) need no landmarks and are left as they are.
/// </summary>
internal static class DetectedLandmarks
{
    /// <summary>What detection gave: the landmark list, and the photos in which no face was found (relative paths).</summary>
    public sealed record Result(string LandmarkList, IReadOnlyList<string> WithoutFace, string CacheFolder)
    {
        /// <summary>Why photos could not be read (one line each, naming the file), among <see cref="WithoutFace"/>.</summary>
        public IReadOnlyList<string> Unreadable { get; init; } = [];
    }

    /// <summary>
    /// Null when <paramref name="data"/> (an image folder DIR/&lt;identity&gt;/&lt;image&gt;) holds aligned faces; else the
    /// detected landmarks of its photos (a line on stdout says where they come from and lists photos without a face).
    /// </summary>
    public static Result? For(string data)
    {
        if (!Directory.Exists(data)) return null; // list files keep their own landmark handling
        var photos = PhotoFolder.List(data);
        if (!NeedsDetection(photos)) return null;
        string cache = Path.Combine(CacheFolder.Root, "detections", Fingerprint(data, photos));
        string list = Path.Combine(cache, "landmarks.txt"), none = Path.Combine(cache, "no-face.txt"), faces = Path.Combine(cache, "faces.json");
        string unreadableFile = Path.Combine(cache, "unreadable.txt");
        if (File.Exists(list) && File.Exists(none) && File.Exists(unreadableFile))
        {
            var cached = File.ReadAllLines(none).Where(l => l.Length > 0).ToList();
            var cachedUnreadable = File.ReadAllLines(unreadableFile).Where(l => l.Length > 0).ToList();
            Console.WriteLine($"landmarks of {photos.Count} photos under '{data}': detected earlier, cached in {cache}{Missing(cached)}");
            return Usable(new Result(list, cached, cache) { Unreadable = cachedUnreadable }, data, photos.Count);
        }
        Console.WriteLine($"no --landmarks: finding the faces of {photos.Count} photos under '{data}' (cached in {cache})");
        using var detector = new FaceDetector();
        var results = DetectCommand.Detect(detector, photos, null);
        Directory.CreateDirectory(cache);
        new FacesFile(results).Save(faces);
        var withoutFace = results.Where(r => r.Faces.Count == 0).Select(r => r.Path).ToList();
        LandmarkListFile.Write(list, results.Where(r => r.Faces.Count > 0)
            .Select(r => new LandmarkEntry(r.Path, r.Faces.MaxBy(f => f.Box[2] * f.Box[3])!.Landmarks.Select(l => new Point2f(l[0], l[1])).ToArray())));
        // A photo the reader refused (corrupt, truncated, above the pixel limit) is left out with its reason, not
        // reported as a photo without a face.
        var unreadable = results.Where(r => r.Error is not null).Select(r => r.Error!.TrimEnd('.')).ToList();
        AtomicFile.WriteAllText(unreadableFile, string.Concat(unreadable.Select(u => u.Replace('\n', ' ') + "\n")));
        AtomicFile.WriteAllText(none, string.Concat(withoutFace.Select(p => p + "\n")));
        var faceless = results.Where(r => r.Faces.Count == 0 && r.Error is null).Select(r => r.Path).ToList();
        Console.WriteLine($"faces found in {photos.Count - withoutFace.Count} of {photos.Count} photos{Missing(faceless)}");
        foreach (string u in unreadable.Take(10)) Console.WriteLine($"unreadable, left out: {u}");
        return Usable(new Result(list, withoutFace, cache) { Unreadable = unreadable }, data, photos.Count);
    }

    /// <summary>The result, unless no photo had a face: that is one error naming the photos and the way out.</summary>
    private static Result Usable(Result result, string data, int photos) => result.WithoutFace.Count < photos ? result
        : result.Unreadable.Count == photos
            ? throw new InvalidDataException($"none of the {photos} photos under '{data}' can be read (first: {result.Unreadable[0]})")
        : throw new InvalidDataException($"no face found in any of the {photos} photos under '{data}' " +
            $"({string.Join(", ", result.WithoutFace.Take(3))}{(photos > 3 ? ", …" : "")}); give their 5 points with --landmarks, or aligned 112×96 faces.");

    /// <summary>
    /// A training spec whose folder of photos has no landmark list trains on the detector's points (docs/detection.md):
    /// detected once, cached, photos without a face listed and left out. Under mpirun every rank would detect at once,
    /// so there the list comes first from <c>detect --landmarks-out</c>.
    /// </summary>
    /// <exception cref="ArgumentException">Photos without landmarks in a data-parallel run.</exception>
    public static Training.Runs.RunSpec ForTraining(Training.Runs.RunSpec spec, bool dataParallel)
    {
        var data = spec.Data;
        if (data.Landmarks is not null || !Directory.Exists(data.Source) || !NeedsDetection(data.Source)) return spec;
        if (dataParallel)
            throw new Models.Errors.InputException($"'{data.Source}' holds photos without --landmarks; under mpirun give them: ./sphereface detect --data {data.Source} --out faces.json --landmarks-out landmarks.txt, then --landmarks landmarks.txt.");
        var detected = For(data.Source)!;
        return spec with { Data = data with { Landmarks = detected.LandmarkList, SkipUnlisted = true } };
    }

    /// <summary>Whether the folder holds photos rather than aligned faces (judged by its first readable images).</summary>
    public static bool NeedsDetection(string data) => NeedsDetection(PhotoFolder.List(data));

    private static bool NeedsDetection(IReadOnlyList<(string Path, string Relative)> photos)
    {
        // Unreadable files decide nothing here: the loaders skip and report them (or stop on them with --strict).
        var sizes = photos.Select(p => AlignedSize(p.Path)).Where(s => s is not null).Take(8).ToList();
        return sizes.Count > 0 && sizes.Any(s => s == false);
    }

    private static string Missing(List<string> withoutFace) => withoutFace.Count == 0 ? ""
        : $"; no face in {withoutFace.Count} (left out): {string.Join(", ", withoutFace.Take(10))}{(withoutFace.Count > 10 ? ", …" : "")}";

    /// <summary>Whether the image is of an aligned face's size; null when it cannot be read.</summary>
    private static bool? AlignedSize(string path)
    {
        try
        {
            var header = new byte[64 * 1024];
            int read;
            using (var file = File.OpenRead(path)) read = file.Read(header);
            var size = ImageHeader.Size(header.AsSpan(0, read));
            if (size is null)
            {
                using var image = PhotoReader.Read(path);
                size = (image.Width, image.Height);
            }
            return size.Value.Height == 112 && size.Value.Width is 96 or 112;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or Models.Errors.FaceInputException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    private static string Fingerprint(string data, IReadOnlyList<(string Path, string Relative)> photos)
    {
        var text = new StringBuilder(Path.GetFullPath(data)).Append('\n');
        foreach (var (path, relative) in photos)
        {
            var info = new FileInfo(path);
            text.Append(relative).Append('\t').Append(info.Length).Append('\t').Append(info.LastWriteTimeUtc.Ticks).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }
}
