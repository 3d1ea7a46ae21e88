using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using SphereFace.Training.Data.Synthetic;

namespace SphereFace.Cli.Commands;

/// <summary><c>synth</c>: writes the deterministic synthetic face set (images, landmarks, identity splits, pairs).</summary>
internal static class SynthCommand
{
    public static Command Create()
    {
        var defaults = new SyntheticFaceSetOptions();
        var outDir = new Option<string>("--out") { Description = "output folder (empty, new, or an earlier synthetic set)", Required = true };
        var identities = new Option<int>("--identities") { Description = "identities in total (train + test)", DefaultValueFactory = _ => defaults.Identities };
        var seed = new Option<ulong>("--seed") { Description = "seed; the same seed and options give byte-identical files", DefaultValueFactory = _ => defaults.Seed };
        var imbalance = new Option<double>("--imbalance") { Description = "long-tail exponent s: identity of rank r gets max(min, round(max·r^-s)) images; 0 = balanced", DefaultValueFactory = _ => defaults.Imbalance };
        var maxImages = new Option<int>("--max-images") { Description = "images of the most frequent training identity", DefaultValueFactory = _ => defaults.MaxImagesPerIdentity };
        var minImages = new Option<int>("--min-images") { Description = "fewest images of a training identity", DefaultValueFactory = _ => defaults.MinImagesPerIdentity };
        var testFraction = new Option<double>("--test-fraction") { Description = "share of identities held out (disjoint) for testing", DefaultValueFactory = _ => defaults.TestFraction };
        var testImages = new Option<int>("--test-images") { Description = "images per test identity", DefaultValueFactory = _ => defaults.TestImagesPerIdentity };
        var size = new Option<int>("--size") { Description = "photo side in pixels (e.g. 160, or 250 like LFW)", DefaultValueFactory = _ => defaults.ImageSize };
        var folds = new Option<int>("--folds") { Description = "folds of pairs.txt (lowered to what the test identities fill unless given)", DefaultValueFactory = _ => defaults.Folds };
        var pairs = new Option<int>("--pairs-per-fold") { Description = "matched (and as many mismatched) pairs per fold (lowered to what a fold's identities hold unless given)", DefaultValueFactory = _ => defaults.PairsPerFold };
        var preview = new Option<string?>("--preview") { Description = "also write a contact sheet PNG (8 identities × 8 photos, landmarks marked; *_aligned.png next to it)" };
        var threads = new Option<int>("--threads") { Description = "render threads (does not change the output)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var cmd = new Command("synth", "Generate the synthetic face set: photos with true landmarks, train/test identity split and an LFW-style pairs file.")
        {
            outDir, identities, seed, imbalance, maxImages, minImages, testFraction, testImages, size, folds, pairs, threads, preview,
        };
        cmd.SetAction(p => CliAction.Run(() =>
        {
            var options = new SyntheticFaceSetOptions
            {
                Identities = p.GetValue(identities), Seed = p.GetValue(seed), Imbalance = p.GetValue(imbalance),
                MaxImagesPerIdentity = p.GetValue(maxImages), MinImagesPerIdentity = p.GetValue(minImages),
                TestFraction = p.GetValue(testFraction), TestImagesPerIdentity = p.GetValue(testImages),
                ImageSize = p.GetValue(size), Folds = p.GetValue(folds), PairsPerFold = p.GetValue(pairs), Threads = p.GetValue(threads),
            }.WithPairsThatFit(foldsGiven: p.GetResult(folds) is { Implicit: false }, pairsGiven: p.GetResult(pairs) is { Implicit: false });
            options.Validate(field => "--" + field.Replace('_', '-'));
            string dir = p.GetValue(outDir)!;
            var plan = SyntheticFaceSet.Plan(options);
            var clock = Stopwatch.StartNew();
            int written = 0;
            AnsiConsole.Progress().AutoClear(true).Start(ctx =>
            {
                var task = ctx.AddTask("rendering", maxValue: plan.Counts.Sum());
                written = SyntheticFaceSet.Generate(dir, options, (done, _) => { if (done % 64 == 0) task.Value = done; });
                task.Value = written;
            });
            double seconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"{written:N0} photos of {options.Identities} identities ({plan.Train.Length} train, {plan.Test.Length} test) → {dir}");
            Console.WriteLine($"{seconds:0.0} s, {written / seconds:0} photos/s with {options.Threads} threads");
            if (p.GetValue(preview) is { } sheet)
            {
                SyntheticPreview.Write(dir, sheet);
                SyntheticPreview.Write(dir, Path.ChangeExtension(sheet, null) + "_aligned.png", aligned: true);
                Console.WriteLine($"contact sheets → {sheet}, {Path.ChangeExtension(sheet, null)}_aligned.png");
            }
            return 0;
        }));
        return cmd;
    }
}
