using System.Globalization;
using SphereFace.Graphs.Export;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.Parameters;

namespace SphereFace.Tests.Foundation;

/// <summary>Model metadata is written the same under every culture (a German locale writes 127,5 for 127.5).</summary>
[TestClass]
public sealed class InvariantMetadataTests
{
    [TestMethod]
    public void MetadataDoesNotDependOnTheCurrentCulture()
    {
        var german = CultureInfo.GetCultureInfo("de-DE");
        Assert.AreEqual(",", german.NumberFormat.NumberDecimalSeparator, "this machine's ICU data must know de-DE for the test to mean anything");
        Dictionary<string, string> Metadata()
        {
            var model = EmbeddingGraph.Build(SphereNetConfig.Parse("sphere4"), new ParameterStore(1));
            return model.MetadataProps.ToDictionary(e => e.Key, e => e.Value);
        }
        var invariant = Metadata();
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = german;
            CollectionAssert.AreEquivalent(invariant.ToList(), Metadata().ToList());
        }
        finally { CultureInfo.CurrentCulture = previous; }
        StringAssert.Contains(invariant["sphereface.input_contract"], "127.5");
    }
}
