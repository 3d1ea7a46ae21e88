using SphereFace.Models.Onnx;
using SphereFace.Graphs.Ops;
using SphereFace.Graphs.Parameters;

namespace SphereFace.Graphs.Building;

/// <summary>How <see cref="GraphBuilder.Parameter"/> places trainable weights in the graph.</summary>
public enum ParameterMode
{
    /// <summary>Weights are initializers (frozen inference graph).</summary>
    Initializers,
    /// <summary>Weights are graph inputs (training step: they are fed and updated every step).</summary>
    Inputs,
}

/// <summary>
/// Typed builder for one ONNX graph. Every value gets a static <see cref="TensorInfo"/> from its op's shape
/// rule as it is added, so errors surface at build time with the node's name. Names are deterministic:
/// <c>scope/op_counter</c>.
/// </summary>
public sealed class GraphBuilder
{
    /// <summary>ONNX opset of the default domain.</summary>
    public const int Opset = 17;
    /// <summary>ONNX IR version written (accepted by onnx 1.12's checker and OpenCV DNN).</summary>
    public const int IrVersion = 8;

    private readonly Dictionary<string, TensorInfo> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Array> _constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _constantByKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);
    private readonly List<NodeProto> _nodes = [];
    private readonly List<ValueInfoProto> _inputs = [];
    private readonly List<string> _outputs = [];
    private readonly List<TensorProto> _initializers = [];
    private readonly List<Parameter> _parameters = [];
    private readonly Stack<string> _scopes = new();

    /// <summary>Creates an empty graph.</summary>
    public GraphBuilder(string name, ParameterMode parameterMode = ParameterMode.Initializers)
    {
        Name = name;
        ParameterMode = parameterMode;
    }

    /// <summary>Graph name.</summary>
    public string Name { get; }
    /// <summary>Where <see cref="Parameter"/> places weights.</summary>
    public ParameterMode ParameterMode { get; }
    /// <summary>Model metadata written by <see cref="ToModel"/>.</summary>
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);
    /// <summary>Name of the dynamic (batch) dimension in input/output declarations.</summary>
    public string DynamicDimName { get; set; } = "N";
    /// <summary>Nodes in topological (insertion) order.</summary>
    public IReadOnlyList<NodeProto> Nodes => _nodes;
    /// <summary>Parameters in the order they were declared.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;
    /// <summary>Declared graph inputs.</summary>
    public IReadOnlyList<ValueInfoProto> Inputs => _inputs;
    /// <summary>Declared graph outputs.</summary>
    public IReadOnlyList<string> Outputs => _outputs;

    /// <summary>Type and shape of a value already in the graph.</summary>
    public TensorInfo Info(string value) =>
        _values.TryGetValue(value, out var info) ? info : throw new KeyNotFoundException($"Graph '{Name}' has no value named '{value}'.");

    /// <summary>True when <paramref name="value"/> exists in the graph.</summary>
    public bool Has(string value) => _values.ContainsKey(value);

    /// <summary>The data of a constant value (a constant or initializer), or null when it is computed at run time.</summary>
    public Array? ConstantValue(string value) => _constants.GetValueOrDefault(value);

    /// <summary>Opens a naming scope; names created inside start with <paramref name="scope"/>/.</summary>
    public IDisposable Scope(string scope)
    {
        _scopes.Push(scope);
        return new ScopeExit(_scopes);
    }

    /// <summary>A fresh deterministic name under the current scope.</summary>
    public string FreshName(string stem)
    {
        string prefix = _scopes.Count == 0 ? "" : string.Join("/", _scopes.Reverse()) + "/";
        string key = prefix + stem;
        int n = _counters.GetValueOrDefault(key);
        _counters[key] = n + 1;
        string name = n == 0 ? key : $"{key}_{n}";
        return _values.ContainsKey(name) ? FreshName(stem) : name;
    }

    /// <summary>Declares a graph input. A dimension of −1 becomes the symbolic <see cref="DynamicDimName"/>.</summary>
    public string Input(string name, ElementType type, params long[] shape)
    {
        Declare(name, new TensorInfo(type, shape));
        _inputs.Add(ValueInfo(name, _values[name]));
        return name;
    }

    /// <summary>Marks <paramref name="value"/> as a graph output (renaming it through Identity when <paramref name="as"/> differs).</summary>
    public string Output(string value, string? @as = null)
    {
        if (@as is not null && @as != value)
            value = Node("Identity", [value], name: @as);
        Info(value);
        _outputs.Add(value);
        return value;
    }

    /// <summary>
    /// Adds a trainable parameter: an initializer or a graph input depending on <see cref="ParameterMode"/>.
    /// Returns the value name (the parameter's name).
    /// </summary>
    public string Parameter(Parameter p)
    {
        if (ParameterMode == ParameterMode.Initializers)
            AddInitializer(p.Name, p.Data, p.Shape);
        else
            Input(p.Name, ElementType.Float, p.Shape);
        _parameters.Add(p);
        return p.Name;
    }

    /// <summary>Adds a float initializer with the given name.</summary>
    public string AddInitializer(string name, float[] data, long[] shape)
    {
        CheckCount(name, data.Length, shape);
        Declare(name, new TensorInfo(ElementType.Float, shape));
        _initializers.Add(TensorProtos.Float(name, data, shape));
        _constants[name] = data;
        return name;
    }

    /// <summary>Adds an int64 initializer with the given name.</summary>
    public string AddInitializer(string name, long[] data, long[] shape)
    {
        CheckCount(name, data.Length, shape);
        Declare(name, new TensorInfo(ElementType.Int64, shape));
        _initializers.Add(TensorProtos.Int64(name, data, shape));
        _constants[name] = data;
        return name;
    }

    /// <summary>A float constant of the given shape (deduplicated by content).</summary>
    public string Const(float[] data, params long[] shape)
    {
        string key = "f:" + string.Join(",", shape) + ":" + string.Join(",", data.Select(v => BitConverter.SingleToInt32Bits(v)));
        if (_constantByKey.TryGetValue(key, out var existing)) return existing;
        string name = FreshGlobal("const");
        _constantByKey[key] = name;
        return AddInitializer(name, data, shape);
    }

    /// <summary>A float scalar constant.</summary>
    public string Const(float value) => Const([value]);

    /// <summary>A 1-D int64 constant (shapes, axes), deduplicated by content.</summary>
    public string ConstInts(params long[] values)
    {
        string key = "i:" + string.Join(",", values);
        if (_constantByKey.TryGetValue(key, out var existing)) return existing;
        string name = FreshGlobal("const");
        _constantByKey[key] = name;
        return AddInitializer(name, values, [values.Length]);
    }

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    public string Node(string opType, IReadOnlyList<string> inputs, IEnumerable<AttributeProto>? attributes = null,
        string? name = null, string domain = "") =>
        NodeMulti(opType, inputs, 1, attributes, name, domain)[0];

    /// <summary>Adds a node with <paramref name="outputCount"/> outputs and returns their names.</summary>
    public string[] NodeMulti(string opType, IReadOnlyList<string> inputs, int outputCount,
        IEnumerable<AttributeProto>? attributes = null, string? name = null, string domain = "")
    {
        var rule = OpRegistry.Get(opType, domain);
        string nodeName = name ?? FreshName(char.ToLowerInvariant(opType[0]) + opType[1..]);
        var node = new NodeProto { OpType = opType, Domain = domain, Name = nodeName };
        node.Input.AddRange(inputs);
        if (attributes is not null) node.Attribute.AddRange(attributes);
        for (int i = 0; i < outputCount; i++)
            node.Output.Add(i == 0 ? nodeName : $"{nodeName}:{i}");
        var inputInfos = inputs.Select(x => x.Length == 0 ? null! : Info(x)).ToArray();
        TensorInfo[] outs;
        try { outs = rule.Infer(node, inputInfos, this); }
        catch (Exception e) when (e is not GraphBuildException)
        {
            throw new GraphBuildException($"Node '{nodeName}' ({opType}) with inputs {string.Join(", ", inputInfos.Select(i => i?.ToString() ?? "-"))}: {e.Message}", e);
        }
        if (outs.Length < outputCount)
            throw new GraphBuildException($"Node '{nodeName}' ({opType}) declares {outputCount} outputs but its rule gives {outs.Length}.");
        for (int i = 0; i < outputCount; i++) Declare(node.Output[i], outs[i]);
        _nodes.Add(node);
        return node.Output.ToArray();
    }

    /// <summary>Serialises the graph as an ONNX model (opset 17, IR version 8, custom domains at version 1).</summary>
    public ModelProto ToModel(string docString = "")
    {
        var graph = new GraphProto { Name = Name };
        graph.Node.AddRange(_nodes);
        graph.Initializer.AddRange(_initializers);
        graph.Input.AddRange(_inputs);
        graph.Output.AddRange(_outputs.Select(o => ValueInfo(o, _values[o])));
        var model = new ModelProto
        {
            IrVersion = IrVersion, ProducerName = "sphereface", ProducerVersion = "1.0", Graph = graph, DocString = docString,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var domain in _nodes.Select(n => n.Domain).Where(d => d.Length > 0).Distinct().Order(StringComparer.Ordinal))
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = 1 });
        foreach (var (k, v) in Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            model.MetadataProps.Add(new StringStringEntryProto { Key = k, Value = v });
        return model;
    }

    private ValueInfoProto ValueInfo(string name, TensorInfo info)
    {
        var shape = new TensorShapeProto();
        foreach (var d in info.Shape)
            shape.Dim.Add(d >= 0 ? new TensorShapeProto.Types.Dimension { DimValue = d } : new TensorShapeProto.Types.Dimension { DimParam = DynamicDimName });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)info.Type, Shape = shape } },
        };
    }

    private void Declare(string name, TensorInfo info)
    {
        if (!_values.TryAdd(name, info))
            throw new GraphBuildException($"Graph '{Name}' already has a value named '{name}'.");
    }

    private string FreshGlobal(string stem)
    {
        int n = _counters.GetValueOrDefault("\0" + stem);
        _counters["\0" + stem] = n + 1;
        return $"{stem}_{n}";
    }

    private static void CheckCount(string name, int count, long[] shape)
    {
        long expected = shape.Aggregate(1L, (a, d) => a * d);
        if (expected != count)
            throw new GraphBuildException($"Initializer '{name}' has {count} values but shape [{string.Join(",", shape)}] needs {expected}.");
    }

    private sealed class ScopeExit(Stack<string> scopes) : IDisposable
    {
        public void Dispose() => scopes.Pop();
    }
}
