using Microsoft.Win32.SafeHandles;

namespace SphereFace.Training.Data.Formats;

/// <summary>
/// Random access to an MXNet RecordIO file (<c>.rec</c>, the container of insightface's training sets). Each record
/// is: uint32 magic 0xCED7230A, uint32 whose low 29 bits are the length and high 3 bits a continuation flag (0 a whole
/// record; 1, 2, 3 the first, a middle and the last part of a record that was split where its data held the magic),
/// the data, and zero padding to a multiple of 4 bytes. Reads are positional, so any number of threads may read at once.
/// </summary>
public sealed class RecordIoFile : IDisposable
{
    /// <summary>The record magic number.</summary>
    public const uint Magic = 0xCED7230A;

    private readonly SafeFileHandle _file;

    /// <summary>Opens <paramref name="path"/> for reading.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public RecordIoFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"RecordIO file '{path}' does not exist.", path);
        Path = path;
        _file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        Length = RandomAccess.GetLength(_file);
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Its size in bytes.</summary>
    public long Length { get; }

    /// <summary>The record starting at byte <paramref name="offset"/> (its parts joined when it was split).</summary>
    /// <exception cref="InvalidDataException">No record starts there (bad magic, a length past the end, a broken
    /// continuation); the message names the file and the offset.</exception>
    public byte[] Read(long offset)
    {
        using var data = new MemoryStream();
        long at = offset;
        Span<byte> head = stackalloc byte[8];
        for (int part = 0; ; part++)
        {
            if (at < 0 || at + 8 > Length) throw Error(at, $"a record header needs 8 bytes, the file has {Math.Max(0, Length - at)} from there");
            RandomAccess.Read(_file, head, at);
            uint magic = BitConverter.ToUInt32(head), word = BitConverter.ToUInt32(head[4..]);
            if (magic != Magic) throw Error(at, $"magic 0x{magic:X8} instead of 0x{Magic:X8} (not the start of a record)");
            int flag = (int)(word >> 29), length = (int)(word & ((1u << 29) - 1));
            if (at + 8 + length > Length) throw Error(at, $"a record of {length} bytes runs past the end of the file ({Length} bytes)");
            if (part == 0 ? flag is 2 or 3 : flag is 0 or 1) throw Error(at, $"continuation flag {flag} out of sequence");
            if (part > 0) data.Write(BitConverter.GetBytes(Magic)); // a split record lost its magic at each cut
            var buffer = new byte[length];
            RandomAccess.Read(_file, buffer, at + 8);
            data.Write(buffer);
            at += 8 + ((length + 3) & ~3);
            if (flag is 0 or 3) return data.ToArray();
        }
    }

    private InvalidDataException Error(long offset, string what) => new($"{Path}: offset {offset}: {what}.");

    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();
}
