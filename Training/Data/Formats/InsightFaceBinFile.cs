using SphereFace.Graphs.IO;

namespace SphereFace.Training.Data.Formats;

/// <summary>
/// insightface's verification sets (<c>lfw.bin</c>, <c>cfp_fp.bin</c>, <c>agedb_30.bin</c>, …): a Python pickle of
/// (encoded images, same-person flags), pair i being images 2i and 2i+1, the faces aligned to the 112×112 ArcFace
/// template (the SphereFace template shifted 8 px right). Unpacked by Debian's python3 (<c>insightface_bin.py</c>).
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
    /// <exception cref="InvalidDataException">The file is not such a set; the message names it.</exception>
    public static Contents Extract(string binPath, string folder)
    {
        if (!File.Exists(binPath)) throw new FileNotFoundException($"Verification set '{binPath}' does not exist.", binPath);
        Directory.CreateDirectory(folder);
        string flags, full = Path.GetFullPath(binPath);
        try { flags = DebianPython.Run([Path.Combine(AppContext.BaseDirectory, "insightface_bin.py"), full, folder]).Trim(); }
        catch (Models.Errors.SphereFaceException e) when (e.Message.Contains(full, StringComparison.Ordinal))
        {
            // The unpacker's one-line refusal names the file: a bad input, not a failed tool.
            throw new InvalidDataException(e.Message[e.Message.IndexOf(full, StringComparison.Ordinal)..], e);
        }
        var images = Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToList();
        if (flags.Length == 0 || images.Count != 2 * flags.Length)
            throw new InvalidDataException($"{binPath}: {images.Count} images for {flags.Length} pairs.");
        return new Contents(images, flags.Select(c => c == '1').ToList());
    }
}
