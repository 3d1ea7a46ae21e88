using OpenCvSharp;
using Spectre.Console;
using SphereFace.Inference;
using SphereFace.Inference.Evaluation;

namespace SphereFace.Cli.Inputs;

/// <summary>The embeddings of the inputs that could be read, and which inputs those were.</summary>
/// <param name="Embeddings">One row per kept input, in input order.</param>
/// <param name="Kept">The index (into the inputs) of each row.</param>
/// <param name="Skipped">The inputs left out, with the reason.</param>
internal sealed record EmbeddingResult(EmbeddingMatrix Embeddings, int[] Kept, IReadOnlyList<(string Path, string Reason)> Skipped)
{
    /// <summary>The kept subset of <paramref name="items"/> (one item per input).</summary>
    public T[] Select<T>(IReadOnlyList<T> items) => Kept.Select(i => items[i]).ToArray();
}

/// <summary>
/// Decodes images and embeds them in batches (a progress bar on a terminal). An image that cannot be used — missing,
/// undecodable, degenerate landmarks, the wrong size for an aligned face — is skipped with a warning line naming it
/// and counted, as <c>train</c> does; with <c>strict</c> it is an error instead.
/// </summary>
internal static class EmbeddingRun
{
    /// <summary>
    /// Embeds <paramref name="inputs"/> (photos with landmarks are aligned; images without are taken as aligned faces).
    /// </summary>
    /// <exception cref="InvalidDataException">With <paramref name="strict"/>, the first unusable image; always, when
    /// some inputs have landmarks and others not, or when no image at all is usable.</exception>
    public static EmbeddingResult Compute(Embedder embedder, IReadOnlyList<FaceInput> inputs, int batch, string label, bool strict)
    {
        if (inputs.Any(i => i.Landmarks is null) && inputs.Any(i => i.Landmarks is not null))
            throw new InvalidDataException("Some images have landmarks and some do not; give landmarks for all or none.");
        var rows = new List<float[]>();
        var kept = new List<int>();
        var skipped = new List<(string, string)>();
        void Work(Action<int> progress)
        {
            for (int start = 0; start < inputs.Count; start += batch)
            {
                int n = Math.Min(batch, inputs.Count - start);
                var mats = new Mat?[n];
                var reasons = new string?[n];
                try
                {
                    Parallel.For(0, n, k => (mats[k], reasons[k]) = Load(embedder, inputs[start + k]));
                    for (int k = 0; k < n; k++)
                    {
                        if (reasons[k] is not { } reason) continue;
                        if (strict) throw new InvalidDataException($"Image '{inputs[start + k].Path}': {reason} (without --strict it would be skipped).");
                        Console.Error.WriteLine($"warning: skipped image '{inputs[start + k].Path}': {reason}");
                        skipped.Add((inputs[start + k].Path, reason));
                    }
                    var good = Enumerable.Range(0, n).Where(k => reasons[k] is null).ToList();
                    if (good.Count > 0)
                    {
                        var dest = new float[good.Count * embedder.Dimension];
                        var images = good.Select(k => mats[k]!).ToList();
                        if (inputs[start].Landmarks is not null) embedder.Embed(images, good.Select(k => inputs[start + k].Landmarks!).ToList(), dest);
                        else embedder.EmbedAligned(images, dest);
                        for (int j = 0; j < good.Count; j++)
                        {
                            rows.Add(dest.AsSpan(j * embedder.Dimension, embedder.Dimension).ToArray());
                            kept.Add(start + good[j]);
                        }
                    }
                }
                finally
                {
                    foreach (var m in mats) m?.Dispose();
                }
                progress(n);
            }
        }
        if (!Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(label, maxValue: inputs.Count);
                    Work(n => task.Increment(n));
                });
        else
            Work(_ => { });
        if (kept.Count == 0 && inputs.Count > 0) throw new InvalidDataException($"None of the {inputs.Count} images could be used (first: '{inputs[0].Path}': {skipped[0].Item2}).");
        if (skipped.Count > 0) Console.Error.WriteLine($"warning: skipped {skipped.Count} of {inputs.Count} images ({label}); the results cover the other {kept.Count}.");
        var flat = new float[(long)kept.Count * embedder.Dimension];
        for (int i = 0; i < rows.Count; i++) rows[i].CopyTo(flat, (long)i * embedder.Dimension);
        return new EmbeddingResult(new EmbeddingMatrix(flat, kept.Count, embedder.Dimension), kept.ToArray(), skipped);
    }

    /// <summary>Decodes and checks one image: the image, or the reason it cannot be used.</summary>
    private static (Mat? Image, string? Reason) Load(Embedder embedder, FaceInput input)
    {
        if (!File.Exists(input.Path)) return (null, "the file does not exist");
        Mat mat;
        try
        {
            // The one reader of photos: its pixel limit refuses a decompression bomb before decoding.
            mat = SphereFace.Alignment.PhotoReader.Read(input.Path);
        }
        catch (Models.Errors.FaceInputException e)
        {
            return (null, e.Message.StartsWith(input.Path, StringComparison.Ordinal) ? e.Message[input.Path.Length..].TrimStart(':', ' ').TrimEnd('.') : e.Message);
        }
        catch (OpenCVException e)
        {
            return (null, $"cannot be decoded ({e.Message})");
        }
        try
        {
            if (input.Landmarks is { } points) SphereFace.Alignment.LandmarkCheck.Validate(points, mat.Size());
            else if (!embedder.AcceptsAlignedSize(mat.Width, mat.Height))
                throw new Models.Errors.InputException(
                    $"is {mat.Width}×{mat.Height} (width×height) but the model takes aligned {embedder.Contract.Width}×{embedder.Contract.Height} faces; give --landmarks to align photos");
            return (mat, null);
        }
        catch (ArgumentException e)
        {
            mat.Dispose();
            return (null, e.Message.TrimEnd('.'));
        }
    }
}
