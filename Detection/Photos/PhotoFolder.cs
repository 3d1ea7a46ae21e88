namespace SphereFace.Detection.Photos;

/// <summary>
/// The photos under a folder (recursively, by extension; sorted, '/'-separated paths relative to the folder), or one
/// photo file: what <c>detect</c> and the verbs that detect when they have no landmark list walk through.
/// </summary>
public static class PhotoFolder
{
    /// <summary>The file extensions taken as photos (case-insensitive).</summary>
    public static IReadOnlySet<string> Extensions { get; } = new HashSet<string>([".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".gif"], StringComparer.OrdinalIgnoreCase);

    /// <summary>(absolute path, path relative to <paramref name="data"/>) of every photo; a file gives itself, relative to its folder.</summary>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="data"/>.</exception>
    /// <exception cref="InvalidDataException">The folder holds no photo.</exception>
    public static IReadOnlyList<(string Path, string Relative)> List(string data)
    {
        if (File.Exists(data)) return [(Path.GetFullPath(data), Path.GetFileName(data))];
        if (!Directory.Exists(data)) throw new FileNotFoundException($"'{data}' is neither a photo nor a folder of photos.", data);
        string root = Path.GetFullPath(data);
        var photos = Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 })
            .Where(f => Extensions.Contains(Path.GetExtension(f)))
            .Select(f => (Path: f, Relative: Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/')))
            .OrderBy(p => p.Relative, StringComparer.Ordinal)
            .ToList();
        if (photos.Count == 0) throw new InvalidDataException($"'{data}' holds no photo ({string.Join(", ", Extensions)}).");
        return photos;
    }
}
