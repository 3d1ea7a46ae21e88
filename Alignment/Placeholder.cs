namespace SphereFace.Alignment; internal static class Placeholder {}
