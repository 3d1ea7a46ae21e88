namespace SphereFace.Training; internal static class Placeholder {}
