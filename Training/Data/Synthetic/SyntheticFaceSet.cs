using System.Globalization;
using System.Text;
using OpenCvSharp;
using SphereFace.Graphs.IO;
using SphereFace.Graphs.Parameters;
using SphereFace.Training.Data.Formats;
using SphereFace.Models.IO;
using SphereFace.Alignment.Formats;

namespace SphereFace.Training.Data.Synthetic;

/// <summary>
/// Writes a synthetic face set in the same formats as real data:
/// <code>
/// DIR/images/&lt;id&gt;/&lt;id&gt;_0001.png   photos (LFW naming, 1-based numbers)
/// DIR/landmarks.txt                      true five landmarks per photo (paths relative to images/)
/// DIR/train_identities.txt               training identities
/// DIR/test_identities.txt                held-out identities (disjoint)
/// DIR/pairs.txt                          LFW-format folds of matched/mismatched pairs of test identities
/// DIR/synth.json                         the options used and the resulting counts
/// </code>
/// Every random choice comes from streams derived from the seed and a name (identity, photo, split, counts,
/// pairs), so the output is byte-identical for the same options whatever the thread count.
/// </summary>
public static class SyntheticFaceSet
{
    /// <summary>Sub-folder holding the image tree.</summary>
    public const string ImagesFolder = "images";

    /// <summary>File names inside the set's folder.</summary>
    public const string LandmarksFile = "landmarks.txt", TrainFile = "train_identities.txt", TestFile = "test_identities.txt",
        PairsFileName = "pairs.txt", ManifestFile = "synth.json";

    /// <summary>Name of identity <paramref name="index"/> (0-based): <c>id_00001</c> …</summary>
    public static string IdentityName(int index) => $"id_{index + 1:D5}";

    /// <summary>
    /// Generates the set into <paramref name="dir"/>, which must be empty or absent — or hold an earlier synthetic
    /// set (has <c>synth.json</c>), whose files are replaced. <paramref name="progress"/> receives (done, total).
    /// Returns the number of photos written.
    /// </summary>
    public static int Generate(string dir, SyntheticFaceSetOptions options, Action<int, int>? progress = null)
    {
        options.Validate();
        PrepareFolder(dir);
        var plan = Plan(options);
        var photos = plan.Counts.SelectMany((count, identity) => Enumerable.Range(1, count).Select(n => (identity, n))).ToArray();
        var identities = Enumerable.Range(0, options.Identities)
            .Select(i => SyntheticIdentity.Sample(SeededRandom.ForName(options.Seed, $"identity {i}"))).ToArray();
        var landmarks = new LandmarkEntry[photos.Length];
        int done = 0;
        Parallel.For(0, photos.Length, new ParallelOptions { MaxDegreeOfParallelism = options.Threads }, i =>
        {
            var (identity, n) = photos[i];
            string name = IdentityName(identity);
            string rel = FacePair.ImagePath(name, n, ".png");
            var rng = SeededRandom.ForName(options.Seed, $"photo {identity} {n}");
            var (photo, points) = SyntheticFaceRenderer.Render(identities[identity], rng, options.ImageSize);
            using (photo)
            {
                Cv2.ImEncode(".png", photo, out byte[] png);
                string path = Path.Combine(dir, ImagesFolder, rel);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, png);
            }
            landmarks[i] = new LandmarkEntry(rel, points);
            int now = Interlocked.Increment(ref done);
            progress?.Invoke(now, photos.Length);
        });

        LandmarkListFile.Write(Path.Combine(dir, LandmarksFile), landmarks);
        IdentityListFile.Write(Path.Combine(dir, TrainFile), plan.Train.Select(IdentityName));
        IdentityListFile.Write(Path.Combine(dir, TestFile), plan.Test.Select(IdentityName));
        PairsFile.Write(Path.Combine(dir, PairsFileName), MakePairs(plan, options));
        AtomicFile.WriteAllText(Path.Combine(dir, ManifestFile), Manifest(options, plan, photos.Length));
        return photos.Length;
    }

    /// <summary>Which identities are train/test and how many photos each gets.</summary>
    public sealed record SetPlan(int[] Train, int[] Test, int[] Counts);

    /// <summary>The identity split and per-identity counts of <paramref name="options"/> (no rendering).</summary>
    public static SetPlan Plan(SyntheticFaceSetOptions options)
    {
        options.Validate();
        var all = Enumerable.Range(0, options.Identities).ToArray();
        SeededRandom.ForName(options.Seed, "split").Shuffle(all.AsSpan());
        var test = all.Take(options.TestIdentityCount).Order().ToArray();
        var train = all.Skip(options.TestIdentityCount).Order().ToArray();
        var counts = new int[options.Identities];
        foreach (int t in test) counts[t] = options.TestImagesPerIdentity;
        // Ranks of the long tail are a seeded shuffle of the training identities, so frequency is unrelated to name.
        var ranked = (int[])train.Clone();
        SeededRandom.ForName(options.Seed, "counts").Shuffle(ranked.AsSpan());
        for (int r = 0; r < ranked.Length; r++)
            counts[ranked[r]] = Math.Max(options.MinImagesPerIdentity,
                (int)Math.Round(options.MaxImagesPerIdentity * Math.Pow(r + 1, -options.Imbalance)));
        return new SetPlan(train, test, counts);
    }

    private static List<PairsFold> MakePairs(SetPlan plan, SyntheticFaceSetOptions options)
    {
        var rng = SeededRandom.ForName(options.Seed, "pairs");
        var test = (int[])plan.Test.Clone();
        rng.Shuffle(test.AsSpan());
        var folds = new List<PairsFold>();
        for (int f = 0; f < options.Folds; f++)
        {
            // Identities are split between folds, as in LFW's view 2.
            var members = test.Where((_, i) => i % options.Folds == f).Order().ToArray();
            int images = options.TestImagesPerIdentity;
            long possibleMatched = (long)members.Length * images * (images - 1) / 2;
            if (possibleMatched < options.PairsPerFold)
                throw new ArgumentException(
                    $"fold {f + 1} has {members.Length} identities × {images} images, only {possibleMatched} distinct matched pairs; lower pairs_per_fold (now {options.PairsPerFold}) or raise test_images/identities.");
            var matched = new HashSet<(int, int, int)>();
            var matchedList = new List<FacePair>();
            while (matchedList.Count < options.PairsPerFold)
            {
                int id = members[rng.NextInt(members.Length)];
                int a = 1 + rng.NextInt(images), b = 1 + rng.NextInt(images);
                if (a == b) continue;
                if (a > b) (a, b) = (b, a);
                if (!matched.Add((id, a, b))) continue;
                matchedList.Add(new FacePair(IdentityName(id), a, IdentityName(id), b));
            }
            var mismatched = new HashSet<(int, int, int, int)>();
            var mismatchedList = new List<FacePair>();
            long possibleMismatched = (long)members.Length * (members.Length - 1) / 2 * images * images;
            if (possibleMismatched < options.PairsPerFold)
                throw new ArgumentException($"fold {f + 1} allows only {possibleMismatched} mismatched pairs; lower pairs_per_fold.");
            while (mismatchedList.Count < options.PairsPerFold)
            {
                int i = members[rng.NextInt(members.Length)], j = members[rng.NextInt(members.Length)];
                if (i == j) continue;
                int a = 1 + rng.NextInt(images), b = 1 + rng.NextInt(images);
                if (i > j) (i, j, a, b) = (j, i, b, a);
                if (!mismatched.Add((i, a, j, b))) continue;
                mismatchedList.Add(new FacePair(IdentityName(i), a, IdentityName(j), b));
            }
            folds.Add(new PairsFold(matchedList, mismatchedList));
        }
        return folds;
    }

    private static void PrepareFolder(string dir)
    {
        if (File.Exists(dir)) throw new IOException($"'{dir}' is a file; the synthetic set needs a folder.");
        if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
        {
            if (!File.Exists(Path.Combine(dir, ManifestFile)))
                throw new IOException($"'{dir}' is not empty and holds no synthetic set ({ManifestFile}); choose an empty or new folder.");
            string images = Path.Combine(dir, ImagesFolder);
            if (Directory.Exists(images)) Directory.Delete(images, recursive: true);
        }
        Directory.CreateDirectory(Path.Combine(dir, ImagesFolder));
    }

    private static string Manifest(SyntheticFaceSetOptions o, SetPlan plan, int photos)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("{\n");
        sb.Append(inv, $"  \"generator\": \"sphereface synth v1\",\n");
        sb.Append(inv, $"  \"seed\": {o.Seed},\n  \"identities\": {o.Identities},\n  \"test_fraction\": {o.TestFraction:R},\n");
        sb.Append(inv, $"  \"max_images_per_identity\": {o.MaxImagesPerIdentity},\n  \"min_images_per_identity\": {o.MinImagesPerIdentity},\n");
        sb.Append(inv, $"  \"imbalance\": {o.Imbalance:R},\n  \"test_images_per_identity\": {o.TestImagesPerIdentity},\n");
        sb.Append(inv, $"  \"image_size\": {o.ImageSize},\n  \"folds\": {o.Folds},\n  \"pairs_per_fold\": {o.PairsPerFold},\n");
        sb.Append(inv, $"  \"train_identities\": {plan.Train.Length},\n  \"test_identities\": {plan.Test.Length},\n");
        sb.Append(inv, $"  \"train_images\": {plan.Train.Sum(t => plan.Counts[t])},\n  \"test_images\": {plan.Test.Sum(t => plan.Counts[t])},\n");
        sb.Append(inv, $"  \"images\": {photos}\n");
        sb.Append("}\n");
        return sb.ToString();
    }
}
