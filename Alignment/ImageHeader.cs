using System.Buffers.Binary;

namespace SphereFace.Alignment;

/// <summary>
/// The pixel size an encoded image declares in its header, read without decoding (PNG, JPEG, BMP, GIF, WebP): how a
/// reader refuses a photo that would decode to gigabytes (a 20000×20000 PNG compresses to a few hundred kilobytes)
/// before OpenCV allocates it.
/// </summary>
public static class ImageHeader
{
    /// <summary>Width and height from the header, or null when the format is not one of those above or the header is cut short.</summary>
    public static (int Width, int Height)? Size(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 24 && data[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
            return (BinaryPrimitives.ReadInt32BigEndian(data[16..]), BinaryPrimitives.ReadInt32BigEndian(data[20..]));
        if (data.Length >= 26 && data[0] == 'B' && data[1] == 'M')
            return (BinaryPrimitives.ReadInt32LittleEndian(data[18..]), Math.Abs(BinaryPrimitives.ReadInt32LittleEndian(data[22..])));
        if (data.Length >= 10 && data[..3].SequenceEqual("GIF"u8))
            return (BinaryPrimitives.ReadUInt16LittleEndian(data[6..]), BinaryPrimitives.ReadUInt16LittleEndian(data[8..]));
        if (data.Length >= 30 && data[..4].SequenceEqual("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8)) return WebP(data);
        if (data.Length >= 4 && data[0] == 0xFF && data[1] == 0xD8) return Jpeg(data);
        return null;
    }

    private static (int, int)? WebP(ReadOnlySpan<byte> d)
    {
        var chunk = d[12..16];
        if (chunk.SequenceEqual("VP8X"u8)) return (1 + (d[24] | d[25] << 8 | d[26] << 16), 1 + (d[27] | d[28] << 8 | d[29] << 16));
        if (chunk.SequenceEqual("VP8 "u8)) return (BinaryPrimitives.ReadUInt16LittleEndian(d[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(d[28..]) & 0x3FFF);
        if (chunk.SequenceEqual("VP8L"u8) && d.Length >= 25)
        {
            uint bits = BinaryPrimitives.ReadUInt32LittleEndian(d[21..]);
            return ((int)(bits & 0x3FFF) + 1, (int)((bits >> 14) & 0x3FFF) + 1);
        }
        return null;
    }

    private static (int, int)? Jpeg(ReadOnlySpan<byte> d)
    {
        int at = 2;
        while (at + 9 < d.Length)
        {
            if (d[at] != 0xFF) return null;
            byte marker = d[at + 1];
            if (marker == 0xFF) { at++; continue; }
            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7)) { at += 2; continue; }
            int length = BinaryPrimitives.ReadUInt16BigEndian(d[(at + 2)..]);
            // Start of frame (baseline, progressive, …; not DHT C4, JPG C8, DAC CC): precision, height, width.
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
                return (BinaryPrimitives.ReadUInt16BigEndian(d[(at + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(d[(at + 5)..]));
            if (length < 2) return null;
            at += 2 + length;
        }
        return null;
    }
}
