namespace SphereFace.Detection;

/// <summary>
/// One decoded detector output in the letterboxed input's normalised coordinates: box centre and size, the six
/// BlazeFace keypoints (the subject's right eye, left eye, nose tip, mouth centre, right and left ear tragion), score.
/// </summary>
internal sealed record RawDetection(float CentreX, float CentreY, float Width, float Height, float[] Keypoints, float Score)
{
    public const int KeypointCount = 6;

    public float Left => CentreX - Width / 2;
    public float Top => CentreY - Height / 2;
    public float Right => CentreX + Width / 2;
    public float Bottom => CentreY + Height / 2;

    /// <summary>Intersection over union of two boxes.</summary>
    public float Overlap(RawDetection other)
    {
        float w = Math.Min(Right, other.Right) - Math.Max(Left, other.Left), h = Math.Min(Bottom, other.Bottom) - Math.Max(Top, other.Top);
        if (w <= 0 || h <= 0) return 0;
        float intersection = w * h, union = Width * Height + other.Width * other.Height - intersection;
        return union > 0 ? intersection / union : 0;
    }

    /// <summary>
    /// Decodes the detector's outputs (<paramref name="regressors"/> [2304 × 16]: box centre offset, size and keypoint
    /// offsets in input pixels, x before y; <paramref name="logits"/> [2304]) into the anchors at or above <paramref name="minScore"/>.
    /// </summary>
    public static List<RawDetection> Decode(ReadOnlySpan<float> regressors, ReadOnlySpan<float> logits, float minScore)
    {
        var found = new List<RawDetection>();
        const float scale = Anchors.InputSize;
        for (int i = 0; i < Anchors.Count; i++)
        {
            // MediaPipe clips the logit to ±100 before the sigmoid.
            float score = 1f / (1f + MathF.Exp(-Math.Clamp(logits[i], -100f, 100f)));
            if (score < minScore) continue;
            var r = regressors.Slice(i * 16, 16);
            var (ax, ay) = Anchors.Centre(i);
            var keypoints = new float[2 * KeypointCount];
            for (int k = 0; k < KeypointCount; k++)
            {
                keypoints[2 * k] = r[4 + 2 * k] / scale + ax;
                keypoints[2 * k + 1] = r[5 + 2 * k] / scale + ay;
            }
            float w = r[2] / scale, h = r[3] / scale;
            if (!(w > 0 && h > 0)) continue;
            found.Add(new RawDetection(r[0] / scale + ax, r[1] / scale + ay, w, h, keypoints, score));
        }
        return found;
    }

    /// <summary>
    /// MediaPipe's weighted non-maximum suppression: from the best remaining detection, every detection overlapping it by
    /// more than <paramref name="overlap"/> (itself included) is merged into one whose box and keypoints are their
    /// score-weighted mean and whose score is the best one's.
    /// </summary>
    public static List<RawDetection> MergeOverlapping(List<RawDetection> detections, float overlap, int max)
    {
        var remaining = detections.OrderByDescending(d => d.Score).ToList();
        var merged = new List<RawDetection>();
        while (remaining.Count > 0 && merged.Count < max)
        {
            var best = remaining[0];
            var cluster = remaining.Where(d => d.Overlap(best) > overlap || ReferenceEquals(d, best)).ToList();
            remaining.RemoveAll(cluster.Contains);
            float total = cluster.Sum(d => d.Score);
            float Mean(Func<RawDetection, float> f) => cluster.Sum(d => f(d) * d.Score) / total;
            var keypoints = new float[2 * KeypointCount];
            for (int k = 0; k < keypoints.Length; k++) keypoints[k] = Mean(d => d.Keypoints[k]);
            float left = Mean(d => d.Left), top = Mean(d => d.Top), right = Mean(d => d.Right), bottom = Mean(d => d.Bottom);
            merged.Add(new RawDetection((left + right) / 2, (top + bottom) / 2, right - left, bottom - top, keypoints, best.Score));
        }
        return merged;
    }
}
