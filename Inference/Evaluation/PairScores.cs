using System.Numerics.Tensors;

namespace SphereFace.Inference.Evaluation;

/// <summary>Cosine scores over many pairs of unit-norm rows, in parallel, with impostor scores streamed into a <see cref="ScoreTail"/>.</summary>
internal static class PairScores
{
    /// <summary>
    /// Scores every unordered pair i &lt; j of <paramref name="unit"/> (rows already L2-normalised): genuine
    /// scores (equal labels) are returned, impostor scores are streamed into a tail keeping the k+1 largest.
    /// </summary>
    public static (float[] Genuine, ScoreTail Impostors) AllPairs(EmbeddingMatrix unit, IReadOnlyList<int> labels, long k)
    {
        var genuine = new List<float>();
        var tail = new ScoreTail(k);
        var gate = new object();
        Parallel.For(0, unit.Count, () => (G: new List<float>(), T: new ScoreTail(k)), (i, _, local) =>
        {
            var a = unit.Row(i);
            for (int j = i + 1; j < unit.Count; j++)
            {
                float s = TensorPrimitives.Dot(a, unit.Row(j));
                if (labels[i] == labels[j]) local.G.Add(s); else local.T.Add(s);
            }
            return local;
        }, local => { lock (gate) { genuine.AddRange(local.G); tail.Merge(local.T); } });
        return (genuine.ToArray(), tail);
    }
}
