using Google.FlatBuffers;

namespace SphereFace.Graphs.Import.TfLite;

/// <summary>
/// One FlatBuffers table of a <c>.tflite</c> file, read field by field by the field's index in the schema (the slot in
/// the table's vtable is 4 + 2·index): the accessors of <see cref="TfLiteSchema"/>. Every read is bounds-checked by
/// <see cref="ByteBuffer"/>; a read outside the file surfaces as <see cref="InvalidDataException"/> from
/// <see cref="TfLiteFile.Read"/> and <see cref="TfLiteToOnnx.Convert"/>.
/// </summary>
internal readonly struct FlatTable
{
    private readonly Table _table;

    public FlatTable(int position, ByteBuffer buffer) => _table = new Table(position, buffer);

    /// <summary>The root table of a buffer (its first 4 bytes are the offset to it).</summary>
    public static FlatTable Root(ByteBuffer buffer) => new(buffer.GetInt(buffer.Position) + buffer.Position, buffer);

    private int Slot(int field)
    {
        var t = _table;
        return Checked(() => t.__offset(4 + 2 * field));
    }

    /// <summary>
    /// A read of the file's bytes: <see cref="ByteBuffer"/> checks the bounds, and a read outside them means a corrupt
    /// file, reported as such (also for the option tables the converter reads after <see cref="TfLiteFile.Read"/>).
    /// </summary>
    private static T Checked<T>(Func<T> read)
    {
        try { return read(); }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            throw new CorruptFlatBufferException($"the TFLite flatbuffer is truncated or corrupt: a field lies outside the file ({e.Message})", e);
        }
    }

    /// <summary>Whether the field is present.</summary>
    public bool Has(int field) => Slot(field) != 0;

    public int Int(int field, int fallback = 0)
    {
        int o = Slot(field);
        var t = _table;
        return o != 0 ? Checked(() => t.bb.GetInt(o + t.bb_pos)) : fallback;
    }

    public sbyte SByte(int field, sbyte fallback = 0)
    {
        int o = Slot(field);
        var t = _table;
        return o != 0 ? Checked(() => t.bb.GetSbyte(o + t.bb_pos)) : fallback;
    }

    public byte Byte(int field, byte fallback = 0)
    {
        int o = Slot(field);
        var t = _table;
        return o != 0 ? Checked(() => t.bb.Get(o + t.bb_pos)) : fallback;
    }

    public bool Bool(int field, bool fallback = false)
    {
        int o = Slot(field);
        var t = _table;
        return o != 0 ? Checked(() => t.bb.Get(o + t.bb_pos)) != 0 : fallback;
    }

    public string? String(int field)
    {
        int o = Slot(field);
        var t = _table;
        return o != 0 ? Checked(() => t.__string(o + t.bb_pos)) : null;
    }

    /// <summary>A sub-table (a table field or a union's value), or null when absent.</summary>
    public FlatTable? Table(int field)
    {
        int o = Slot(field);
        var t = _table;
        return o != 0 ? new FlatTable(Checked(() => t.__indirect(o + t.bb_pos)), t.bb) : null;
    }

    /// <summary>A vector of tables; empty when absent.</summary>
    public IReadOnlyList<FlatTable> Tables(int field)
    {
        int o = Slot(field);
        if (o == 0) return [];
        var t = _table;
        return Checked(() =>
        {
            int start = t.__vector(o), length = t.__vector_len(o);
            CheckLength(t, length, 4);
            var result = new FlatTable[length];
            for (int j = 0; j < length; j++) result[j] = new FlatTable(t.__indirect(start + j * 4), t.bb);
            return result;
        });
    }

    /// <summary>A vector of 32-bit integers; empty when absent.</summary>
    public int[] Ints(int field)
    {
        int o = Slot(field);
        if (o == 0) return [];
        var t = _table;
        return Checked(() =>
        {
            int start = t.__vector(o), length = t.__vector_len(o);
            CheckLength(t, length, 4);
            var result = new int[length];
            for (int j = 0; j < length; j++) result[j] = t.bb.GetInt(start + j * 4);
            return result;
        });
    }

    /// <summary>A vector of bytes (a buffer's data), or an empty span when absent.</summary>
    public ReadOnlyMemory<byte> Bytes(int field)
    {
        int o = Slot(field);
        if (o == 0) return ReadOnlyMemory<byte>.Empty;
        var t = _table;
        return Checked(() =>
        {
            int start = t.__vector(o), length = t.__vector_len(o);
            CheckLength(t, length, 1);
            return (ReadOnlyMemory<byte>)t.bb.ToArraySegment(start, length);
        });
    }

    // A vector's length comes from the file: check it fits before anything is allocated for it.
    private static void CheckLength(Table t, int length, int elementSize)
    {
        if (length < 0 || (long)length * elementSize > t.bb.Length)
            throw new CorruptFlatBufferException($"a vector claims {length} elements, more than the file's {t.bb.Length} bytes hold", null);
    }
}

/// <summary>A read outside a flatbuffer's bytes: the file is corrupt (the readers report it as an
/// <see cref="InvalidDataException"/> naming the file).</summary>
internal sealed class CorruptFlatBufferException(string message, Exception? inner) : Exception(message, inner);
