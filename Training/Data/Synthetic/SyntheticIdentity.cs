using OpenCvSharp;
using SphereFace.Graphs.Parameters;

namespace SphereFace.Training.Data.Synthetic;

/// <summary>
/// The fixed appearance of one synthetic person (canonical units, colours BGR): head shape, skin tone, eyes,
/// brows, nose, mouth, hair, ears, facial hair and moles. Every photo of the person is drawn from these.
/// </summary>
public sealed record SyntheticIdentity
{
    /// <summary>Half-width of the head (canonical units; ≈ 1).</summary>
    public double HeadWidth { get; init; }
    /// <summary>Half-height of the head.</summary>
    public double HeadHeight { get; init; }
    /// <summary>How much the lower half narrows towards the chin (0 = oval).</summary>
    public double JawTaper { get; init; }
    /// <summary>Skin colour (BGR).</summary>
    public Scalar Skin { get; init; }
    /// <summary>Distance between the eye centres.</summary>
    public double EyeSpacing { get; init; }
    /// <summary>Height of the eye line (v grows downwards; 0 ≈ mid-face).</summary>
    public double EyeY { get; init; }
    /// <summary>Half-width of an eye.</summary>
    public double EyeWidth { get; init; }
    /// <summary>Eye height over width.</summary>
    public double EyeAspect { get; init; }
    /// <summary>Tilt of the eyes (radians, mirrored between sides).</summary>
    public double EyeTilt { get; init; }
    /// <summary>Iris colour (BGR).</summary>
    public Scalar Iris { get; init; }
    /// <summary>Gap between eye line and brows.</summary>
    public double BrowGap { get; init; }
    /// <summary>Brow length.</summary>
    public double BrowLength { get; init; }
    /// <summary>Brow thickness.</summary>
    public double BrowThickness { get; init; }
    /// <summary>Brow slope (radians; positive raises the outer end).</summary>
    public double BrowAngle { get; init; }
    /// <summary>Brow arch height.</summary>
    public double BrowArch { get; init; }
    /// <summary>Height of the nose tip.</summary>
    public double NoseY { get; init; }
    /// <summary>Half-width of the nose.</summary>
    public double NoseWidth { get; init; }
    /// <summary>Height of the mouth.</summary>
    public double MouthY { get; init; }
    /// <summary>Half-width of the mouth (corner to centre).</summary>
    public double MouthWidth { get; init; }
    /// <summary>Lip thickness.</summary>
    public double LipThickness { get; init; }
    /// <summary>Lip colour (BGR).</summary>
    public Scalar Lips { get; init; }
    /// <summary>Hair style index in [0, HairStyles).</summary>
    public int HairStyle { get; init; }
    /// <summary>Hair colour (BGR), also used for brows and facial hair.</summary>
    public Scalar Hair { get; init; }
    /// <summary>Height of the hairline.</summary>
    public double Hairline { get; init; }
    /// <summary>Ear size factor.</summary>
    public double EarSize { get; init; }
    /// <summary>Has a beard.</summary>
    public bool Beard { get; init; }
    /// <summary>Has a moustache.</summary>
    public bool Moustache { get; init; }
    /// <summary>Moles: canonical position and radius.</summary>
    public IReadOnlyList<(double U, double V, double R)> Moles { get; init; } = [];

    /// <summary>Number of hair styles (0 bald, 1 short, 2 fringe, 3 long, 4 side parting).</summary>
    public const int HairStyles = 5;

    private static readonly (double B, double G, double R)[] HairColours =
        [(20, 20, 25), (30, 40, 70), (40, 70, 120), (90, 150, 200), (40, 70, 160), (150, 150, 155), (60, 60, 60)];

    private static readonly (double B, double G, double R)[] IrisColours =
        [(30, 60, 100), (170, 120, 60), (90, 130, 70), (130, 130, 120), (40, 90, 120), (20, 30, 45)];

    /// <summary>Draws a person's appearance from <paramref name="rng"/>.</summary>
    public static SyntheticIdentity Sample(SeededRandom rng)
    {
        double tone = rng.NextDouble();
        // Dark to light skin (BGR), with a small individual tint.
        var skin = new Scalar(38 + 152 * tone + rng.Uniform(-8, 8), 56 + 159 * tone + rng.Uniform(-8, 8), 90 + 160 * tone + rng.Uniform(-6, 6));
        var hairBase = HairColours[rng.NextInt(HairColours.Length)];
        var hair = new Scalar(hairBase.B + rng.Uniform(-12, 12), hairBase.G + rng.Uniform(-12, 12), hairBase.R + rng.Uniform(-12, 12));
        var irisBase = IrisColours[rng.NextInt(IrisColours.Length)];
        var iris = new Scalar(irisBase.B + rng.Uniform(-15, 15), irisBase.G + rng.Uniform(-15, 15), irisBase.R + rng.Uniform(-15, 15));
        var lips = new Scalar(skin.Val0 * rng.Uniform(0.55, 0.8), skin.Val1 * rng.Uniform(0.45, 0.7), Math.Min(255, skin.Val2 * rng.Uniform(0.75, 0.95)));
        double eyeWidth = rng.Uniform(0.12, 0.19);
        bool male = rng.NextDouble() < 0.5;
        int moles = rng.NextDouble() < 0.5 ? 0 : 1 + rng.NextInt(2);
        var moleList = new List<(double, double, double)>();
        for (int i = 0; i < moles; i++)
            moleList.Add((rng.Uniform(-0.6, 0.6), rng.Uniform(-0.1, 0.85), rng.Uniform(0.022, 0.04)));
        return new SyntheticIdentity
        {
            HeadWidth = rng.Uniform(0.82, 1.05),
            HeadHeight = rng.Uniform(1.15, 1.42),
            JawTaper = rng.Uniform(0.0, 0.35),
            Skin = skin,
            EyeSpacing = rng.Uniform(0.62, 0.88),
            EyeY = rng.Uniform(-0.22, -0.08),
            EyeWidth = eyeWidth,
            EyeAspect = rng.Uniform(0.42, 0.7),
            EyeTilt = rng.Uniform(-0.2, 0.2),
            Iris = iris,
            BrowGap = rng.Uniform(0.1, 0.24),
            BrowLength = rng.Uniform(0.2, 0.34),
            BrowThickness = rng.Uniform(0.025, 0.075),
            BrowAngle = rng.Uniform(-0.25, 0.35),
            BrowArch = rng.Uniform(0.0, 0.07),
            NoseY = rng.Uniform(0.14, 0.3),
            NoseWidth = rng.Uniform(0.11, 0.24),
            MouthY = rng.Uniform(0.5, 0.7),
            MouthWidth = rng.Uniform(0.2, 0.34),
            LipThickness = rng.Uniform(0.025, 0.075),
            Lips = lips,
            HairStyle = rng.NextInt(HairStyles),
            Hair = hair,
            Hairline = rng.Uniform(-0.85, -0.58),
            EarSize = rng.Uniform(0.8, 1.25),
            Beard = male && rng.NextDouble() < 0.3,
            Moustache = male && rng.NextDouble() < 0.35,
            Moles = moleList,
        };
    }
}
