namespace SphereFace.Tests.Native;

/// <summary>
/// Independent double-precision 2-D convolution (NCHW, group 1) and its gradients, straight from the definition
/// y[n,m,i,j] = b[m] + Σ_c,u,v x[n,c, s·i + u − pt, s·j + v − pl] · w[m,c,u,v] (out-of-range x is 0), and the
/// layout conversions between NCHW and nChw16c.
/// </summary>
internal sealed record ConvReference(long N, long C, long H, long W, long M, long K, long Stride, long PadBegin, long PadEnd)
{
    public long OutH => (H + PadBegin + PadEnd - K) / Stride + 1;
    public long OutW => (W + PadBegin + PadEnd - K) / Stride + 1;

    private IEnumerable<(long n, long m, long i, long j, long c, long u, long v, long xi, long xj)> Terms()
    {
        for (long n = 0; n < N; n++)
        for (long m = 0; m < M; m++)
        for (long i = 0; i < OutH; i++)
        for (long j = 0; j < OutW; j++)
        for (long c = 0; c < C; c++)
        for (long u = 0; u < K; u++)
        for (long v = 0; v < K; v++)
        {
            long xi = Stride * i + u - PadBegin, xj = Stride * j + v - PadBegin;
            if (xi >= 0 && xi < H && xj >= 0 && xj < W) yield return (n, m, i, j, c, u, v, xi, xj);
        }
    }

    private long X(long n, long c, long i, long j) => ((n * C + c) * H + i) * W + j;
    private long Wt(long m, long c, long u, long v) => ((m * C + c) * K + u) * K + v;
    private long Y(long n, long m, long i, long j) => ((n * M + m) * OutH + i) * OutW + j;

    /// <summary>Forward, NCHW in and out.</summary>
    public double[] Forward(float[] x, float[] w, float[]? b)
    {
        var y = new double[N * M * OutH * OutW];
        if (b is not null)
            for (long n = 0; n < N; n++) for (long m = 0; m < M; m++) for (long p = 0; p < OutH * OutW; p++) y[(n * M + m) * OutH * OutW + p] = b[m];
        foreach (var t in Terms()) y[Y(t.n, t.m, t.i, t.j)] += (double)x[X(t.n, t.c, t.xi, t.xj)] * w[Wt(t.m, t.c, t.u, t.v)];
        return y;
    }

    /// <summary>dX, dW, dB of Σ dY·y.</summary>
    public (double[] Dx, double[] Dw, double[] Db) Backward(float[] x, float[] w, float[] dy)
    {
        var dx = new double[N * C * H * W];
        var dw = new double[M * C * K * K];
        var db = new double[M];
        foreach (var t in Terms())
        {
            double g = dy[Y(t.n, t.m, t.i, t.j)];
            dx[X(t.n, t.c, t.xi, t.xj)] += g * w[Wt(t.m, t.c, t.u, t.v)];
            dw[Wt(t.m, t.c, t.u, t.v)] += g * x[X(t.n, t.c, t.xi, t.xj)];
        }
        for (long n = 0; n < N; n++) for (long m = 0; m < M; m++) for (long p = 0; p < OutH * OutW; p++) db[m] += dy[(n * M + m) * OutH * OutW + p];
        return (dx, dw, db);
    }

    /// <summary>NCHW [n,c,h,w] → blocked [n,c/b,h,w,b].</summary>
    public static float[] ToBlocked(float[] nchw, long n, long c, long h, long w, int b)
    {
        var r = new float[nchw.Length];
        for (long a = 0; a < n; a++) for (long ch = 0; ch < c; ch++) for (long p = 0; p < h * w; p++)
            r[((a * (c / b) + ch / b) * h * w + p) * b + ch % b] = nchw[(a * c + ch) * h * w + p];
        return r;
    }

    /// <summary>Blocked [n,c/b,h,w,b] → NCHW.</summary>
    public static T[] ToPlain<T>(T[] blocked, long n, long c, long h, long w, int b)
    {
        var r = new T[blocked.Length];
        for (long a = 0; a < n; a++) for (long ch = 0; ch < c; ch++) for (long p = 0; p < h * w; p++)
            r[(a * c + ch) * h * w + p] = blocked[((a * (c / b) + ch / b) * h * w + p) * b + ch % b];
        return r;
    }

    /// <summary>max |a − b| / max |b|.</summary>
    public static double RelativeMaxDifference(IReadOnlyList<float> a, IReadOnlyList<double> b)
    {
        double diff = 0, scale = 1e-30;
        for (int i = 0; i < b.Count; i++)
        {
            diff = Math.Max(diff, Math.Abs(a[i] - b[i]));
            scale = Math.Max(scale, Math.Abs(b[i]));
        }
        return diff / scale;
    }
}
