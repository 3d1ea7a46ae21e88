namespace SphereFace.Training.Data.Formats;

/// <summary>
/// One verification pair in LFW's convention: an identity name and a 1-based image number per side
/// (image <c>n</c> of <c>name</c> is <c>name/name_000n.ext</c>).
/// </summary>
public sealed record FacePair(string Name1, int Number1, string Name2, int Number2)
{
    /// <summary>True for a matched (same identity) pair.</summary>
    public bool Same => string.Equals(Name1, Name2, StringComparison.Ordinal);

    /// <summary>LFW's relative image path for <paramref name="name"/>'s image number <paramref name="number"/>.</summary>
    public static string ImagePath(string name, int number, string extension = ".jpg") =>
        $"{name}/{name}_{number:D4}{extension}";
}
