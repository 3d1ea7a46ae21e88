using SphereFace.Graphs.Losses;

namespace SphereFace.Tests.Losses;

/// <summary>Loss configurations for tests: each given value is set where the head declares that parameter.</summary>
internal static class TestLoss
{
    public static LossConfig Of(string head, int? m = null, float? margin = null, float? scale = null, bool? plugin = null,
        string? centres = null, int? bankSize = null, float? centreWeight = null, bool? bias = null)
    {
        var config = LossConfig.Of(head);
        if (m is { } mv) config = config.WithIfDeclared("m", mv);
        if (margin is { } mg) config = config.WithIfDeclared("margin", mg);
        if (scale is { } s) config = config.WithIfDeclared("scale", s);
        if (plugin is { } p) config = config.WithIfDeclared("use_plugin", p);
        if (centres is { } c) config = config.WithIfDeclared("centres", c);
        if (bankSize is { } k) config = config.WithIfDeclared("memory_bank_size", k);
        if (centreWeight is { } w) config = config.WithIfDeclared("centre_loss_weight", w);
        if (bias is { } b) config = config.WithIfDeclared("bias", b);
        return config;
    }

    /// <summary>The base head of an IR-Softmax configuration with the same margin settings (A-Softmax or AM-Softmax).</summary>
    public static LossConfig BaseOf(LossConfig ir) => ir.Head == "irsoftmax-a"
        ? LossConfig.Of("asoftmax", ("m", ir.Int("m")), ("use_plugin", ir.Bool("use_plugin")))
        : LossConfig.Of("amsoftmax", ("margin", ir.Float("margin")), ("scale", ir.Float("scale")));
}
