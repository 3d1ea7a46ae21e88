using SphereFace.Training.Data.Formats;
using SphereFace.Alignment.Formats;

namespace SphereFace.Training.Data;

/// <summary>
/// A labelled set of face images: identity names (label i = <see cref="Identities"/>[i]) and samples.
/// Loaded from an image folder per identity, with landmarks from a landmark list, or already aligned.
/// </summary>
public sealed class FaceDataset
{
    /// <summary>Builds a dataset from explicit parts (e.g. in-memory tests).</summary>
    public FaceDataset(string root, IReadOnlyList<string> identities, IReadOnlyList<FaceSample> samples, int skippedWithoutLandmarks = 0,
                       IReadOnlyList<string>? landmarksWithoutImage = null)
    {
        LandmarksWithoutImage = landmarksWithoutImage ?? [];
        Root = root;
        Identities = identities;
        Samples = samples;
        SkippedWithoutLandmarks = skippedWithoutLandmarks;
        foreach (var s in samples)
            if (s.Label < 0 || s.Label >= identities.Count)
                throw new ArgumentException($"sample '{s.Path}' has label {s.Label}, outside [0, {identities.Count}).");
    }

    /// <summary>Folder the sample paths are relative to (informational; <see cref="FaceSample.Path"/> is full).</summary>
    public string Root { get; }

    /// <summary>Identity names; the label of a sample indexes this list.</summary>
    public IReadOnlyList<string> Identities { get; }

    /// <summary>All samples, grouped by identity in ordinal order.</summary>
    public IReadOnlyList<FaceSample> Samples { get; }

    /// <summary>
    /// Landmark-list entries of the chosen identities whose image is not in the folder (a deleted or misnamed photo):
    /// nothing is trained on them, and the list says the data is not what it was.
    /// </summary>
    public IReadOnlyList<string> LandmarksWithoutImage { get; }

    /// <summary>One warning line about <see cref="LandmarksWithoutImage"/>, or null when there are none.</summary>
    public string? LandmarksWithoutImageWarning => LandmarksWithoutImage.Count == 0 ? null
        : $"warning: {LandmarksWithoutImage.Count} landmark entries name images that are not under '{Root}': {Preview(LandmarksWithoutImage)}";

    /// <summary>Images left out because the landmark list did not mention them (<see cref="MissingLandmarks.Skip"/>).</summary>
    public int SkippedWithoutLandmarks { get; }

    /// <summary>True when every sample carries landmarks (photos to align); false for aligned datasets.</summary>
    public bool HasLandmarks => Samples.Count > 0 && Samples.All(s => s.Landmarks is not null);

    /// <summary>
    /// Loads <c>root/&lt;identity&gt;/&lt;image&gt;</c>. With <paramref name="landmarkList"/>, every image must have an
    /// entry (paths relative to <paramref name="root"/>) unless <paramref name="missing"/> is
    /// <see cref="MissingLandmarks.Skip"/>; without it the images are taken as already aligned.
    /// <paramref name="identities"/> restricts (and orders) the identities, e.g. a train split; a listed identity
    /// without a folder is an error.
    /// </summary>
    public static FaceDataset Load(string root, string? landmarkList = null, IReadOnlyList<string>? identities = null,
                                   MissingLandmarks missing = MissingLandmarks.Error)
    {
        var folders = ImageFolder.Scan(root);
        IReadOnlyList<(string Identity, IReadOnlyList<string> Images)> chosen = folders;
        if (identities is not null)
        {
            var byName = folders.ToDictionary(f => f.Identity, StringComparer.Ordinal);
            var absent = identities.Where(n => !byName.ContainsKey(n)).ToList();
            if (absent.Count > 0)
                throw new InvalidDataException($"{absent.Count} listed identities have no image folder under '{root}': {Preview(absent)}.");
            chosen = identities.Select(n => byName[n]).ToList();
        }

        Dictionary<string, LandmarkEntry>? marks = landmarkList is null ? null
            : LandmarkListFile.Read(landmarkList).ToDictionary(e => e.RelativePath, StringComparer.Ordinal);
        var samples = new List<FaceSample>();
        var without = new List<string>();
        for (int label = 0; label < chosen.Count; label++)
            foreach (var rel in chosen[label].Images)
            {
                string full = Path.Combine(root, rel);
                if (marks is null) { samples.Add(new FaceSample(full, label, null)); continue; }
                if (marks.TryGetValue(rel, out var entry)) samples.Add(new FaceSample(full, label, entry.Points));
                else without.Add(rel);
            }
        if (without.Count > 0 && missing == MissingLandmarks.Error)
            throw new InvalidDataException(
                $"{without.Count} images under '{root}' have no landmarks in '{landmarkList}': {Preview(without)}; every image of the folder needs an entry (add them, or move those images out).");
        var names = chosen.Select(c => c.Identity).ToList();
        var withImages = samples.Select(s => s.Label).Distinct().Count();
        if (withImages < names.Count)
        {
            // Relabel so every label has at least one sample (identities whose images were all skipped drop out).
            var keep = samples.Select(s => s.Label).Distinct().Order().ToList();
            var map = keep.Select((old, i) => (old, i)).ToDictionary(x => x.old, x => x.i);
            samples = samples.Select(s => s with { Label = map[s.Label] }).ToList();
            names = keep.Select(k => names[k]).ToList();
        }
        if (samples.Count == 0) throw new InvalidDataException($"no usable images under '{root}'.");
        var orphans = new List<string>();
        if (marks is not null)
        {
            var chosenNames = chosen.Select(c => c.Identity).ToHashSet(StringComparer.Ordinal);
            var present = chosen.SelectMany(c => c.Images).ToHashSet(StringComparer.Ordinal);
            orphans.AddRange(marks.Keys.Where(rel => chosenNames.Contains(rel.Split('/')[0]) && !present.Contains(rel)).Order(StringComparer.Ordinal));
        }
        return new FaceDataset(root, names, samples, without.Count, orphans);
    }

    /// <summary>Up to 10 items, then "… and N more".</summary>
    internal static string Preview(IReadOnlyList<string> items) =>
        string.Join(", ", items.Take(10)) + (items.Count > 10 ? $", … and {items.Count - 10} more" : "");
}
