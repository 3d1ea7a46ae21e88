using System.Text;
using SphereFace.Graphs.IO.Pickle;

namespace SphereFace.Training.Data.Formats;

/// <summary>
/// insightface's verification sets (<c>lfw.bin</c>, <c>cfp_fp.bin</c>, <c>agedb_30.bin</c>, …): a Python pickle of
/// (encoded images, same-person flags), pair i being images 2i and 2i+1, the faces aligned to the 112×112 ArcFace
/// template (the SphereFace template shifted 8 px right). Read by the restricted <see cref="PickleReader"/>: no code of
/// the file runs.
/// </summary>
public static class InsightFaceBinFile
{
    /// <summary>The set's pairs: the image files it was unpacked into, and each pair's flag.</summary>
    /// <param name="Images">Image files in the set's order.</param>
    /// <param name="Same">One flag per pair.</param>
    public sealed record Contents(IReadOnlyList<string> Images, IReadOnlyList<bool> Same)
    {
        /// <summary>
        /// The fold of each pair under insightface's protocol: 10 consecutive folds in file order (scikit-learn's
        /// KFold without shuffling: the first n mod 10 folds have one pair more).
        /// </summary>
        public int[] Folds(int folds = 10)
        {
            int n = Same.Count;
            var result = new int[n];
            int start = 0;
            for (int f = 0; f < folds; f++)
            {
                int size = n / folds + (f < n % folds ? 1 : 0);
                for (int i = start; i < start + size; i++) result[i] = f;
                start += size;
            }
            return result;
        }
    }

    /// <summary>Unpacks <paramref name="binPath"/> into <paramref name="folder"/> (created if needed).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not such a set, or its pickle asks for anything but bytes, lists,
    /// flags and uint8 arrays; the message names it.</exception>
    public static Contents Extract(string binPath, string folder)
    {
        if (!File.Exists(binPath)) throw new FileNotFoundException($"Verification set '{binPath}' does not exist.", binPath);
        object? content;
        try { content = PickleReader.Load(File.ReadAllBytes(binPath), binPath, new SetRules()); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{e.Message} (not an insightface .bin verification set)", e); }
        if (content is not (object?[] or List<object?>) || Items(content) is not [var imageList, var flagList])
            throw new InvalidDataException($"{binPath}: expected a pickled pair (images, same-person flags).");
        var images = Items(imageList).Select(i => i as byte[] ?? throw new InvalidDataException($"{binPath}: an image that is not bytes or a uint8 array.")).ToList();
        var same = Items(flagList).Select(f => f switch { bool b => b, long l => l != 0, _ => throw new InvalidDataException($"{binPath}: a same-person flag that is not a bool.") }).ToList();
        if (images.Count != 2 * same.Count) throw new InvalidDataException($"{binPath}: {images.Count} images for {same.Count} pairs; expected {2 * same.Count}.");
        Directory.CreateDirectory(folder);
        var paths = new List<string>(images.Count);
        for (int i = 0; i < images.Count; i++)
        {
            bool png = images[i].AsSpan().StartsWith(PngSignature);
            string path = Path.Combine(folder, $"{i:D6}{(png ? ".png" : ".jpg")}");
            File.WriteAllBytes(path, images[i]);
            paths.Add(path);
        }
        return new Contents(paths, same);
    }

    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static IReadOnlyList<object?> Items(object? value) => value switch
    {
        object?[] tuple => tuple,
        List<object?> list => list,
        _ => throw new InvalidDataException("expected a list or tuple"),
    };

    /// <summary>numpy's dtype of one byte per element, and an array of it while it is being rebuilt.</summary>
    private sealed record ByteDtype;
    private sealed record ArrayUnderConstruction;

    /// <summary>
    /// What the sets are made of: bytes (Python 2 str, Python 3 bytes through <c>_codecs.encode</c> or a bytearray of
    /// bytes), lists and tuples, bools, and numpy uint8 arrays (rebuilt from their raw bytes, never another dtype).
    /// </summary>
    private sealed class SetRules : IPickleRules
    {
        public object? Call(PickleGlobal callable, object?[] args) => (callable.Module, callable.Name, args) switch
        {
            ("_codecs", "encode", [string text, "latin1" or "latin-1"]) => Latin1(text),
            ("builtins" or "__builtin__", "bytearray", [byte[] bytes]) => bytes,
            ("builtins" or "__builtin__", "bytearray", [string text, "latin1" or "latin-1"]) => Latin1(text),
            ("numpy.core.multiarray" or "numpy._core.multiarray", "_reconstruct", [PickleGlobal { Module: "numpy", Name: "ndarray" }, ..]) => new ArrayUnderConstruction(),
            ("numpy", "dtype", [var kind, ..]) when IsUint8(kind) => new ByteDtype(),
            ("numpy", "dtype", [var kind, ..]) => throw new InvalidDataException($"refusing a numpy array of dtype '{(kind is byte[] b ? Encoding.Latin1.GetString(b) : kind)}': only uint8 arrays are read (object arrays are refused)"),
            _ => throw new InvalidDataException($"refusing to call {callable}: not part of a verification set (bytes, lists, flags, uint8 arrays)"),
        };

        public object? Build(object? target, object? state) => (target, state) switch
        {
            (ByteDtype, _) => target,
            (ArrayUnderConstruction, object?[] { Length: 5 } s) when s[2] is ByteDtype => s[4] switch
            {
                byte[] raw => raw,
                string text => Latin1(text),
                _ => throw new InvalidDataException("a uint8 array without its raw bytes"),
            },
            (ArrayUnderConstruction, _) => throw new InvalidDataException("an array of another dtype than uint8 (object arrays are refused)"),
            _ => throw new InvalidDataException("refusing to set the state of an object: not part of a verification set"),
        };

        private static bool IsUint8(object? kind) => kind is "u1" || (kind is byte[] b && b.AsSpan().SequenceEqual("u1"u8));

        public object? Persistent(object? id) => throw new InvalidDataException("a persistent id: not part of a verification set");

        private static byte[] Latin1(string text) =>
            text.All(c => c <= 0xFF) ? text.Select(c => (byte)c).ToArray() : throw new InvalidDataException("latin-1 text with a character above U+00FF");
    }
}
