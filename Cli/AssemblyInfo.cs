using System.Runtime.CompilerServices;

// The tests check internal pieces of the CLI (experiment reports) directly.
[assembly: InternalsVisibleTo("SphereFace.Tests")]
