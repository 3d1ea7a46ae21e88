using SphereFace.Models.Native;
using SphereFace.Graphs.TrainStep;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SphereFace.Models.Onnx;

namespace SphereFace.Training.Session;

/// <summary>
/// Runs a training-step ONNX model (docs/train-step.md) step after step with ONNX Runtime's plain
/// InferenceSession and <see cref="OrtIoBinding"/>.
/// <para>
/// Every carried tensor (parameter, momentum, state) has two pre-allocated buffers, A and B. Two bindings
/// are made once: "A in → B out" and "B in → A out"; steps alternate between them, so the outputs
/// <c>next/X</c> of step t are the inputs <c>X</c> of step t+1 without any per-step allocation or copy.
/// The batch (<c>data</c>, <c>label</c>) and the scalars (<c>lr</c>, <c>lambda</c>) are pre-allocated CPU
/// tensors filled in place before each step. On CUDA the carried buffers live in device memory for the whole
/// run; they are copied to or from the host only by <see cref="WriteCarried"/> and <c>ReadCarried</c>.
/// </para>
/// </summary>
public sealed class TrainStepSession : IDisposable
{
    private const string DataInput = TrainStepContract.DataInput, LabelInput = TrainStepContract.LabelInput,
        LrInput = TrainStepContract.LrInput, LambdaInput = TrainStepContract.LambdaInput,
        LossOutput = TrainStepContract.LossOutput, AccuracyOutput = TrainStepContract.AccuracyOutput;

    private readonly SessionOptions _sessionOptions;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions;
    private readonly OrtValue[] _setA;
    private readonly OrtValue[] _setB;
    private readonly OrtValue _data, _label, _lr, _loss, _accuracy;
    private readonly OrtValue? _lambda;
    private readonly OrtIoBinding _aToB;
    private readonly OrtIoBinding _bToA;
    private readonly Dictionary<string, int> _slotIndex = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _owned = [];
    private bool _currentIsA = true;
    private bool _disposed;

    /// <summary>
    /// Creates the session for <paramref name="model"/>, which must follow <paramref name="contract"/> (checked first;
    /// <paramref name="source"/> names the model in errors), and allocates all buffers (carried tensors zeroed).
    /// </summary>
    /// <exception cref="InvalidDataException">The model breaks the contract; the message names the tensor.</exception>
    public TrainStepSession(ModelProto model, TrainStepContract contract, TrainSessionOptions options, string source = "train_step.onnx")
    {
        ExecutionDevices.EnsureAvailable(options.Device);
        if (options.DataParallel is not null && options.Device != ExecutionDevice.Cpu)
            throw new ArgumentException("data-parallel training runs on the CPU; the GPU path (NCCL on device buffers) is designed in docs/distributed.md but not implemented.");
        contract.Check(model, source);
        Options = options;
        Threads = options.ResolvedThreads;
        _sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = Threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            // ONNX Runtime's memory pattern pre-plans one block for every intermediate of the step; without it the
            // SF-20 batch-32 step peaked at 1213 instead of 1702 MiB and ran 8–15 % faster (docs/training-performance.md).
            EnableMemoryPattern = false,
        };
        try
        {
#if SPHEREFACE_CUDA
            if (options.Device == ExecutionDevice.Cuda) _sessionOptions.AppendExecutionProvider_CUDA(options.DeviceId);
#endif
            options.Configure?.Invoke(_sessionOptions);

            _session = new InferenceSession(model.ToByteArray(), _sessionOptions);
            _runOptions = new RunOptions();

            Carried = contract.Carried;
            for (int i = 0; i < Carried.Count; i++) _slotIndex[Carried[i].Input] = i;
            BatchSize = contract.BatchSize;
            DataShape = contract.Data;
            long[] labelShape = [BatchSize];
            bool hasLambda = _session.InputMetadata.ContainsKey(LambdaInput);

            var cpu = OrtAllocator.DefaultInstance;
            _data = Own(OrtValue.CreateAllocatedTensorValue(cpu, TensorElementType.Float, DataShape));
            _label = Own(OrtValue.CreateAllocatedTensorValue(cpu, TensorElementType.Int64, labelShape));
            _lr = Own(OrtValue.CreateAllocatedTensorValue(cpu, TensorElementType.Float, []));
            _lambda = hasLambda ? Own(OrtValue.CreateAllocatedTensorValue(cpu, TensorElementType.Float, [])) : null;
            _loss = Own(OrtValue.CreateAllocatedTensorValue(cpu, TensorElementType.Float, []));
            _accuracy = Own(OrtValue.CreateAllocatedTensorValue(cpu, TensorElementType.Float, []));
            DataBuffer.Clear();
            LabelBuffer.Clear();

            var carriedAllocator = CarriedAllocator();
            _setA = Carried.Select(c => Own(OrtValue.CreateAllocatedTensorValue(carriedAllocator, TensorElementType.Float, c.Shape))).ToArray();
            _setB = Carried.Select(c => Own(OrtValue.CreateAllocatedTensorValue(carriedAllocator, TensorElementType.Float, c.Shape))).ToArray();

            _aToB = Own(Bind(_setA, _setB));
            _bToA = Own(Bind(_setB, _setA));

            foreach (var slot in Carried) ZeroCarried(slot);
        }
        catch
        {
            DisposeOwned();
            throw;
        }
    }

    /// <summary>The options the session was made with.</summary>
    public TrainSessionOptions Options { get; }

    /// <summary>Intra-op threads in use.</summary>
    public int Threads { get; }

    /// <summary>Carried tensors in the contract's order.</summary>
    public IReadOnlyList<CarriedTensor> Carried { get; }

    /// <summary>Images per step.</summary>
    public int BatchSize { get; }

    /// <summary>Shape of the <c>data</c> input (batch first).</summary>
    public long[] DataShape { get; }


    /// <summary>Number of steps run since the session was created (decides which buffer set is current).</summary>
    public long StepsRun { get; private set; }

    /// <summary>The batch's image buffer (pre-allocated, native memory): fill it before <see cref="Step"/>.</summary>
    public Span<float> DataBuffer => _data.GetTensorMutableDataAsSpan<float>();

    /// <summary>The batch's label buffer (pre-allocated, native memory): fill it before <see cref="Step"/>.</summary>
    public Span<long> LabelBuffer => _label.GetTensorMutableDataAsSpan<long>();

    /// <summary>The carried tensor called <paramref name="input"/>.</summary>
    public CarriedTensor Slot(string input) => Carried[IndexOf(input)];

    /// <summary>True when the model carries a tensor called <paramref name="input"/>.</summary>
    public bool HasCarried(string input) => _slotIndex.ContainsKey(input);

    /// <summary>
    /// Runs one step on the current batch buffers with learning rate <paramref name="lr"/> and λ
    /// <paramref name="lambda"/> (ignored when the model has no λ input). The carried tensors advance by one
    /// step. NaN inputs are not checked: a NaN loss is returned as is.
    /// </summary>
    public StepResult Step(float lr, float lambda)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _lr.GetTensorMutableDataAsSpan<float>()[0] = lr;
        if (_lambda is not null) _lambda.GetTensorMutableDataAsSpan<float>()[0] = lambda;
        var binding = _currentIsA ? _aToB : _bToA;
        _session.RunWithBinding(_runOptions, binding);
#if SPHEREFACE_CUDA
        if (Options.Device == ExecutionDevice.Cuda) binding.SynchronizeBoundOutputs();
#endif
        _currentIsA = !_currentIsA;
        StepsRun++;
        float loss = _loss.GetTensorDataAsSpan<float>()[0], accuracy = _accuracy.GetTensorDataAsSpan<float>()[0];
        if (Options.DataParallel is { } parallel)
        {
            OrtValue[] current = Current, previous = _currentIsA ? _setB : _setA;
            (loss, accuracy) = parallel.AverageStep(loss, accuracy, Carried,
                i => current[i].GetTensorMutableDataAsSpan<float>(), i => previous[i].GetTensorMutableDataAsSpan<float>());
        }
        return new StepResult(loss, accuracy);
    }

    /// <summary>Copies the current value of carried tensor <paramref name="input"/> into <paramref name="destination"/>.</summary>
    public void ReadCarried(string input, Span<float> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int i = IndexOf(input);
        CheckLength(Carried[i], destination.Length);
        var current = Current[i];
#if SPHEREFACE_CUDA
        if (Options.Device == ExecutionDevice.Cuda)
        {
            using var host = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, Carried[i].Shape);
            OrtEnv.Instance().CopyTensors([current], [host], null);
            host.GetTensorDataAsSpan<float>().CopyTo(destination);
            return;
        }
#endif
        current.GetTensorDataAsSpan<float>().CopyTo(destination);
    }

    /// <summary>Reads the current value of carried tensor <paramref name="input"/> into a new array.</summary>
    public float[] ReadCarried(string input)
    {
        var values = new float[Slot(input).Count];
        ReadCarried(input, values);
        return values;
    }

    /// <summary>Sets the current value of carried tensor <paramref name="input"/> (initial values, or a checkpoint's).</summary>
    public void WriteCarried(string input, ReadOnlySpan<float> values)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int i = IndexOf(input);
        CheckLength(Carried[i], values.Length);
        var current = Current[i];
#if SPHEREFACE_CUDA
        if (Options.Device == ExecutionDevice.Cuda)
        {
            using var host = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, Carried[i].Shape);
            values.CopyTo(host.GetTensorMutableDataAsSpan<float>());
            OrtEnv.Instance().CopyTensors([host], [current], null);
            return;
        }
#endif
        values.CopyTo(current.GetTensorMutableDataAsSpan<float>());
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        DisposeOwned();
    }

    private OrtValue[] Current => _currentIsA ? _setA : _setB;

    private void ZeroCarried(CarriedTensor slot)
    {
        if (Options.Device == ExecutionDevice.Cpu) Current[_slotIndex[slot.Input]].GetTensorMutableDataAsSpan<float>().Clear();
        else WriteCarried(slot.Input, new float[slot.Count]);
    }

    private OrtIoBinding Bind(OrtValue[] inputs, OrtValue[] outputs)
    {
        var binding = _session.CreateIoBinding();
        try
        {
            binding.BindInput(DataInput, _data);
            binding.BindInput(LabelInput, _label);
            binding.BindInput(LrInput, _lr);
            if (_lambda is not null) binding.BindInput(LambdaInput, _lambda);
            for (int i = 0; i < Carried.Count; i++)
            {
                binding.BindInput(Carried[i].Input, inputs[i]);
                binding.BindOutput(Carried[i].Output, outputs[i]);
            }
            binding.BindOutput(LossOutput, _loss);
            binding.BindOutput(AccuracyOutput, _accuracy);
            return binding;
        }
        catch
        {
            binding.Dispose();
            throw;
        }
    }

#pragma warning disable CA1822 // reads the session's device in the CUDA build
    private OrtAllocator CarriedAllocator()
    {
#if SPHEREFACE_CUDA
        if (Options.Device == ExecutionDevice.Cuda)
        {
            var info = Own(new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA, OrtAllocatorType.DeviceAllocator, Options.DeviceId, OrtMemType.Default));
            return Own(new OrtAllocator(_session, info));
        }
#endif
        return OrtAllocator.DefaultInstance;
    }
#pragma warning restore CA1822

    private int IndexOf(string input) => _slotIndex.TryGetValue(input, out int i) ? i
        : throw new KeyNotFoundException($"The training step carries no tensor named '{input}'.");

    private static void CheckLength(CarriedTensor slot, int length)
    {
        if (length != slot.Count)
            throw new ArgumentException($"Carried tensor '{slot.Input}' has {slot.Count} values, the buffer has {length}.");
    }

    private T Own<T>(T resource) where T : IDisposable
    {
        _owned.Add(resource);
        return resource;
    }

    private void DisposeOwned()
    {
        // Bindings and values before the session, the session before its options.
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        _owned.Clear();
        _runOptions?.Dispose();
        _session?.Dispose();
        _sessionOptions.Dispose();
    }
}
