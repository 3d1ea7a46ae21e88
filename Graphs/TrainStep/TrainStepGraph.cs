using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Graphs.IO;
using SphereFace.Graphs.Losses;
using SphereFace.Models.Native;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.Ops.Dnnl;
using SphereFace.Graphs.Optimizers;
using SphereFace.Graphs.Parameters;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.TrainStep;

/// <summary>
/// One SGD step as one ONNX model (docs/train-step.md): forward net → loss head → reverse-mode backward graph
/// → Caffe SGD-with-momentum update, following <see cref="TrainStepContract"/>. Inputs: <c>data</c>, <c>label</c>,
/// <c>lr</c>, <c>lambda</c>, then every carried tensor (parameters in declaration order, then their momenta, then
/// state); outputs: <c>loss</c>, <c>accuracy</c>, then <c>next/&lt;X&gt;</c> for every carried input X in the same
/// order. Shapes are static.
/// </summary>
public sealed class TrainStepGraph
{
    private TrainStepGraph(ModelProto model, IReadOnlyList<CarriedTensor> carried, TrainStepConfig config, IReadOnlyDictionary<string, float[]> initial)
    {
        Model = model;
        Contract = new TrainStepContract(config.BatchSize, carried);
        Config = config;
        Plugins = PluginLibrary.For(model);
        _initial = initial;
    }

    private readonly IReadOnlyDictionary<string, float[]> _initial;

    /// <summary>The ONNX model.</summary>
    public ModelProto Model { get; }
    /// <summary>The model's I/O contract: batch size and carried tensors in input order (parameters, momenta, state).</summary>
    public TrainStepContract Contract { get; }
    /// <summary>Carried tensors in input order (parameters, momenta, state).</summary>
    public IReadOnlyList<CarriedTensor> Carried => Contract.Carried;
    /// <summary>The plugin libraries the model's custom-domain nodes need registered (none for a standard-op graph).</summary>
    public IReadOnlyList<PluginLibrary> Plugins { get; }
    /// <summary>True when the model has custom-domain nodes, so <see cref="Plugins"/> must be registered.</summary>
    public bool NeedsPlugin => Plugins.Count > 0;
    /// <summary>The configuration it was built for.</summary>
    public TrainStepConfig Config { get; }

    /// <summary>
    /// The values every carried tensor starts from, in contract order: the parameters as the store held them when the
    /// graph was built (seeded, or a checkpoint's), momenta zero, loss-head state as the head initialises it. Momenta
    /// are allocated as they are enumerated.
    /// </summary>
    public IEnumerable<NamedTensor> InitialValues()
    {
        foreach (var c in Carried)
            yield return new NamedTensor(c.Input, c.Shape, _initial.TryGetValue(c.Input, out var data) ? data : new float[c.Count]);
    }

    /// <summary>
    /// Builds the step for <paramref name="config"/>. Parameters come from <paramref name="store"/> (a
    /// checkpoint's, checked for shape) or are created there with the seeded fillers.
    /// </summary>
    public static TrainStepGraph Build(TrainStepConfig config, ParameterStore store)
    {
        if (config.BatchSize < 1) throw new ArgumentException($"Batch size must be ≥ 1, got {config.BatchSize}.");
        if (config.Classes < 2) throw new ArgumentException($"Classes must be ≥ 2, got {config.Classes}.");
        var solver = config.Solver;
        var g = new GraphBuilder($"{config.Net.Name}_train_step", ParameterMode.Inputs);
        string data = g.Input(TrainStepContract.DataInput, ElementType.Float, config.BatchSize, 3, SphereNetConfig.InputHeight, SphereNetConfig.InputWidth);
        string label = g.Input(TrainStepContract.LabelInput, ElementType.Int64, config.BatchSize);
        string lr = g.Input(TrainStepContract.LrInput, ElementType.Float);
        string lambda = g.Input(TrainStepContract.LambdaInput, ElementType.Float);

        string feature = SphereNet.Forward(g, data, config.Net, store, config.Kernels);
        var head = LossHeads.Append(g, feature, label, lambda, config.Classes, config.Loss, store);

        var parameters = g.Parameters.ToArray();
        var grads = ReverseMode.Differentiate(g, head.Loss, parameters.Select(p => p.Name).ToArray(), config.ConvGradients);

        var carried = new List<CarriedTensor>();
        foreach (var p in parameters)
            carried.Add(new CarriedTensor(p.Name, p.Shape, CarriedKind.Parameter));
        foreach (var p in parameters)
        {
            string m = CarriedTensor.MomentumOf(p.Name);
            g.Input(m, ElementType.Float, p.Shape);
            carried.Add(new CarriedTensor(m, p.Shape, CarriedKind.Momentum));
        }

        var scaledLr = new Dictionary<float, string>();
        var next = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in parameters)
        {
            var (lrMult, decayMult) = solver.MultipliersFor(p);
            if (!scaledLr.TryGetValue(lrMult, out var lrp))
                scaledLr[lrMult] = lrp = lrMult == 1f ? lr : g.Node("Mul", [lr, g.Const(lrMult)], name: g.FreshName("sgd/lr_mult"));
            string m = CarriedTensor.MomentumOf(p.Name);
            // Parameters the head keeps on the unit sphere (IR-Softmax centres) are renormalised after the update.
            bool unitRows = head.UnitRowParameters.Contains(p.Name);
            var (w, v) = SgdMomentum.Append(g, p.Name, grads[p.Name], m, lrp, solver, decayMult,
                unitRows ? CarriedTensor.OutputFor(p.Name) + "/before_renormalisation" : CarriedTensor.OutputFor(p.Name), CarriedTensor.OutputFor(m));
            next[p.Name] = unitRows ? g.Node("Identity", [Classifier.NormalisedRows(g, w)], name: CarriedTensor.OutputFor(p.Name)) : w;
            next[m] = v;
        }

        // State carried by the loss head (IR-Softmax memory bank); its inputs were declared by the head.
        foreach (var s in head.State)
        {
            carried.Add(s.Tensor);
            next[s.Tensor.Input] = g.Node("Identity", [s.Next], name: s.Tensor.Output);
        }

        g.Output(head.Loss, TrainStepContract.LossOutput);
        g.Output(head.Accuracy, TrainStepContract.AccuracyOutput);
        foreach (var c in carried) g.Output(next[c.Input]);

        bool needsPlugin = g.Nodes.Any(n => n.Domain.Length > 0);
        g.Metadata["sphereface.net"] = config.Net.Name;
        g.Metadata["sphereface.kernels"] = config.Kernels.Kernels.Name();
        if (config.Kernels.UsesDnnl) g.Metadata["sphereface.dnnl.block"] = config.Kernels.Block.ToString(System.Globalization.CultureInfo.InvariantCulture);
        g.Metadata["sphereface.loss"] = config.Loss.Head;
        g.Metadata["sphereface.classes"] = config.Classes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        g.Metadata["sphereface.batch_size"] = config.BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        g.Metadata["sphereface.needs_plugin"] = needsPlugin ? "true" : "false";
        var model = g.ToModel($"SphereFace {config.Net.Name} training step (SGD, batch {config.BatchSize}); I/O contract in docs/train-step.md.");
        if (config.Kernels.UsesDnnl) GemmLowering.Apply(model);
        // State inputs are declared inside the head; move them behind the momenta so inputs follow the carried order.
        var stateInputs = model.Graph.Input.Where(i => head.State.Any(s => s.Tensor.Input == i.Name)).ToArray();
        foreach (var i in stateInputs) model.Graph.Input.Remove(i);
        model.Graph.Input.AddRange(stateInputs);
        var initial = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var p in parameters) initial[p.Name] = p.Data;
        foreach (var st in head.State) initial[st.Tensor.Input] = st.Initial;
        return new TrainStepGraph(model, carried, config, initial);
    }
}
