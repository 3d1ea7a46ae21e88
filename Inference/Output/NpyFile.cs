using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using SphereFace.Models.IO;

namespace SphereFace.Inference.Output;

/// <summary>
/// NumPy <c>.npy</c> (format 1.0) files holding a little-endian float32 matrix of shape [rows, columns] in C order,
/// readable with <c>numpy.load</c>. Written atomically.
/// </summary>
public static partial class NpyFile
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Writes <paramref name="data"/> (row-major, rows × columns) to <paramref name="path"/>.</summary>
    public static void WriteMatrix(string path, ReadOnlySpan<float> data, int rows, int columns)
    {
        if (rows < 0 || columns < 1 || (long)rows * columns != data.Length)
            throw new ArgumentException($"{data.Length} floats do not form a [{rows},{columns}] matrix.");
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Writing .npy needs a little-endian machine.");
        string dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {columns}), }}";
        // Pad so that magic (6) + version (2) + length (2) + header is a multiple of 64, ending in '\n'.
        int total = 10 + dict.Length + 1;
        int padded = (total + 63) / 64 * 64;
        string header = dict + new string(' ', padded - total) + "\n";
        var bytes = new byte[padded + (long)data.Length * 4];
        Magic.CopyTo(bytes);
        bytes[6] = 1;
        bytes[7] = 0;
        BitConverter.TryWriteBytes(bytes.AsSpan(8, 2), (ushort)header.Length);
        Encoding.ASCII.GetBytes(header, bytes.AsSpan(10));
        MemoryMarshal.AsBytes(data).CopyTo(bytes.AsSpan(padded));
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>
    /// Reads a 2-D little-endian float32 C-order matrix written by <see cref="WriteMatrix"/> (or numpy); throws
    /// <see cref="InvalidDataException"/> naming the file for anything else.
    /// </summary>
    public static (float[] Data, int Rows, int Columns) ReadMatrix(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Embeddings file '{path}' does not exist.", path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: not a .npy file (magic bytes missing).");
        int headerLength, offset;
        if (bytes[6] == 1) { headerLength = BitConverter.ToUInt16(bytes, 8); offset = 10; }
        else { headerLength = (int)BitConverter.ToUInt32(bytes, 8); offset = 12; }
        if (offset + headerLength > bytes.Length) throw new InvalidDataException($"{path}: truncated .npy header.");
        string header = Encoding.Latin1.GetString(bytes, offset, headerLength);
        var m = HeaderPattern().Match(header);
        if (!m.Success || m.Groups["descr"].Value != "<f4" || m.Groups["fortran"].Value != "False")
            throw new InvalidDataException($"{path}: expected a float32 ('<f4') C-order 2-D array; header is {header.Trim()}.");
        int rows = int.Parse(m.Groups["rows"].Value, System.Globalization.CultureInfo.InvariantCulture), cols = int.Parse(m.Groups["cols"].Value, System.Globalization.CultureInfo.InvariantCulture);
        int start = offset + headerLength;
        if (bytes.Length - start != (long)rows * cols * 4)
            throw new InvalidDataException($"{path}: shape ({rows}, {cols}) needs {(long)rows * cols * 4} data bytes, the file has {bytes.Length - start} (truncated?).");
        var data = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(start)).ToArray();
        return (data, rows, cols);
    }

    [GeneratedRegex(@"'descr':\s*'(?<descr>[^']+)'.*'fortran_order':\s*(?<fortran>True|False).*'shape':\s*\((?<rows>\d+),\s*(?<cols>\d+)\)", RegexOptions.Singleline)]
    private static partial Regex HeaderPattern();
}
