using System.CommandLine;
using Spectre.Console;
using SphereFace.Cli.Inputs;
using SphereFace.Inference;
using SphereFace.Inference.Evaluation;
using SphereFace.Inference.Verification;
using SphereFace.Reporting.Plots;
using SphereFace.Training.Data;
using SphereFace.Training.Data.Formats;

namespace SphereFace.Cli.Commands;

/// <summary><c>eval</c>: runs an evaluation protocol with a model and prints/saves the figures.</summary>
internal static class EvalCommand
{
    private static readonly string[] Protocols = ["lfw", "blufr", "ident", "fisher"];

    public static Command Create()
    {
        var args = new EmbedderArguments();
        var protocol = new Option<string>("--protocol") { Description = "lfw (pairs file, 10 folds), blufr (open set), ident (with distractors), fisher (angular Fisher score)", Required = true };
        var pairs = new Option<string?>("--pairs") { Description = "lfw: LFW-format pairs.txt (names/numbers refer to --data)" };
        var bin = new Option<string?>("--bin") { Description = "lfw: an insightface verification set (lfw.bin, cfp_fp.bin, agedb_30.bin: 112×112 aligned faces, 10 folds in file order) instead of --data and --pairs" };
        var distractors = new Option<string?>("--distractors") { Description = "ident: distractor image folder or list" };
        var distractorLandmarks = new Option<string?>("--distractor-landmarks") { Description = "ident: landmark list of the distractors" };
        var trials = new Option<int>("--trials") { Description = "blufr: random open-set splits", DefaultValueFactory = _ => 10 };
        var identities = new Option<string?>("--identity-list") { Description = "blufr/fisher/ident: identity list restricting the --data folder (e.g. test_identities.txt)" };
        var output = new Option<string?>("--out") { Description = "results JSON (default: eval-<protocol>.json next to the model; lfw plots beside it)" };
        var stamp = new Option<bool>("--stamp") { Description = "lfw: write the verification thresholds calibrated on these pairs into the model's metadata (used by Embedder.Verify)" };
        var cmd = new Command("eval", "Evaluate a model: LFW 10-fold verification, BLUFR-style open set, identification with distractors, or the angular Fisher score.");
        foreach (var o in args.All) cmd.Options.Add(o);
        foreach (var o in new Option[] { protocol, pairs, bin, distractors, distractorLandmarks, trials, identities, output, stamp }) cmd.Options.Add(o);
        cmd.SetAction(p => CliAction.Run(() =>
        {
            string name = p.GetValue(protocol)!.Trim().ToLowerInvariant();
            if (!Protocols.Contains(name)) throw new Models.Errors.InputException($"Unknown --protocol '{name}'; expected {string.Join(", ", Protocols)}.");
            string model = p.GetValue(args.Model)!;
            string json = p.GetValue(output) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(model))!, $"eval-{name}.json");
            string? binFile = p.GetValue(bin);
            if (binFile is not null && (name != "lfw" || p.GetValue(pairs) is not null || p.GetValue(args.Data) is not null))
                throw new Models.Errors.InputException("--bin is a whole verification set: use it with --protocol lfw and without --data and --pairs.");
            string images = binFile is null ? args.RequireData(p, $"the images of the {name} protocol") : "";
            int batch = p.GetValue(args.Batch);
            bool strict = p.GetValue(args.Strict);
            if (p.GetValue(trials) is < 1 or > 1000) throw new Models.Errors.InputException($"--trials must be in 1…1000, got {p.GetValue(trials)}.");
            string stem = Path.ChangeExtension(json, null);
            var read = new (string?, string)[] { (model, "--model"), (p.GetValue(pairs), "--pairs"), (binFile, "--bin"), (p.GetValue(args.Data), "--data"),
                (p.GetValue(args.Landmarks), "--landmarks"), (p.GetValue(distractors), "--distractors"), (p.GetValue(distractorLandmarks), "--distractor-landmarks") };
            foreach (var written in new[] { json, stem + "-roc.png", stem + "-angles.png" }) OutputPaths.Check(written, "--out", read);
            if (p.GetValue(stamp) && name != "lfw") throw new Models.Errors.InputException($"--stamp needs --protocol lfw (labelled pairs to calibrate on), not {name}.");
            IReadOnlyList<VerificationThresholds>? thresholds = null;
            using var embedder = args.Open(p);
            EvaluationReport report;
            switch (name)
            {
                case "lfw":
                {
                    using var unpacked = binFile is null ? null : new TemporaryFolder("sphereface-bin");
                    var (inputs, verification) = binFile is not null ? BinInputs(binFile, unpacked!.Path)
                        : LfwInputs(images, p.GetValue(args.Landmarks), p.GetValue(pairs) ?? throw new Models.Errors.InputException("--protocol lfw needs --pairs (an LFW-format pairs.txt) or --bin (an insightface .bin set)."));
                    var embedded = EmbeddingRun.Compute(embedder, inputs, batch, "embedding", strict);
                    var rowOf = new int[inputs.Count];
                    Array.Fill(rowOf, -1);
                    for (int r = 0; r < embedded.Kept.Length; r++) rowOf[embedded.Kept[r]] = r;
                    // Pairs with an unusable image are left out (and counted), as the rows of those images are.
                    var usable = verification.Where(v => rowOf[v.Left] >= 0 && rowOf[v.Right] >= 0)
                        .Select(v => v with { Left = rowOf[v.Left], Right = rowOf[v.Right] }).ToList();
                    if (usable.Count < verification.Count)
                        Console.Error.WriteLine($"warning: {verification.Count - usable.Count} of {verification.Count} pairs left out (they use a skipped image).");
                    var result = LfwVerification.Evaluate(embedded.Embeddings, usable);
                    thresholds = ThresholdCalibration.FromPairs(embedded.Embeddings, usable, embedder.FlipConcatenation);
                    report = result.ToReport(model) with { Thresholds = thresholds };
                    // The plots show the scores Verify compares: raw cosines of the embedder's representation, with the
                    // threshold that --stamp writes for it.
                    var served = thresholds[0];
                    var raw = ThresholdCalibration.Scores(embedded.Embeddings, usable, embedded.Embeddings.Dimension);
                    var same = usable.Select(v => v.Same).ToArray();
                    string what = $"{Path.GetFileName(model)}, {served.Representation} embeddings, raw cosine";
                    RocPlot.Save(RocCurve.FromScores(raw, same), stem + "-roc.png", $"LFW pairs ROC: {what}", (served.ThresholdAtBestAccuracy, "threshold at best accuracy"));
                    var angles = AngleHistogramPlot.ToDegrees(raw);
                    AngleHistogramPlot.Save(angles.Where((_, i) => same[i]).ToList(), angles.Where((_, i) => !same[i]).ToList(),
                        stem + "-angles.png", $"angles of LFW pairs: {what}", (served.ThresholdAtBestAccuracy, "threshold at best accuracy"));
                    Console.WriteLine($"plots → {stem}-roc.png, {stem}-angles.png");
                    break;
                }
                case "blufr":
                {
                    var inputs = FaceInputs.Load(images, p.GetValue(args.Landmarks), p.GetValue(identities));
                    var embedded = EmbeddingRun.Compute(embedder, inputs, batch, "embedding", strict);
                    report = OpenSetEvaluation.Evaluate(embedded.Embeddings, embedded.Select(FaceInputs.Labels(inputs)), p.GetValue(trials)).ToReport(model);
                    break;
                }
                case "fisher":
                {
                    var inputs = FaceInputs.Load(images, p.GetValue(args.Landmarks), p.GetValue(identities));
                    var embedded = EmbeddingRun.Compute(embedder, inputs, batch, "embedding", strict);
                    report = AngularFisherScore.Compute(embedded.Embeddings, embedded.Select(FaceInputs.Labels(inputs))).ToReport(model);
                    break;
                }
                default:
                {
                    string gallery = p.GetValue(distractors) ?? throw new Models.Errors.InputException("--protocol ident needs --distractors (a folder or list of distractor images).");
                    var probes = FaceInputs.Load(images, p.GetValue(args.Landmarks), p.GetValue(identities));
                    var others = FaceInputs.Load(gallery, p.GetValue(distractorLandmarks));
                    var probeRows = EmbeddingRun.Compute(embedder, probes, batch, "embedding", strict);
                    var distractorRows = EmbeddingRun.Compute(embedder, others, batch, "distractors", strict);
                    report = DistractorIdentification.Evaluate(probeRows.Embeddings, probeRows.Select(FaceInputs.Labels(probes)), distractorRows.Embeddings).ToReport(model);
                    break;
                }
            }
            Print(report);
            if (thresholds is not null) PrintThresholds(thresholds);
            report.Save(json);
            Console.WriteLine($"results → {json}");
            if (thresholds is not null && p.GetValue(stamp))
            {
                embedder.Dispose();
                ModelThresholdStamp.Apply(model, thresholds);
                Console.WriteLine($"thresholds ({string.Join(", ", thresholds.Select(t => t.Representation))}) → metadata of {model}");
            }
            return 0;
        }));
        return cmd;
    }

    /// <summary>An insightface .bin set's images (aligned, no landmarks) and pairs, in insightface's 10 folds.</summary>
    private static (List<FaceInput> Inputs, List<VerificationPair> Pairs) BinInputs(string binFile, string folder)
    {
        var set = InsightFaceBinFile.Extract(binFile, folder);
        var folds = set.Folds();
        var inputs = set.Images.Select(path => new FaceInput(path, "", null)).ToList();
        var pairs = set.Same.Select((same, i) => new VerificationPair(2 * i, 2 * i + 1, same, folds[i])).ToList();
        return (inputs, pairs);
    }

    /// <summary>The images a pairs file names (each once) and the pairs as rows of that list, fold by fold.</summary>
    private static (List<FaceInput> Inputs, List<VerificationPair> Pairs) LfwInputs(string images, string? landmarks, string pairsFile)
    {
        if (!Directory.Exists(images)) throw new DirectoryNotFoundException($"--data '{images}' must be the image folder the pairs file refers to.");
        var folds = PairsFile.Read(pairsFile);
        landmarks ??= Inputs.DetectedLandmarks.For(images)?.LandmarkList;
        var set = FaceDataset.Load(images, landmarks, missing: landmarks is null ? MissingLandmarks.Error : MissingLandmarks.Skip);
        // Pairs name images as <name>/<name>_<nnnn>; match them whatever the file extension.
        var byStem = new Dictionary<string, FaceSample>(StringComparer.Ordinal);
        foreach (var s in set.Samples)
        {
            string rel = Path.GetRelativePath(images, s.Path).Replace('\\', '/');
            byStem[Path.ChangeExtension(rel, null)] = s;
        }
        var rows = new Dictionary<string, int>(StringComparer.Ordinal);
        var inputs = new List<FaceInput>();
        int Row(string name, int number)
        {
            string stem = FacePair.ImagePath(name, number, "");
            if (rows.TryGetValue(stem, out int r)) return r;
            if (!byStem.TryGetValue(stem, out var sample))
                throw new InvalidDataException($"{pairsFile}: image '{stem}.*' is not under '{images}'{(landmarks is null ? "" : $" with landmarks in '{landmarks}'")}.");
            inputs.Add(new FaceInput(sample.Path, set.Identities[sample.Label], sample.Landmarks));
            return rows[stem] = inputs.Count - 1;
        }
        var pairs = new List<VerificationPair>();
        for (int f = 0; f < folds.Count; f++)
            foreach (var pair in folds[f].All)
                pairs.Add(new VerificationPair(Row(pair.Name1, pair.Number1), Row(pair.Name2, pair.Number2), pair.Same, f));
        return (inputs, pairs);
    }

    private static void Print(EvaluationReport report)
    {
        var table = new Table().Title($"{report.Protocol}: {Markup.Escape(report.Model)}");
        table.AddColumns("metric", "value", "± std", "note");
        foreach (var m in report.Metrics)
            table.AddRow(m.Name, Format(m.Value), m.Std is { } s ? s.ToString("F4", System.Globalization.CultureInfo.InvariantCulture) : "", Markup.Escape(m.Note ?? ""));
        AnsiConsole.Write(table);
    }

    private static void PrintThresholds(IReadOnlyList<VerificationThresholds> thresholds)
    {
        var table = new Table().Title("verification thresholds on the raw cosine (all pairs)");
        table.AddColumns("embedding", "threshold at best accuracy", "accuracy", "at FAR 1e-3", "at FAR 1e-4", "impostors");
        foreach (var t in thresholds)
            table.AddRow(t.Representation, t.ThresholdAtBestAccuracy.ToString("F4", System.Globalization.CultureInfo.InvariantCulture), t.AccuracyAtBest.ToString("F4", System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(t.DescribeFar(1e-3)), Markup.Escape(t.DescribeFar(1e-4)), t.ImpostorPairs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
    }

    private static string Format(double? v) => v switch
    {
        null => "n/a",
        { } x when double.IsInfinity(x) || double.IsNaN(x) => x.ToString(System.Globalization.CultureInfo.InvariantCulture),
        { } x when x == Math.Floor(x) && Math.Abs(x) >= 2 => x.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
        { } x => x.ToString("F4", System.Globalization.CultureInfo.InvariantCulture),
    };
}
