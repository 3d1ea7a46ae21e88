namespace SphereFace.Training.Data.Formats;

/// <summary>
/// An image folder per identity: <c>root/&lt;identity&gt;/&lt;file&gt;</c>. Identities and files are listed in
/// ordinal (culture-independent) order so labels are the same on every machine; files directly under the root
/// and files without an image extension are ignored.
/// </summary>
public static class ImageFolder
{
    /// <summary>Image file extensions recognised (lower case, case-insensitive match).</summary>
    public static readonly IReadOnlySet<string> Extensions =
        new HashSet<string>([".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".ppm", ".pgm"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Identity folder names under <paramref name="root"/> with their images (relative paths, '/' separators).</summary>
    public static IReadOnlyList<(string Identity, IReadOnlyList<string> Images)> Scan(string root)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"image folder '{root}' does not exist.");
        var result = new List<(string, IReadOnlyList<string>)>();
        foreach (var dir in Directory.GetDirectories(root).Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            var files = Directory.GetFiles(Path.Combine(root, dir!))
                .Where(f => Extensions.Contains(Path.GetExtension(f)))
                .Select(f => dir + "/" + Path.GetFileName(f))
                .Order(StringComparer.Ordinal)
                .ToList();
            if (files.Count > 0) result.Add((dir!, files));
        }
        if (result.Count == 0)
            throw new InvalidDataException($"image folder '{root}' has no identity sub-folders with images (expected root/<identity>/<image>).");
        return result;
    }
}
