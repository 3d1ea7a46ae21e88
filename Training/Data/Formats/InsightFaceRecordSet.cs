using SphereFace.Alignment;
using System.Globalization;
using OpenCvSharp;

namespace SphereFace.Training.Data.Formats;

/// <summary>
/// An insightface training set: <c>train.rec</c> (MXNet RecordIO) with <c>train.idx</c> beside it (lines
/// "key TAB byte offset"). Every image record is an IRHeader — uint32 flag, float32 label, uint64 id, uint64 id2 (24
/// bytes) — followed, when flag &gt; 0, by flag float32 labels (the first is the class), then the encoded image. Record 0
/// may be a header whose labels [a, b) say that records 1 … a−1 are images and a … b−1 identity ranges; otherwise
/// every indexed record is an image. The faces are aligned to the 112×112 ArcFace template, which is SphereFace's
/// template moved 8 px right: columns 8–103 are exactly the paper's 112×96 crop, which <see cref="Decode"/> returns.
/// </summary>
public sealed class InsightFaceRecordSet : IDisposable
{
    private const int HeaderBytes = 24;
    private readonly RecordIoFile _rec;
    private readonly Dictionary<string, long> _offsets;

    private InsightFaceRecordSet(RecordIoFile rec, Dictionary<string, long> offsets, FaceDataset dataset)
    {
        _rec = rec;
        _offsets = offsets;
        Dataset = dataset;
    }

    /// <summary>The samples (path <c>file.rec#key</c>, class label, no landmarks) and identities (the labels as text).</summary>
    public FaceDataset Dataset { get; }

    /// <summary>True for a path that names a RecordIO file.</summary>
    public static bool IsRecordFile(string path) => path.EndsWith(".rec", StringComparison.OrdinalIgnoreCase) && File.Exists(path);

    /// <summary>Opens <paramref name="recPath"/> and its <c>.idx</c>, reading every image's label.</summary>
    /// <exception cref="FileNotFoundException">The .rec or .idx file is missing.</exception>
    /// <exception cref="InvalidDataException">A malformed index line or record; the message names the file and line or offset.</exception>
    public static InsightFaceRecordSet Open(string recPath)
    {
        string idx = Path.ChangeExtension(recPath, ".idx");
        if (!File.Exists(idx)) throw new FileNotFoundException($"'{recPath}' has no index '{idx}' beside it (insightface sets come as train.rec + train.idx).", idx);
        var offsets = new Dictionary<string, long>(StringComparer.Ordinal);
        var order = new List<string>();
        using (var reader = new StreamReader(idx))
            foreach (var (number, text) in Alignment.Formats.TextLines.Meaningful(reader))
            {
                var f = Alignment.Formats.TextLines.Fields(text);
                if (f.Length != 2 || !long.TryParse(f[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long offset) || offset < 0)
                    throw new InvalidDataException($"{idx}:{number}: expected 'key<TAB>offset', got '{text}'.");
                if (!offsets.TryAdd(f[0], offset)) throw new InvalidDataException($"{idx}:{number}: key '{f[0]}' appears twice.");
                order.Add(f[0]);
            }
        var rec = new RecordIoFile(recPath);
        try
        {
            var keys = order;
            if (offsets.TryGetValue("0", out long first))
            {
                var (flag, labels) = Header(rec.Read(first), rec.Path, first);
                if (flag > 0 && labels.Length >= 2)
                {
                    // Checked against the index before any key is made: a forged count must not allocate.
                    float claimed = labels[0];
                    if (!(claimed >= 1 && claimed - 1 <= offsets.Count && claimed == MathF.Floor(claimed)))
                        throw new InvalidDataException($"{rec.Path}: record 0 says images are records 1…{claimed - 1}, but the index '{idx}' has {offsets.Count} keys.");
                    int end = (int)claimed;
                    keys = Enumerable.Range(1, end - 1).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
                    foreach (var k in keys)
                        if (!offsets.ContainsKey(k)) throw new InvalidDataException($"{idx}: record 0 says images are records 1…{end - 1}, but key {k} is not indexed.");
                }
            }
            var samples = new List<(string Key, int Label)>(keys.Count);
            foreach (var key in keys)
            {
                long offset = offsets[key];
                var (_, labels) = Header(rec.Read(offset), rec.Path, offset);
                double label = labels[0];
                if (label < 0 || label != Math.Floor(label) || label > int.MaxValue)
                    throw new InvalidDataException($"{rec.Path}: offset {offset}: label {label} is not a class number.");
                samples.Add((key, (int)label));
            }
            var classes = samples.Select(s => s.Label).Distinct().Order().ToList();
            var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
            var dataset = new FaceDataset(recPath, classes.Select(c => c.ToString(CultureInfo.InvariantCulture)).ToList(),
                samples.Select(s => new FaceSample($"{recPath}#{s.Key}", index[s.Label], null)).ToList());
            return new InsightFaceRecordSet(rec, offsets, dataset);
        }
        catch
        {
            rec.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Decodes a sample's image as BGR; a 112×112 face is cropped to its middle 96 columns (the 112×96 SphereFace crop).
    /// A record whose bytes do not decode, or declare more pixels than <see cref="PhotoReader.DefaultMaxPixels"/>, is a
    /// <see cref="Models.Errors.FaceInputException"/> (the pipeline then skips the sample with a warning).
    /// </summary>
    public Mat Decode(FaceSample sample)
    {
        int hash = sample.Path.LastIndexOf('#');
        long offset = _offsets[sample.Path[(hash + 1)..]];
        var record = _rec.Read(offset);
        var (flag, _) = Header(record, _rec.Path, offset);
        int start = HeaderBytes + 4 * Math.Max(flag, 0);
        if (start > record.Length) return new Mat();
        // Through PhotoReader: a record's header above the pixel limit is refused before decoding.
        var image = PhotoReader.Decode(record.AsSpan(start), $"{_rec.Path} at offset {offset}");
        if (image.Empty() || !SquareTemplateCrop.IsSquareFace(image.Width, image.Height)) return image;
        using (image)
        using (var middle = SquareTemplateCrop.Middle(image))
            return middle.Clone();
    }

    private static (int Flag, float[] Labels) Header(byte[] record, string path, long offset)
    {
        if (record.Length < HeaderBytes) throw new InvalidDataException($"{path}: offset {offset}: a record of {record.Length} bytes has no 24-byte image header.");
        int flag = (int)BitConverter.ToUInt32(record, 0);
        if (flag == 0) return (0, [BitConverter.ToSingle(record, 4)]);
        if (flag < 0 || HeaderBytes + 4L * flag > record.Length) throw new InvalidDataException($"{path}: offset {offset}: header says {flag} labels, more than the record holds.");
        var labels = new float[flag];
        for (int i = 0; i < flag; i++) labels[i] = BitConverter.ToSingle(record, HeaderBytes + 4 * i);
        return (flag, labels);
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _rec.Dispose();
}
