using OpenCvSharp;
using SphereFace.Inference;
using SphereFace.Inference.Evaluation;
using SphereFace.Reporting.Plots;
using SphereFace.Training.Data;
using SphereFace.Training.Data.Formats;

namespace SphereFace.Cli.Experiments;

/// <summary>
/// The sphere3d protocol: embeds every photo of the training identities with a 3-d model, draws the unit
/// features on the sphere and the histogram of within- and between-class angles (paper Fig. 5), and reports
/// the mean angles and the angular Fisher score.
/// </summary>
internal static class SphereFeatures
{
    public static EvaluationReport Evaluate(string model, string data, string runDir)
    {
        var set = FaceDataset.Load(Path.Combine(data, "images"), Path.Combine(data, "landmarks.txt"),
            IdentityListFile.Read(Path.Combine(data, "train_identities.txt")));
        using var embedder = new Embedder(model);
        var rows = new List<float[]>();
        foreach (var s in set.Samples)
        {
            using var photo = SphereFace.Alignment.PhotoReader.Read(s.Path);
            rows.Add(embedder.Embed(photo, s.Landmarks ?? throw new InvalidDataException($"{s.Path}: no landmarks")));
        }
        var labels = set.Samples.Select(s => s.Label).ToArray();
        var features = EmbeddingMatrix.FromRows(rows);
        SpherePlot.Save(features.Data, labels, Path.Combine(runDir, "sphere.png"), $"{Path.GetFileName(runDir)}: features on the sphere");

        var genuine = new List<double>();
        var impostor = new List<double>();
        for (int i = 0; i < rows.Count; i++)
            for (int j = i + 1; j < rows.Count; j++)
            {
                double angle = Math.Acos(Math.Clamp(Embedder.Similarity(rows[i], rows[j]), -1f, 1f)) * 180 / Math.PI;
                (labels[i] == labels[j] ? genuine : impostor).Add(angle);
            }
        AngleHistogramPlot.Save(genuine, impostor, Path.Combine(runDir, "angles.png"), $"{Path.GetFileName(runDir)}: angles between features");
        var fisher = AngularFisherScore.Compute(features, labels);
        return new EvaluationReport("sphere", model,
        [
            new("mean_genuine_angle_deg", genuine.Average()),
            new("mean_impostor_angle_deg", impostor.Average()),
            new("angular_fisher_score", fisher.Score, Note: "S_w / S_b, lower is more discriminative"),
            new("samples", rows.Count),
        ]);
    }
}
