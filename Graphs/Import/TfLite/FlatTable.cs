using Google.FlatBuffers;

namespace SphereFace.Graphs.Import.TfLite;

/// <summary>
/// One FlatBuffers table of a <c>.tflite</c> file, read field by field by the field's index in the schema (the slot in
/// the table's vtable is 4 + 2·index): the accessors of <see cref="TfLiteSchema"/>. Every read is bounds-checked by
/// <see cref="ByteBuffer"/>; a read outside the file surfaces as <see cref="InvalidDataException"/> from
/// <see cref="TfLiteFile.Read"/>.
/// </summary>
internal readonly struct FlatTable
{
    private readonly Table _table;

    public FlatTable(int position, ByteBuffer buffer) => _table = new Table(position, buffer);

    /// <summary>The root table of a buffer (its first 4 bytes are the offset to it).</summary>
    public static FlatTable Root(ByteBuffer buffer) => new(buffer.GetInt(buffer.Position) + buffer.Position, buffer);

    private int Slot(int field) => _table.__offset(4 + 2 * field);

    /// <summary>Whether the field is present.</summary>
    public bool Has(int field) => Slot(field) != 0;

    public int Int(int field, int fallback = 0)
    {
        int o = Slot(field);
        return o != 0 ? _table.bb.GetInt(o + _table.bb_pos) : fallback;
    }

    public sbyte SByte(int field, sbyte fallback = 0)
    {
        int o = Slot(field);
        return o != 0 ? _table.bb.GetSbyte(o + _table.bb_pos) : fallback;
    }

    public byte Byte(int field, byte fallback = 0)
    {
        int o = Slot(field);
        return o != 0 ? _table.bb.Get(o + _table.bb_pos) : fallback;
    }

    public bool Bool(int field, bool fallback = false)
    {
        int o = Slot(field);
        return o != 0 ? _table.bb.Get(o + _table.bb_pos) != 0 : fallback;
    }

    public string? String(int field)
    {
        int o = Slot(field);
        return o != 0 ? _table.__string(o + _table.bb_pos) : null;
    }

    /// <summary>A sub-table (a table field or a union's value), or null when absent.</summary>
    public FlatTable? Table(int field)
    {
        int o = Slot(field);
        return o != 0 ? new FlatTable(_table.__indirect(o + _table.bb_pos), _table.bb) : null;
    }

    /// <summary>A vector of tables; empty when absent.</summary>
    public IReadOnlyList<FlatTable> Tables(int field)
    {
        int o = Slot(field);
        if (o == 0) return [];
        int start = _table.__vector(o), length = _table.__vector_len(o);
        CheckLength(length, 4);
        var result = new FlatTable[length];
        for (int j = 0; j < length; j++) result[j] = new FlatTable(_table.__indirect(start + j * 4), _table.bb);
        return result;
    }

    /// <summary>A vector of 32-bit integers; empty when absent.</summary>
    public int[] Ints(int field)
    {
        int o = Slot(field);
        if (o == 0) return [];
        int start = _table.__vector(o), length = _table.__vector_len(o);
        CheckLength(length, 4);
        var result = new int[length];
        for (int j = 0; j < length; j++) result[j] = _table.bb.GetInt(start + j * 4);
        return result;
    }

    /// <summary>A vector of bytes (a buffer's data), or an empty span when absent.</summary>
    public ReadOnlyMemory<byte> Bytes(int field)
    {
        int o = Slot(field);
        if (o == 0) return ReadOnlyMemory<byte>.Empty;
        int start = _table.__vector(o), length = _table.__vector_len(o);
        CheckLength(length, 1);
        return _table.bb.ToArraySegment(start, length);
    }

    // A vector's length comes from the file: check it fits before anything is allocated for it.
    private void CheckLength(int length, int elementSize)
    {
        if (length < 0 || (long)length * elementSize > _table.bb.Length)
            throw new InvalidDataException($"a vector claims {length} elements, more than the file's {_table.bb.Length} bytes hold");
    }
}
