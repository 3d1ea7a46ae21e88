using SphereFace.Alignment;
using OpenCvSharp;
using SphereFace.Graphs.IO;
using SphereFace.Training.Data.Formats;
using SphereFace.Models.IO;

namespace SphereFace.Training.Data.Synthetic;

/// <summary>A contact sheet of a face set: one row per identity, its first photos side by side, landmarks marked.</summary>
public static class SyntheticPreview
{
    /// <summary>
    /// Writes a PNG grid of up to <paramref name="rows"/> identities × <paramref name="columns"/> photos from the
    /// set in <paramref name="dir"/>; with <paramref name="aligned"/> the photos are shown aligned to 112×96.
    /// </summary>
    public static void Write(string dir, string pngPath, int rows = 8, int columns = 8, bool aligned = false)
    {
        var dataset = FaceDataset.Load(Path.Combine(dir, SyntheticFaceSet.ImagesFolder), Path.Combine(dir, SyntheticFaceSet.LandmarksFile));
        var aligner = new Alignment.FaceAligner();
        var tiles = new List<Mat>();
        try
        {
            foreach (var group in dataset.Samples.GroupBy(s => s.Label).Take(rows))
            {
                var row = new List<Mat>();
                foreach (var sample in group.Take(columns))
                {
                    using var photo = PhotoReader.Read(sample.Path);
                    Mat tile;
                    if (aligned) tile = aligner.Align(photo, sample.Landmarks!);
                    else
                    {
                        tile = photo.Clone();
                        foreach (var p in sample.Landmarks!)
                            Cv2.Circle(tile, new Point((int)Math.Round(p.X * 16), (int)Math.Round(p.Y * 16)), 2 * 16, new Scalar(0, 255, 0), 1, LineTypes.AntiAlias, 4);
                    }
                    row.Add(tile);
                }
                while (row.Count < columns) row.Add(new Mat(row[0].Size(), row[0].Type(), Scalar.All(0)));
                var line = new Mat();
                Cv2.HConcat(row.ToArray(), line);
                foreach (var m in row) m.Dispose();
                tiles.Add(line);
            }
            using var sheet = new Mat();
            Cv2.VConcat(tiles.ToArray(), sheet);
            Cv2.ImEncode(".png", sheet, out byte[] png);
            AtomicFile.WriteAllBytes(pngPath, png);
        }
        finally
        {
            foreach (var t in tiles) t.Dispose();
        }
    }
}
