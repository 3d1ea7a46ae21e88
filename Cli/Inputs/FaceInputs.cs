using SphereFace.Training.Data;
using SphereFace.Training.Data.Formats;
using SphereFace.Alignment.Formats;

namespace SphereFace.Cli.Inputs;

/// <summary>
/// Resolves <c>--data</c> (an image folder per identity, or a text list of image paths) and
/// <c>--landmarks</c> (a landmark list) into the faces to embed.
/// </summary>
internal static class FaceInputs
{
    /// <summary>
    /// A folder: every image of <c>DIR/&lt;identity&gt;/</c> (with landmarks, every image needs an entry).
    /// A file: one image path per line (relative paths are relative to the list's folder; blank lines and '#'
    /// comments ignored), identity = the image's folder name; landmarks are looked up by the path as written.
    /// <paramref name="identityList"/> (a folder only) restricts the identities, e.g. to a test split.
    /// </summary>
    public static IReadOnlyList<FaceInput> Load(string images, string? landmarks, string? identityList = null)
    {
        if (identityList is not null && !Directory.Exists(images))
            throw new Models.Errors.InputException($"--identity-list needs --data to be an image folder, not the list '{images}'.");
        if (Directory.Exists(images))
        {
            // Photos without a landmark list: the detector's points (photos without a face are listed and left out).
            var detected = landmarks is null ? DetectedLandmarks.For(images) : null;
            var set = FaceDataset.Load(images, detected?.LandmarkList ?? landmarks, identityList is null ? null : IdentityListFile.Read(identityList),
                detected is null ? MissingLandmarks.Error : MissingLandmarks.Skip);
            return set.Samples.Select(s => new FaceInput(s.Path, set.Identities[s.Label], s.Landmarks)).ToList();
        }
        if (!File.Exists(images)) throw new FileNotFoundException($"--data '{images}' is neither a folder nor a list file.", images);
        var marks = landmarks is null ? null : LandmarkListFile.Read(landmarks).ToDictionary(e => e.RelativePath, StringComparer.Ordinal);
        string baseDir = Path.GetDirectoryName(Path.GetFullPath(images))!;
        var result = new List<FaceInput>();
        int lineNo = 0;
        foreach (var raw in File.ReadLines(images))
        {
            lineNo++;
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            string full = Path.IsPathRooted(line) ? line : Path.Combine(baseDir, line);
            string identity = Path.GetFileName(Path.GetDirectoryName(full)) ?? "";
            OpenCvSharp.Point2f[]? points = null;
            if (marks is not null && !marks.TryGetValue(line.Replace('\\', '/'), out var entry))
                throw new InvalidDataException($"{images}:{lineNo}: '{line}' has no entry in the landmark list '{landmarks}'.");
            else if (marks is not null) points = marks[line.Replace('\\', '/')].Points;
            result.Add(new FaceInput(full, identity, points));
        }
        if (result.Count == 0) throw new InvalidDataException($"{images}: the image list is empty.");
        return result;
    }

    /// <summary>Integer labels (0-based, in order of first appearance) for the inputs' identities.</summary>
    public static int[] Labels(IReadOnlyList<FaceInput> inputs)
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        return inputs.Select(i => map.TryGetValue(i.Identity, out int l) ? l : map[i.Identity] = map.Count).ToArray();
    }
}
