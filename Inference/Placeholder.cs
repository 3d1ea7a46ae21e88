namespace SphereFace.Inference; internal static class Placeholder {}
