namespace SphereFace.Tests.Support;

/// <summary>The repository the tests were built from (the folder holding SphereFace.sln).</summary>
public static class Repository
{
    /// <summary>Its root folder.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SphereFace.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No SphereFace.sln above {AppContext.BaseDirectory}.");
    }
}
