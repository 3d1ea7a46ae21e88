using System.Text.Json;
using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using SphereFace.Graphs.Losses;
using SphereFace.Training.Runs;

namespace SphereFace.Cli.Options;

/// <summary>
/// The loss-head options shared by <c>build-graph</c>, <c>train</c> and <c>bench train</c>: <c>--loss</c> picks a head
/// (<see cref="LossHeads"/>), the named options set the built-in heads' parameters, and <c>--loss-param NAME=VALUE</c>
/// sets any parameter of any head (a head added as one file needs no new option). A parameter the chosen head does not
/// have is an error naming the head's parameters.
/// </summary>
internal sealed class LossOptions
{
    public Option<string> Loss { get; } = new("--loss") { Description = $"loss head: {string.Join(", ", LossHeads.All.Select(h => h.Name))}", DefaultValueFactory = _ => RunSpec.DefaultLoss.Head };
    public Option<int> M { get; } = new("--m") { Description = "A-Softmax / IR-Softmax(A) angular margin m (integer 1..8; loss.m)", DefaultValueFactory = _ => Default<int>("asoftmax", "m") };
    public Option<float> AmMargin { get; } = new("--am-margin") { Description = "AM-Softmax / IR-Softmax(AM) additive margin m (loss.margin)", DefaultValueFactory = _ => Default<float>("amsoftmax", "margin") };
    public Option<float> AmScale { get; } = new("--am-scale") { Description = "AM-Softmax / IR-Softmax(AM) scale s (loss.scale)", DefaultValueFactory = _ => Default<float>("amsoftmax", "scale") };
    public Option<bool> NoPlugin { get; } = new("--no-plugin") { Description = "ψ(θ) from its pure-ONNX twin instead of the native margin plugin (loss.use_plugin = false)" };
    public Option<bool> NoBias { get; } = new("--no-bias") { Description = "softmax without classifier bias, the ablation 'remove biases' (loss.bias = false)" };
    public Option<string> Centres { get; } = new("--centres") { Description = "IR-Softmax centre update: loss (centre loss, renormalised) or memory-bank (loss.centres)", DefaultValueFactory = _ => Default<string>("irsoftmax-a", "centres") };
    public Option<int> BankSize { get; } = new("--memory-bank-size") { Description = "IR-Softmax memory bank: features kept per class K (loss.memory_bank_size)", DefaultValueFactory = _ => Default<int>("irsoftmax-a", "memory_bank_size") };
    public Option<float> CentreWeight { get; } = new("--centre-loss-weight") { Description = "IR-Softmax centre-loss weight (loss.centre_loss_weight)", DefaultValueFactory = _ => Default<float>("irsoftmax-a", "centre_loss_weight") };
    public Option<string[]> Params { get; } = new("--loss-param") { Description = "NAME=VALUE for any parameter of the chosen head (repeatable), e.g. --loss-param m=3", AllowMultipleArgumentsPerToken = false };

    // The defaults shown in --help are the heads' own (one place for each default).
    private static T Default<T>(string head, string parameter) => LossHeads.Get(head).Parameters.Single(p => p.Name == parameter).Default.Deserialize<T>()!;

    /// <summary>Every option, for adding to a command.</summary>
    public IEnumerable<Option> All => [Loss, M, AmMargin, AmScale, NoPlugin, NoBias, Centres, BankSize, CentreWeight, Params];

    private (Option Option, string Parameter, Func<ParseResult, object> Value)[] Named => [
        (M, "m", p => p.GetValue(M)), (AmMargin, "margin", p => (double)p.GetValue(AmMargin)), (AmScale, "scale", p => (double)p.GetValue(AmScale)),
        (NoPlugin, "use_plugin", p => !p.GetValue(NoPlugin)), (NoBias, "bias", p => !p.GetValue(NoBias)),
        (Centres, "centres", p => p.GetValue(Centres)!), (BankSize, "memory_bank_size", p => p.GetValue(BankSize)),
        (CentreWeight, "centre_loss_weight", p => (double)p.GetValue(CentreWeight)),
    ];

    /// <summary>True when any loss option was typed.</summary>
    public bool AnyGiven(ParseResult p) => All.Any(o => SpecField.Given(p, o));

    /// <summary>
    /// The loss section the options describe on top of <paramref name="basis"/> (a spec file's loss, or null): a given
    /// <c>--loss</c> naming another head starts from that head's defaults, otherwise the basis (or the default head) is kept; then every
    /// given parameter option is applied.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown head, a parameter the head does not have, or a malformed value.</exception>
    public LossConfig Resolve(ParseResult p, LossConfig? basis)
    {
        var config = basis is null ? LossConfig.Of(p.GetValue(Loss)!)
            : SpecField.Given(p, Loss) && LossHeads.Get(p.GetValue(Loss)!).Name != basis.Head ? LossConfig.Of(p.GetValue(Loss)!) : basis;
        foreach (var (option, parameter, value) in Named)
            if (SpecField.Given(p, option))
            {
                if (config.Rule.Parameters.All(x => x.Name != parameter))
                    throw new Models.Errors.InputException($"{option.Name} does not apply to loss {config.Head} (its parameters: {LossConfig.ParameterList(config.Rule)}).");
                config = config.With(parameter, value(p));
            }
        foreach (var item in p.GetValue(Params) ?? [])
        {
            int eq = item.IndexOf('=');
            if (eq <= 0) throw new Models.Errors.InputException($"--loss-param '{item}' is not NAME=VALUE.");
            string name = item[..eq].Trim(), text = item[(eq + 1)..].Trim();
            JsonNode value = bool.TryParse(text, out bool b) ? JsonValue.Create(b)
                : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? JsonValue.Create(d)
                : JsonValue.Create(text);
            config = config.With(name, value);
        }
        return config;
    }
}
