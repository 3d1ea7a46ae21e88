using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace SphereFace.Training.Runs;

/// <summary>
/// A file of the batches a run fed its training step, so another client can replay the run step by step
/// (docs/train-step.md, "Batch recordings"; <c>Clients/Cpp</c> reads them). Layout, little-endian:
/// the 8 ASCII bytes <c>SFBATCH1</c>; int64 batch B, then int64 count R and R int64 dimensions of one image
/// (3, 112, 96); then one record per step until the end of the file: int64 iteration, float32 lr, float32 λ,
/// B int64 labels, B·∏dims float32 image values (NCHW, as the <c>data</c> input takes them).
/// </summary>
public sealed class BatchRecording : IDisposable
{
    /// <summary>The file's first 8 bytes.</summary>
    public static ReadOnlySpan<byte> Magic => "SFBATCH1"u8;

    private readonly FileStream _stream;

    /// <summary>Creates (or replaces) <paramref name="path"/> for batches of the data shape <paramref name="dataShape"/> ([B, …]).</summary>
    public BatchRecording(string path, long[] dataShape)
    {
        _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 20);
        _stream.Write(Magic);
        WriteInt64(dataShape[0]);
        WriteInt64(dataShape.Length - 1);
        foreach (long d in dataShape.Skip(1)) WriteInt64(d);
    }

    /// <summary>Appends the batch of step <paramref name="iteration"/>.</summary>
    public void Append(long iteration, float lr, float lambda, ReadOnlySpan<long> labels, ReadOnlySpan<float> data)
    {
        WriteInt64(iteration);
        Span<byte> scalars = stackalloc byte[8];
        BinaryPrimitives.WriteSingleLittleEndian(scalars, lr);
        BinaryPrimitives.WriteSingleLittleEndian(scalars[4..], lambda);
        _stream.Write(scalars);
        _stream.Write(MemoryMarshal.AsBytes(labels));
        _stream.Write(MemoryMarshal.AsBytes(data));
    }

    private void WriteInt64(long value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, value);
        _stream.Write(b);
    }

    /// <summary>Flushes to disk and closes the file.</summary>
    public void Dispose()
    {
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
    }
}
