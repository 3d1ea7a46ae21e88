using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using SphereFace.Graphs.TrainStep;
using SphereFace.Models.Errors;

namespace SphereFace.Training.Distributed;

/// <summary>
/// What makes K processes train as one (docs/distributed.md). Each rank runs the same training step on its shard of the
/// global batch; after the step, <see cref="AverageStep"/> replaces every rank's new momenta (and parameters) by their
/// mean over the ranks. SGD with momentum and weight decay is affine in the gradient, so the mean of the K updated
/// states is the update with the mean gradient — the one-process step on the whole batch — up to float rounding. Loss and
/// accuracy are averaged the same way (equal shards), and a stop asked on any rank (SIGTERM, Ctrl-C) is agreed within the
/// same call, so every rank ends after the same step.
/// </summary>
public sealed class DataParallel(ICollectives collectives)
{
    private volatile bool _stopAsked;

    /// <summary>The ranks.</summary>
    public ICollectives Collectives { get; } = collectives;

    /// <summary>Whether this rank writes the run folder, logs and checkpoints (rank 0 alone).</summary>
    public bool IsWriter => Collectives.Rank == 0;

    /// <summary>Set once every rank has seen a stop request of any rank, after the same step.</summary>
    public bool StopAgreed { get; private set; }

    /// <summary>Steps averaged so far.</summary>
    public long Steps { get; private set; }

    /// <summary>Time spent in <see cref="AverageStep"/> so far: the allreduces, and waiting there for the slowest rank.</summary>
    public TimeSpan AveragingTime { get; private set; }

    /// <summary>Asks for a stop after the current step (safe to call from a signal handler).</summary>
    public void RequestStop() => _stopAsked = true;

    /// <summary>Tensor <paramref name="index"/> (in contract order) of one set of carried values, writable in place.</summary>
    public delegate Span<float> CarriedValues(int index);

    /// <summary>
    /// The step's loss and accuracy averaged over the ranks, after averaging this rank's new carried values
    /// <paramref name="next"/> in place. When the step's update is Caffe's w' = w − v' (checked bit for bit on the first
    /// step, and agreed by all ranks), only the momenta travel: each rank then sets w' = w − mean(v') from the step's
    /// inputs <paramref name="previous"/>, the same float operation the graph performs, for half the bytes. Otherwise
    /// (an edited update, renormalised parameters) every carried tensor is averaged.
    /// </summary>
    public (float Loss, float Accuracy) AverageStep(float loss, float accuracy, IReadOnlyList<CarriedTensor> carried,
                                                   CarriedValues next, CarriedValues previous)
    {
        int k = Collectives.Size;
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        Span<double> scalars = [loss, accuracy, _stopAsked ? 1 : 0];
        Collectives.Sum(scalars);
        if (scalars[2] > 0) StopAgreed = true;
        if (k > 1)
        {
            if (MomentaOnly is null)
            {
                _pairs = MomentumPairs(carried);
                bool holds = _pairs is not null && UpdateIsWeightMinusMomentum(_pairs, carried, next, previous);
                // Every rank must take the same path: the check must hold on all of them.
                MomentaOnly = Collectives.AllEqual(holds ? 1UL : 0UL) && holds;
                _travels = new bool[carried.Count];
                Array.Fill(_travels, true);
                if (MomentaOnly == true) foreach (var (parameter, _) in _pairs!) _travels[parameter] = false;
            }
            for (int i = 0; i < carried.Count; i++)
            {
                if (!_travels![i]) continue;
                var tensor = next(i);
                Collectives.Sum(tensor);
                System.Numerics.Tensors.TensorPrimitives.Multiply(tensor, 1f / k, tensor);
            }
            if (MomentaOnly == true)
                foreach (var (parameter, momentum) in _pairs!)
                    System.Numerics.Tensors.TensorPrimitives.Subtract(previous(parameter), next(momentum), next(parameter));
        }
        AveragingTime += System.Diagnostics.Stopwatch.GetElapsedTime(started);
        Steps++;
        return ((float)(scalars[0] / k), (float)(scalars[1] / k));
    }

    /// <summary>
    /// Whether only the momenta are averaged (the parameters follow as w − v'); null until the first step of a
    /// multi-rank run has decided it.
    /// </summary>
    public bool? MomentaOnly { get; private set; }

    private List<(int Parameter, int Momentum)>? _pairs;
    private bool[]? _travels;   // per carried tensor: averaged over the ranks (false: a parameter that follows as w − v')

    /// <summary>Each parameter's index with its momentum's; null when a parameter has none.</summary>
    private static List<(int Parameter, int Momentum)>? MomentumPairs(IReadOnlyList<CarriedTensor> carried)
    {
        var index = carried.Select((c, i) => (c.Input, i)).ToDictionary(p => p.Input, p => p.i, StringComparer.Ordinal);
        var pairs = new List<(int, int)>();
        for (int i = 0; i < carried.Count; i++)
        {
            if (carried[i].Kind != CarriedKind.Parameter) continue;
            if (!index.TryGetValue(CarriedTensor.MomentumOf(carried[i].Input), out int m)) return null;
            pairs.Add((i, m));
        }
        return pairs;
    }

    /// <summary>Whether this rank's step computed every parameter as exactly w − v' (before any averaging).</summary>
    private static bool UpdateIsWeightMinusMomentum(List<(int Parameter, int Momentum)> pairs, IReadOnlyList<CarriedTensor> carried,
                                                    CarriedValues next, CarriedValues previous)
    {
        foreach (var (p, m) in pairs)
        {
            var expected = new float[carried[p].Count];
            System.Numerics.Tensors.TensorPrimitives.Subtract(previous(p), next(m), expected);
            if (!MemoryMarshal.AsBytes(expected.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(next(p)))) return false;
        }
        return true;
    }

    /// <summary>
    /// Stops with <see cref="SphereFaceErrorCode.DistributedFailure"/> on every rank when the ranks do not all hold the
    /// same <paramref name="what"/> (compared by 64 bits of the SHA-256 of <paramref name="bytes"/>).
    /// </summary>
    /// <exception cref="SphereFaceException">The ranks differ.</exception>
    public void Agree(string what, ReadOnlySpan<byte> bytes, string remedy)
    {
        if (!Collectives.AllEqual(BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(bytes))))
            throw new SphereFaceException(SphereFaceErrorCode.DistributedFailure,
                $"rank {Collectives.Rank} of {Collectives.Size}: {what} differs between ranks; {remedy}");
    }

    /// <summary><see cref="Agree(string, ReadOnlySpan{byte}, string)"/> on the UTF-8 bytes of <paramref name="text"/>.</summary>
    public void Agree(string what, string text, string remedy) => Agree(what, Encoding.UTF8.GetBytes(text), remedy);

    /// <summary><see cref="Agree(string, ReadOnlySpan{byte}, string)"/> on the bytes of <paramref name="values"/>.</summary>
    public void Agree(string what, IEnumerable<float[]> values, string remedy)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var v in values) hash.AppendData(MemoryMarshal.AsBytes(v.AsSpan()));
        Agree(what, hash.GetHashAndReset(), remedy);
    }
}
