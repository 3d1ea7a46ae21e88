using System.Globalization;
using SphereFace.Graphs.Nets;
using SphereFace.Training.Data;
using SphereFace.Training.Data.Formats;

namespace SphereFace.Training.Runs;

/// <summary>
/// Parses a run's data source and opens the matching <see cref="IBatchSource"/>:
/// <list type="bullet">
/// <item><c>random:N</c> — N fixed random 112×96 images with labels i mod classes (in memory; development and memorisation runs);</item>
/// <item>a <c>.rec</c> file — an insightface training set (with its <c>.idx</c>; faces aligned to the 112×112
/// template, cropped to the 112×96 one: <see cref="InsightFaceRecordSet"/>), decoded by parallel workers;</item>
/// <item>any other value — a dataset folder <c>root/&lt;identity&gt;/&lt;image&gt;</c>, aligned on the fly with the
/// landmark list when one is given (otherwise the images are taken as already aligned), decoded by parallel workers.</item>
/// </list>
/// </summary>
public static class DataSourceSpec
{
    /// <summary>Floats per face image (3·112·96).</summary>
    public const int ImageLength = 3 * SphereNetConfig.InputHeight * SphereNetConfig.InputWidth;

    private const string RandomPrefix = "random:";

    /// <summary>True for the in-memory random-label source.</summary>
    public static bool IsRandom(string spec) => spec.StartsWith(RandomPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Checks <paramref name="spec"/>; for a dataset folder returns its number of identities (loading the folder
    /// listing and landmark list), for random data returns null. Errors name the value.
    /// </summary>
    public static int? Inspect(string spec, string? landmarks, string? identityList = null, bool skipUnlisted = false)
    {
        if (IsRandom(spec)) { RandomCount(spec); return null; }
        if (InsightFaceRecordSet.IsRecordFile(spec))
        {
            CheckRecordOptions(spec, landmarks, identityList);
            using var set = InsightFaceRecordSet.Open(spec);
            return set.Dataset.Identities.Count;
        }
        return ListFolder(spec, landmarks, identityList, skipUnlisted).Identities.Count;
    }

    /// <summary>The listing of a dataset folder (what <see cref="Inspect"/> counts), or null for random data and .rec files.</summary>
    internal static FaceDataset? List(DataSpec data) =>
        IsRandom(data.Source) || InsightFaceRecordSet.IsRecordFile(data.Source) ? null : ListFolder(data.Source, data.Landmarks, data.IdentityList, data.SkipUnlisted);

    private static FaceDataset ListFolder(string spec, string? landmarks, string? identityList, bool skipUnlisted) =>
        Directory.Exists(spec) ? FaceDataset.Load(spec, landmarks, Identities(identityList), Missing(skipUnlisted))
        : throw new DirectoryNotFoundException($"data source '{spec}' is neither random:N, an insightface .rec file nor an existing dataset folder.");

    private static MissingLandmarks Missing(bool skipUnlisted) => skipUnlisted ? MissingLandmarks.Skip : MissingLandmarks.Error;

    /// <summary>The identities named by a list file (one per line), or null for all.</summary>
    private static IReadOnlyList<string>? Identities(string? identityList) =>
        identityList is null ? null : IdentityListFile.Read(identityList);

    /// <summary>
    /// Opens the source of a run; <paramref name="resumeFrom"/> continues a checkpoint's sample order. Warnings (an image
    /// skipped, landmark entries without an image) go to <paramref name="warn"/>, or to stderr when it is null.
    /// </summary>
    /// <remarks>With a <paramref name="shard"/> (a data-parallel rank) the source delivers that slice of every global batch
    /// of <c>spec.Batch</c> images.</remarks>
    public static IBatchSource Open(RunSpec spec, SampleOrderState? resumeFrom, Action<string>? warn = null, BatchShard? shard = null) =>
        Open(spec, resumeFrom, warn, shard, null);

    /// <summary>As the public overload, with the folder's listing already loaded by the plan (<paramref name="listed"/>; null: load it).</summary>
    internal static IBatchSource Open(RunSpec spec, SampleOrderState? resumeFrom, Action<string>? warn, BatchShard? shard, FaceDataset? listed)
    {
        shard ??= BatchShard.Whole;
        if (spec.Batch % shard.Count != 0)
            throw new Models.Errors.InputException($"batch {spec.Batch} cannot be split over {shard.Count} ranks: it must be a multiple of the rank count.");
        int local = spec.Batch / shard.Count;
        var data = spec.Data;
        if (IsRandom(data.Source))
            return new RandomLabelBatchSource(RandomCount(data.Source), spec.ClassCount, local, ImageLength, spec.Seed, resumeFrom, shard);
        InsightFaceRecordSet? records = null;
        if (InsightFaceRecordSet.IsRecordFile(data.Source))
        {
            CheckRecordOptions(data.Source, data.Landmarks, data.IdentityList);
            records = InsightFaceRecordSet.Open(data.Source);
        }
        var dataset = records?.Dataset ?? listed ?? ListFolder(data.Source, data.Landmarks, data.IdentityList, data.SkipUnlisted);
        if (records is not null && dataset.Identities.Count != spec.ClassCount)
        {
            records.Dispose();
            throw new InvalidDataException($"Dataset '{data.Source}' has {dataset.Identities.Count} identities but the run is configured for {spec.ClassCount} classes.");
        }
        if (dataset.Identities.Count != spec.ClassCount)
            throw new InvalidDataException($"Dataset '{data.Source}' has {dataset.Identities.Count} identities but the run is configured for {spec.ClassCount} classes.");
        if (dataset.LandmarksWithoutImageWarning is { } orphans) (warn ?? Console.Error.WriteLine)(orphans);
        return new FaceBatchSource(dataset, new FaceBatchSourceOptions
        {
            BatchSize = local, Shard = shard, Seed = spec.Seed, Resume = resumeFrom, Workers = data.Workers,
            FlipProbability = data.FlipProbability, Warn = warn, Owned = records,
        }, records is null ? null : records.Decode);
    }

    /// <summary>An insightface set is aligned and labelled by its records: landmarks and identity lists do not apply.</summary>
    private static void CheckRecordOptions(string source, string? landmarks, string? identityList)
    {
        if (landmarks is not null) throw new Models.Errors.InputException($"data.landmarks: '{source}' is an insightface set of aligned faces; it takes no landmark list.");
        if (identityList is not null) throw new Models.Errors.InputException($"data.identity_list: '{source}' is an insightface set, labelled by its records; it takes no identity list.");
    }

    /// <summary>Most images of <c>random:N</c>: they are held in memory as floats (126 KiB each, 4 GiB at this count).</summary>
    public const int MaxRandomImages = 32768;

    private static int RandomCount(string spec)
    {
        if (int.TryParse(spec.AsSpan(RandomPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && n <= MaxRandomImages)
            return n;
        throw new Models.Errors.InputException($"data source '{spec}': expected random:N with N in 1…{MaxRandomImages} in-memory random-label images.");
    }
}
