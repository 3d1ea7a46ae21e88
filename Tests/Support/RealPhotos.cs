using System.Security.Cryptography;
using SphereFace.Detection.ModelBuild;

namespace SphereFace.Tests.Support;

/// <summary>
/// Real photographs for the detection tests, from packages rather than the repository: scikit-image's astronaut
/// (public domain) and camera (CC0) from Debian's python3-skimage, and the six group photos of face-api's demo
/// (@vladmandic/face-api@1.7.15, MIT; fetched once with npm pack, sha256-pinned), with the faces each shows.
/// </summary>
internal static class RealPhotos
{
    public sealed record Photo(string Name, string Path, int Faces, bool Frontal);

    private const string FaceApi = "@vladmandic/face-api", FaceApiVersion = "1.7.15";
    private const string FaceApiSha256 = "0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031";
    private const string Skimage = "/usr/lib/python3/dist-packages/skimage/data";

    private static readonly Lazy<IReadOnlyList<Photo>> s_all = new(Load);

    /// <summary>All eight photos.</summary>
    public static IReadOnlyList<Photo> All => s_all.Value;

    public static Photo Get(string name) => All.Single(p => p.Name == name);

    private static IReadOnlyList<Photo> Load()
    {
        foreach (var (file, sha) in new[] { ("astronaut.png", "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5"), ("camera.png", "b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a") })
        {
            string path = System.IO.Path.Combine(Skimage, file);
            if (!File.Exists(path)) Assert.Fail($"{path} is missing: install Debian's python3-skimage (./sphereface test does)");
            Assert.AreEqual(sha, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), $"{path} is not the pinned photo");
        }
        string tarball = NpmTarball.Ensure(FaceApi, FaceApiVersion, FaceApiSha256, NpmTarball.DefaultCache);
        string folder = System.IO.Path.Combine(Models.IO.CacheFolder.Root, "photos", $"face-api-{FaceApiVersion}");
        Directory.CreateDirectory(folder);
        int[] faces = [3, 3, 3, 4, 5, 4];
        var photos = new List<Photo>
        {
            new("astronaut", System.IO.Path.Combine(Skimage, "astronaut.png"), 1, true),
            new("camera", System.IO.Path.Combine(Skimage, "camera.png"), 1, false),
        };
        for (int i = 1; i <= 6; i++)
        {
            string path = System.IO.Path.Combine(folder, $"sample{i}.jpg");
            if (!File.Exists(path)) File.WriteAllBytes(path, NpmTarball.Read(tarball, $"package/demo/sample{i}.jpg"));
            photos.Add(new($"sample{i}", path, faces[i - 1], i == 5));
        }
        return photos;
    }
}
