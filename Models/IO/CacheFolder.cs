namespace SphereFace.Models.IO;

/// <summary>
/// Where the project keeps what it fetched or computed once and reuses (npm tarballs of the face models and test photos,
/// detected landmarks, the Node.js references of the tests): $SPHEREFACE_CACHE, else $XDG_CACHE_HOME/sphereface, else
/// ~/.cache/sphereface.
/// </summary>
public static class CacheFolder
{
    /// <summary>The cache's root folder (not created here).</summary>
    public static string Root =>
        Environment.GetEnvironmentVariable("SPHEREFACE_CACHE") is { Length: > 0 } c ? c
        : Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x ? x
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "sphereface");
}
