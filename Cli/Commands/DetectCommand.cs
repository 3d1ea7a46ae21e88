using System.CommandLine;
using System.Globalization;
using OpenCvSharp;
using Spectre.Console;
using SphereFace.Alignment;
using SphereFace.Alignment.Formats;
using SphereFace.Detection;
using SphereFace.Detection.Photos;
using SphereFace.Models.IO;

namespace SphereFace.Cli.Commands;

/// <summary>
/// <c>detect</c>: the faces of photos and their five points (docs/detection.md): <c>faces.json</c>, optionally the
/// most prominent face of each photo as a landmark list, and each photo drawn with its boxes and points.
/// </summary>
internal static class DetectCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "a photo, or a folder of photos (searched recursively)", Required = true };
        var output = new Option<string>("--out") { Description = "faces.json to write (boxes, scores, five points of every face)", Required = true };
        var landmarks = new Option<string?>("--landmarks-out") { Description = "also write the most prominent face of each photo as a landmark list (path x1 y1 … x5 y5)" };
        var draw = new Option<string?>("--draw") { Description = "folder to write each photo into with its boxes and points drawn" };
        var minScore = new Option<float>("--min-score") { Description = "lowest detector score kept", DefaultValueFactory = _ => new FaceDetectorOptions().MinScore };
        var minPresence = new Option<float>("--min-landmark-score") { Description = "lowest face-presence probability of the landmark model kept", DefaultValueFactory = _ => new FaceDetectorOptions().MinLandmarkScore };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads (0: one per core)", DefaultValueFactory = _ => 0 };
        var cmd = new Command("detect", "Find the faces in photos and their five landmarks (MediaPipe's face detector and face mesh, converted to ONNX).")
        {
            data, output, landmarks, draw, minScore, minPresence, threads,
        };
        cmd.SetAction(p => CliAction.Run(() =>
        {
            string outPath = Path.GetFullPath(p.GetValue(output)!);
            Inputs.OutputPaths.Check(outPath, "--out", (p.GetValue(data), "--data"));
            if (p.GetValue(landmarks) is { } landmarkList) Inputs.OutputPaths.Check(landmarkList, "--landmarks-out", (p.GetValue(data), "--data"), (outPath, "--out"));
            var photos = PhotoFolder.List(p.GetValue(data)!);
            using var detector = new FaceDetector(new FaceDetectorOptions { MinScore = p.GetValue(minScore), MinLandmarkScore = p.GetValue(minPresence), IntraOpThreads = Models.Native.ThreadCount.Check(p.GetValue(threads), "--threads") });
            var results = Detect(detector, photos, p.GetValue(draw));
            new FacesFile(results).Save(outPath);
            int faces = results.Sum(r => r.Faces.Count);
            var none = results.Where(r => r.Faces.Count == 0 && r.Error is null).ToList();
            var failed = results.Where(r => r.Error is not null).ToList();
            Console.WriteLine($"{photos.Count} photos, {faces} faces → {outPath}");
            if (none.Count > 0) Console.WriteLine($"no face in {none.Count} photo(s): {string.Join(", ", none.Take(10).Select(r => r.Path))}{(none.Count > 10 ? ", …" : "")}");
            foreach (var f in failed) Console.Error.WriteLine($"sphereface: skipped {f.Path}: {f.Error}");
            if (p.GetValue(landmarks) is { } list)
            {
                var entries = results.Where(r => r.Faces.Count > 0)
                    .Select(r => new LandmarkEntry(r.Path, r.Faces.MaxBy(f => f.Box[2] * f.Box[3])!.Landmarks.Select(l => new Point2f(l[0], l[1])).ToArray()));
                LandmarkListFile.Write(list, entries);
                Console.WriteLine($"most prominent face per photo → {Path.GetFullPath(list)}");
            }
            return 0;
        }));
        return cmd;
    }

    /// <summary>Detects photo by photo (a progress bar on a terminal); an unreadable photo is recorded with its error, not fatal.</summary>
    public static List<PhotoFaces> Detect(FaceDetector detector, IReadOnlyList<(string Path, string Relative)> photos, string? drawFolder)
    {
        var results = new List<PhotoFaces>();
        void One((string Path, string Relative) photo)
        {
            try
            {
                using var image = PhotoReader.Read(photo.Path, detector.Options.MaxPixels);
                var faces = detector.Detect(image);
                results.Add(new PhotoFaces(photo.Relative, image.Width, image.Height, faces.Select(FaceRecord.Of).ToArray()));
                if (drawFolder is not null) Draw(image, faces, Path.Combine(drawFolder, photo.Relative));
            }
            catch (Exception e) when (e is InvalidDataException or Models.Errors.FaceInputException or FileNotFoundException or ArgumentException)
            {
                results.Add(new PhotoFaces(photo.Relative, 0, 0, [], e.Message));
            }
        }
        if (Console.IsOutputRedirected || photos.Count < 8)
            foreach (var photo in photos) One(photo);
        else
            AnsiConsole.Progress().Start(ctx =>
            {
                var task = ctx.AddTask("detect", maxValue: photos.Count);
                foreach (var photo in photos)
                {
                    One(photo);
                    task.Increment(1);
                }
            });
        return results;
    }

    /// <summary>The photo with each face's box, score and five points drawn (eyes blue, nose green, mouth red).</summary>
    private static void Draw(Mat image, IReadOnlyList<DetectedFace> faces, string path)
    {
        using var canvas = image.Clone();
        int thickness = Math.Max(1, Math.Max(image.Width, image.Height) / 400);
        foreach (var face in faces)
        {
            var box = new Rect((int)face.Box.X, (int)face.Box.Y, (int)face.Box.Width, (int)face.Box.Height);
            Cv2.Rectangle(canvas, box, Scalar.Yellow, thickness);
            Cv2.PutText(canvas, face.Score.ToString("F2", CultureInfo.InvariantCulture), new Point(box.X, Math.Max(0, box.Y - 4)),
                HersheyFonts.HersheySimplex, 0.4 * thickness, Scalar.Yellow, thickness);
            Scalar[] colours = [Scalar.Blue, Scalar.Blue, Scalar.Lime, Scalar.Red, Scalar.Red];
            for (int k = 0; k < 5; k++)
                Cv2.Circle(canvas, new Point(face.Landmarks[k].X, face.Landmarks[k].Y), 2 * thickness, colours[k], -1);
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string ext = Path.GetExtension(path).ToLowerInvariant() is ".png" or ".jpg" or ".jpeg" or ".bmp" ? Path.GetExtension(path) : ".png";
        AtomicFile.Write(Path.ChangeExtension(path, ext), stream =>
        {
            Cv2.ImEncode(ext, canvas, out var bytes);
            stream.Write(bytes);
        });
    }
}
