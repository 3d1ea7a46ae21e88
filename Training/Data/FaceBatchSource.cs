using System.Collections.Concurrent;
using OpenCvSharp;
using SphereFace.Alignment;
using SphereFace.Graphs.Parameters;

namespace SphereFace.Training.Data;

/// <summary>
/// The training input pipeline: worker threads decode, align (when the sample has landmarks), flip and normalise
/// whole batches into pinned buffers, at most <see cref="FaceBatchSourceOptions.Prefetch"/> batches ahead of the
/// consumer; <see cref="Next"/> copies the next batch, in order, into the caller's buffers.
/// </summary>
/// <remarks>
/// The content of batch k depends only on the dataset, the seed and k (the sample order is
/// <see cref="SampleOrder"/>, the flip of each stream position is a hash of seed and position), so a run resumed
/// from <see cref="State"/> sees exactly the batches it would have seen, whatever the number of workers.
/// An image that cannot be used (unreadable, corrupt, degenerate landmarks, wrong size for an aligned dataset)
/// is skipped: a warning is written once per file, <see cref="SkippedImages"/> counts it, and its slot in the
/// batch is filled with a copy of the next usable image of the same batch (labels stay consistent). A batch with
/// no usable image at all raises <see cref="InvalidDataException"/> listing its files.
/// </remarks>
public sealed class FaceBatchSource : IBatchSource
{
    private sealed class Slot(int floats, int batch) : IDisposable
    {
        public readonly float[] Data = GC.AllocateArray<float>(floats, pinned: true);
        public readonly long[] Labels = new long[batch];
        public readonly ManualResetEventSlim Ready = new(false);
        public Exception? Error;
        public int Skipped;
        public void Dispose() => Ready.Dispose();
    }

    private readonly IReadOnlyList<FaceSample> _samples;
    private readonly FaceBatchSourceOptions _options;
    private readonly Func<FaceSample, Mat> _decode;
    private readonly SampleOrder _order;
    private readonly FaceAligner _aligner;
    private readonly int _imageFloats;
    private readonly long _start;
    private readonly Slot[] _slots;
    private readonly SemaphoreSlim _free;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread[] _threads;
    private readonly ConcurrentDictionary<string, byte> _warned = new(StringComparer.Ordinal);
    private readonly byte[]?[]? _cache;
    private long _nextBatch = -1;
    private long _consumed;
    private long _skipped;
    private bool _disposed;

    /// <summary>
    /// Starts the workers over <paramref name="dataset"/>. <paramref name="decode"/> reads a sample's image as
    /// BGR CV_8UC3 (an empty Mat or an exception marks it unusable); by default the file at
    /// <see cref="FaceSample.Path"/> is decoded with OpenCV.
    /// </summary>
    public FaceBatchSource(FaceDataset dataset, FaceBatchSourceOptions options, Func<FaceSample, Mat>? decode = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        if (options.BatchSize < 1) throw new ArgumentException($"batch size must be ≥ 1, got {options.BatchSize}.");
        if (options.Workers < 1) throw new ArgumentException($"workers must be ≥ 1, got {options.Workers}.");
        if (options.Prefetch < 1) throw new ArgumentException($"prefetch must be ≥ 1, got {options.Prefetch}.");
        if (options.Shard.Count < 1 || options.Shard.Index < 0 || options.Shard.Index >= options.Shard.Count)
            throw new ArgumentException($"shard {options.Shard.Index} of {options.Shard.Count} does not exist.");
        if (!(options.FlipProbability is >= 0 and <= 1)) throw new ArgumentException($"flip probability must be in [0, 1], got {options.FlipProbability}.");
        _samples = dataset.Samples;
        _options = options;
        _decode = decode ?? DecodeFile;
        Classes = dataset.Identities.Count;
        _order = new SampleOrder(_samples.Count, options.Seed);
        _start = options.Resume is { } resume ? _order.PositionOf(resume) : 0;
        _aligner = new FaceAligner(options.Template);
        _cache = options.CacheAligned ? new byte[]?[_samples.Count] : null;
        _imageFloats = FacePreprocess.TensorLength(options.Template);
        int ahead = Math.Max(options.Prefetch, options.Workers);
        _slots = Enumerable.Range(0, ahead).Select(_ => new Slot(_imageFloats * options.BatchSize, options.BatchSize)).ToArray();
        _free = new SemaphoreSlim(ahead, ahead);
        _threads = Enumerable.Range(0, options.Workers).Select(i => new Thread(Work) { IsBackground = true, Name = $"face-batch-{i}" }).ToArray();
        foreach (var t in _threads) t.Start();
    }

    /// <inheritdoc/>
    public int BatchSize => _options.BatchSize;

    /// <inheritdoc/>
    public int Classes { get; }

    /// <summary>Floats per image (3·H·W of the template).</summary>
    public int ImageFloats => _imageFloats;

    /// <inheritdoc/>
    public SampleOrderState State => _order.StateAt(_start + Interlocked.Read(ref _consumed) * BatchSize * _options.Shard.Count);

    /// <inheritdoc/>
    public string Digest
    {
        get
        {
            var text = new System.Text.StringBuilder();
            foreach (var s in _samples) text.Append(s.Path).Append('\t').Append(s.Label).Append('\n');
            return $"{_samples.Count} samples, {Classes} classes, sha256 " +
                   Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString())));
        }
    }

    /// <summary>Images skipped in the batches delivered so far (each occurrence counts, also when the same file comes back next epoch).</summary>
    public long SkippedImages => Interlocked.Read(ref _skipped);

    /// <summary>Distinct files found unusable so far (including in batches prepared ahead).</summary>
    public IReadOnlyCollection<string> SkippedFiles => _warned.Keys.ToList();

    /// <inheritdoc/>
    public void Next(Span<float> data, Span<long> labels)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (data.Length != _imageFloats * BatchSize)
            throw new ArgumentException($"batch data buffer holds {data.Length} floats, expected {BatchSize}×{_imageFloats} = {BatchSize * _imageFloats}.");
        if (labels.Length != BatchSize)
            throw new ArgumentException($"label buffer holds {labels.Length} entries, expected {BatchSize}.");
        long k = _consumed;
        var slot = _slots[k % _slots.Length];
        slot.Ready.Wait();
        if (slot.Error is { } error)
            throw error is InvalidDataException or Models.Errors.FaceInputException ? new InvalidDataException(error.Message, error) : new InvalidOperationException($"input pipeline failed on batch {k}: {error.Message}", error);
        slot.Data.AsSpan().CopyTo(data);
        slot.Labels.AsSpan().CopyTo(labels);
        Interlocked.Add(ref _skipped, slot.Skipped);
        slot.Ready.Reset();
        Interlocked.Increment(ref _consumed);
        _free.Release();
    }

    private void Work()
    {
        try
        {
            while (true)
            {
                _free.Wait(_stop.Token);
                long k = Interlocked.Increment(ref _nextBatch);
                var slot = _slots[k % _slots.Length];
                try { Fill(slot, k); }
                catch (Exception e) { slot.Error = e; slot.Ready.Set(); return; }
                slot.Ready.Set();
            }
        }
        catch (OperationCanceledException) { }
    }

    private void Fill(Slot slot, long batch)
    {
        int b = BatchSize;
        var good = new bool[b];
        var reasons = new string[b];
        slot.Skipped = 0;
        for (int i = 0; i < b; i++)
        {
            long position = _options.Shard.Position(_start, batch, b, i);
            int index = _order.At(position);
            var sample = _samples[index];
            slot.Labels[i] = sample.Label;
            var dest = slot.Data.AsSpan(i * _imageFloats, _imageFloats);
            bool flip = FlipAt(position);
            try
            {
                if (_cache?[index] is { } cached)
                {
                    var size = _aligner.OutputSize;
                    using var crop = Mat.FromPixelData(size.Height, size.Width, MatType.CV_8UC3, cached);
                    FacePreprocess.ToTensor(crop, dest, _options.Template, flip);
                    good[i] = true;
                    continue;
                }
                using var image = _decode(sample);
                if (image is null || image.Empty())
                    throw new InvalidDataException("unreadable or corrupt image");
                using var aligned = sample.Landmarks is { } marks ? _aligner.Align(image, marks) : image.Clone();
                FacePreprocess.ToTensor(aligned, dest, _options.Template, flip);
                if (_cache is not null)
                {
                    var bytes = new byte[aligned.Total() * aligned.ElemSize()];
                    using (var contiguous = aligned.IsContinuous() ? null : aligned.Clone())
                        System.Runtime.InteropServices.Marshal.Copy((contiguous ?? aligned).Data, bytes, 0, bytes.Length);
                    Volatile.Write(ref _cache[index], bytes);
                }
                good[i] = true;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or Models.Errors.FaceInputException or IOException or UnauthorizedAccessException or OpenCVException)
            {
                reasons[i] = e.Message;
                slot.Skipped++;
                if (_warned.TryAdd(sample.Path, 0))
                    (_options.Warn ?? (m => Console.Error.WriteLine(m)))($"warning: skipped image '{sample.Path}': {e.Message}");
            }
        }
        if (!good.Contains(true))
        {
            var files = Enumerable.Range(0, b).Select(i => _samples[_order.At(_options.Shard.Position(_start, batch, b, i))].Path).ToList();
            throw new InvalidDataException($"no usable image in batch {batch}: {FaceDataset.Preview(files)} (first reason: {reasons[0]}).");
        }
        for (int i = 0; i < b; i++)
        {
            if (good[i]) continue;
            int j = (i + 1) % b;
            while (!good[j]) j = (j + 1) % b;
            slot.Data.AsSpan(j * _imageFloats, _imageFloats).CopyTo(slot.Data.AsSpan(i * _imageFloats, _imageFloats));
            slot.Labels[i] = slot.Labels[j];
        }
    }

    private bool FlipAt(long position)
    {
        if (_options.FlipProbability <= 0) return false;
        var hash = new SeededRandom(SeededRandom.ForName(_options.Seed, "flip").State ^ (ulong)position * 0xD1B54A32D192ED03UL);
        return hash.NextDouble() < _options.FlipProbability;
    }

    /// <summary>
    /// Reads a file and decodes it as BGR CV_8UC3 through <see cref="PhotoReader"/>: a header above its pixel limit is
    /// refused before decoding, a truncated JPEG refused (the pipeline skips the sample with the reason).
    /// </summary>
    public static Mat DecodeFile(FaceSample sample) => PhotoReader.Read(sample.Path);

    /// <summary>Stops the workers and releases the buffers.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stop.Cancel();
        foreach (var t in _threads) t.Join();
        foreach (var s in _slots) s.Dispose();
        _free.Dispose();
        _stop.Dispose();
        _options.Owned?.Dispose();
    }
}
