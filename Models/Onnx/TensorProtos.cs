using System.Runtime.InteropServices;
using Google.Protobuf;

namespace SphereFace.Models.Onnx;

/// <summary>Initializer tensors with their values as little-endian raw data, and the float values of one.</summary>
public static class TensorProtos
{
    /// <summary>A float32 tensor named <paramref name="name"/> of <paramref name="shape"/> holding <paramref name="data"/>.</summary>
    public static TensorProto Float(string name, float[] data, long[] shape) =>
        new() { Name = name, DataType = (int)ElementType.Float, Dims = { shape }, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data.AsSpan())) };

    /// <summary>An int64 tensor named <paramref name="name"/> of <paramref name="shape"/> holding <paramref name="data"/>.</summary>
    public static TensorProto Int64(string name, long[] data, long[] shape) =>
        new() { Name = name, DataType = (int)ElementType.Int64, Dims = { shape }, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data.AsSpan())) };

    /// <summary>The values of float32 tensor <paramref name="t"/>, from its raw data or, when it has none, its float_data field.</summary>
    public static float[] Floats(TensorProto t) =>
        t.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray() : [.. t.FloatData];
}
