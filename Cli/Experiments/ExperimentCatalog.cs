namespace SphereFace.Cli.Experiments;

/// <summary>
/// The experiments of the SphereFace paper (Table 3, App. E Table 6, Fig. 5) and the IR-Softmax paper
/// (Tables 1–2), at synthetic scale; the identity count passed to <see cref="Get"/> sizes each synthetic set.
/// </summary>
internal static class ExperimentCatalog
{
    public static readonly string[] Names = ["margins", "ablation", "imbalance", "sphere3d"];

    public static ExperimentSpec Get(string name, int identities) => name switch
    {
        "margins" => Margins(identities),
        "ablation" => Ablation(identities),
        "imbalance" => Imbalance(identities),
        "sphere3d" => Sphere3d(),
        _ => throw new ArgumentException($"Unknown experiment '{name}'; expected one of {string.Join(", ", Names)}."),
    };

    private static DataSpec Balanced(int identities) => new("balanced", $"{identities} identities × 20 photos",
        ["--identities", identities.ToString(), "--imbalance", "0", "--max-images", "20", "--pairs-per-fold", PairsPerFold(identities)]);

    private static string PairsPerFold(int identities) => Math.Min(300, Math.Max(1, identities / 50) * 45).ToString();

    private static ExperimentSpec Margins(int n) => new("margins",
        "Softmax, modified softmax and A-Softmax with m = 1…4 (SphereFace Table 3)",
        "Accuracy grows with the angular margin m; A-Softmax beats softmax and modified softmax.",
        [Balanced(n)],
        [
            new("softmax", "balanced", "softmax (FC with bias)", ["--loss", "softmax"]),
            new("modified", "balanced", "modified softmax (normalised weights, no bias)", ["--loss", "modified"]),
            new("asoftmax-m1", "balanced", "A-Softmax m = 1", ["--loss", "asoftmax", "--m", "1"]),
            new("asoftmax-m2", "balanced", "A-Softmax m = 2", ["--loss", "asoftmax", "--m", "2"]),
            new("asoftmax-m3", "balanced", "A-Softmax m = 3", ["--loss", "asoftmax", "--m", "3"]),
            new("asoftmax-m4", "balanced", "A-Softmax m = 4", ["--loss", "asoftmax", "--m", "4"]),
        ],
        ["lfw", "fisher"],
        ["asoftmax-m4", "asoftmax-m3", "asoftmax-m2", "asoftmax-m1", "modified", "softmax"]);

    private static ExperimentSpec Ablation(int n) => new("ablation",
        "Ablation of the SphereFace modifications with the angular Fisher score (SphereFace App. E, Table 6)",
        "Each modification (remove last ReLU, remove biases, normalise weights, A-Softmax with growing m) raises accuracy and lowers the angular Fisher score.",
        [Balanced(n)],
        [
            new("A-relu", "balanced", "softmax with the last ReLU", ["--loss", "softmax", "--last-relu"]),
            new("B-softmax", "balanced", "softmax, last ReLU removed", ["--loss", "softmax"]),
            new("C-nobias", "balanced", "+ biases removed", ["--loss", "softmax", "--no-bias"]),
            new("D-normw", "balanced", "+ weights normalised (modified softmax)", ["--loss", "modified"]),
            new("E-m2", "balanced", "A-Softmax m = 2", ["--loss", "asoftmax", "--m", "2"]),
            new("F-m3", "balanced", "A-Softmax m = 3", ["--loss", "asoftmax", "--m", "3"]),
            new("G-m4", "balanced", "A-Softmax m = 4", ["--loss", "asoftmax", "--m", "4"]),
        ],
        ["lfw", "fisher"],
        ["G-m4", "F-m3", "E-m2", "D-normw", "C-nobias", "B-softmax", "A-relu"]);

    private static ExperimentSpec Imbalance(int n)
    {
        var longTail = new DataSpec("longtail", $"{n} identities, long-tailed counts (exponent 1: 60 photos for the most frequent, ≥ 3)",
            ["--identities", n.ToString(), "--imbalance", "1", "--max-images", "60", "--min-images", "3", "--pairs-per-fold", PairsPerFold(n)]);
        var runs = new List<RunSpec>();
        foreach (var data in new[] { "balanced", "longtail" })
        {
            // As in the IR-Softmax paper, the margin losses are fine-tuned from a softmax model; the base losses get the
            // same start so each pair differs only in the loss. (From scratch, IR-Softmax's random centres lag behind.)
            string softmax = $"{data}/softmax";
            runs.Add(new(softmax, data, "softmax (the start of the fine-tuned runs below)", ["--loss", "softmax"]));
            runs.Add(new($"{data}/asoftmax", data, "A-Softmax m = 4, fine-tuned from softmax", ["--loss", "asoftmax", "--m", "4"], softmax));
            runs.Add(new($"{data}/irsoftmax-a", data, "IR-Softmax(A) m = 4, fine-tuned from softmax", ["--loss", "irsoftmax-a", "--m", "4"], softmax));
            runs.Add(new($"{data}/amsoftmax", data, "AM-Softmax s = 30, m = 0.35, fine-tuned from softmax", ["--loss", "amsoftmax"], softmax));
            runs.Add(new($"{data}/irsoftmax-am", data, "IR-Softmax(AM) s = 30, m = 0.35, fine-tuned from softmax", ["--loss", "irsoftmax-am"], softmax));
        }
        return new("imbalance",
            "A-Softmax vs IR-Softmax(A), AM-Softmax vs IR-Softmax(AM) on balanced and long-tailed data (IR-Softmax Tables 1–2)",
            "IR-Softmax beats its base loss, most clearly when identities are imbalanced.",
            [Balanced(n), longTail], runs, ["lfw", "blufr"], [],
            PaperPairs: [("longtail/irsoftmax-a", "longtail/asoftmax"), ("longtail/irsoftmax-am", "longtail/amsoftmax")]);
    }

    private static ExperimentSpec Sphere3d() => new("sphere3d",
        "3-d features of 6 identities on the sphere for m = 1…4 (SphereFace Fig. 5)",
        "Larger m gives tighter, better separated classes on the sphere: genuine angles shrink, impostor angles grow.",
        [new DataSpec("six", "6 training identities × 40 photos", ["--identities", "8", "--test-fraction", "0.25", "--imbalance", "0",
            "--max-images", "40", "--folds", "1", "--pairs-per-fold", "20"])],
        [
            new("m1", "six", "A-Softmax m = 1", ["--loss", "asoftmax", "--m", "1"]),
            new("m2", "six", "A-Softmax m = 2", ["--loss", "asoftmax", "--m", "2"]),
            new("m3", "six", "A-Softmax m = 3", ["--loss", "asoftmax", "--m", "3"]),
            new("m4", "six", "A-Softmax m = 4", ["--loss", "asoftmax", "--m", "4"]),
        ],
        ["sphere"],
        ["m4", "m3", "m2", "m1"],
        EmbeddingSize: 3,
        FixedData: true,
        LambdaFloorAt: 0.06,
        LambdaFloorWhy: "at 6 % as in the paper: 6 identities with 3-d features are learnt within a few dozen iterations");
}
