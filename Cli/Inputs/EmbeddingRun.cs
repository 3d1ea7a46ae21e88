using OpenCvSharp;
using Spectre.Console;
using SphereFace.Inference;

namespace SphereFace.Cli.Inputs;

/// <summary>Decodes images and embeds them in batches with a progress bar.</summary>
internal static class EmbeddingRun
{
    /// <summary>
    /// Embeds all <paramref name="inputs"/> (photos with landmarks are aligned; images without are taken as
    /// aligned faces) and returns the rows (inputs × <see cref="Embedder.Dimension"/>). An unreadable image is an
    /// error naming the file.
    /// </summary>
    public static float[] Compute(Embedder embedder, IReadOnlyList<FaceInput> inputs, int batch, string label)
    {
        var result = new float[(long)inputs.Count * embedder.Dimension];
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(label, maxValue: inputs.Count);
                for (int start = 0; start < inputs.Count; start += batch)
                {
                    int n = Math.Min(batch, inputs.Count - start);
                    var mats = new Mat[n];
                    try
                    {
                        Parallel.For(0, n, k => mats[k] = Decode(inputs[start + k].Path));
                        var dest = result.AsSpan(start * embedder.Dimension, n * embedder.Dimension);
                        var chunk = inputs.Skip(start).Take(n).ToList();
                        if (chunk.All(i => i.Landmarks is not null)) embedder.Embed(mats, chunk.Select(i => i.Landmarks!).ToList(), dest);
                        else if (chunk.All(i => i.Landmarks is null)) embedder.EmbedAligned(mats, dest);
                        else throw new InvalidDataException("Some images have landmarks and some do not; give landmarks for all or none.");
                    }
                    catch (ArgumentException e)
                    {
                        throw new InvalidDataException($"Images {inputs[start].Path} … {inputs[start + n - 1].Path}: {e.Message}", e);
                    }
                    finally
                    {
                        foreach (var m in mats) m?.Dispose();
                    }
                    task.Increment(n);
                }
            });
        return result;
    }

    private static Mat Decode(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Image '{path}' does not exist.", path);
        var mat = Cv2.ImRead(path, ImreadModes.Color);
        if (mat.Empty())
        {
            mat.Dispose();
            throw new InvalidDataException($"Image '{path}' cannot be decoded.");
        }
        return mat;
    }
}
