using SphereFace.Training.Data.Formats;
using SphereFace.Training.Data.Synthetic;

namespace SphereFace.Training.Data;

/// <summary>
/// Opens a dataset folder the way the command-line verbs accept it: either a synthetic-set layout
/// (<c>DIR/images/…</c>, <c>DIR/landmarks.txt</c>, <c>DIR/train_identities.txt</c>, <c>DIR/test_identities.txt</c>)
/// or a bare image folder per identity (<c>DIR/&lt;identity&gt;/&lt;image&gt;</c>) with an optional landmark list.
/// </summary>
public static class DataFolder
{
    /// <summary>
    /// Loads <paramref name="dir"/>. <paramref name="split"/> is "all", "train" or "test" (the latter two need the
    /// identity list files of a set layout); <paramref name="landmarks"/> overrides the landmark list (none means the
    /// set's <c>landmarks.txt</c> when present, else the images are taken as aligned).
    /// </summary>
    public static FaceDataset Open(string dir, string split = "all", string? landmarks = null, MissingLandmarks missing = MissingLandmarks.Error)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"dataset folder '{dir}' does not exist.");
        string images = Path.Combine(dir, SyntheticFaceSet.ImagesFolder);
        bool setLayout = Directory.Exists(images);
        string root = setLayout ? images : dir;
        string? marks = landmarks ?? (setLayout && File.Exists(Path.Combine(dir, SyntheticFaceSet.LandmarksFile)) ? Path.Combine(dir, SyntheticFaceSet.LandmarksFile) : null);
        IReadOnlyList<string>? identities = split switch
        {
            "all" => null,
            "train" or "test" => setLayout
                ? IdentityListFile.Read(Path.Combine(dir, split == "train" ? SyntheticFaceSet.TrainFile : SyntheticFaceSet.TestFile))
                : throw new ArgumentException($"split '{split}' needs a set layout (DIR/images and DIR/{split}_identities.txt); '{dir}' is a bare image folder, use split 'all'."),
            _ => throw new ArgumentException($"split must be all, train or test, got '{split}'."),
        };
        return FaceDataset.Load(root, marks, identities, missing);
    }
}
