// Embeds three photos of a landmark list (two of one identity, one of another) and verifies the two pairs with the
// threshold stamped into the model; then, with no landmarks at all, finds the faces of two real photos and verifies
// their most prominent faces (the detector comes with the packages).
// Usage: PackageConsumer MODEL IMAGE_ROOT LANDMARKS PHOTO_A PHOTO_B
using SphereFace.Alignment.Formats;
using SphereFace.Extensions;
using SphereFace.Inference;

var entries = LandmarkListFile.Read(args[2]);
var first = entries[0];
string Identity(LandmarkEntry e) => e.RelativePath.Split('/')[0];
var mate = entries.First(e => e != first && Identity(e) == Identity(first));
var other = entries.First(e => Identity(e) != Identity(first));

using var embedder = new Embedder(args[0]);
float[] Embed(LandmarkEntry e) => embedder.Embed(Path.Combine(args[1], e.RelativePath), e.Points);
var genuine = embedder.Verify(Embed(first), Embed(mate));
var impostor = embedder.Verify(Embed(first), Embed(other));
Console.WriteLine($"genuine pair: cosine {genuine.Score:F4}, threshold {genuine.Threshold:F4}, same {genuine.Same}");
Console.WriteLine($"impostor pair: cosine {impostor.Score:F4}, same {impostor.Same}");

using var generator = new FaceEmbeddingGenerator(embedder);
var generated = await generator.GenerateAsync([FaceImage.FromFile(Path.Combine(args[1], first.RelativePath), first.Points)]);
bool agrees = generated[0].Vector.Span.SequenceEqual(Embed(first));
Console.WriteLine($"IEmbeddingGenerator: {generated[0].Vector.Length}-d, equal to Embed: {agrees}");

// Photos as they are: the Embedder detects the faces.
var faces = embedder.EmbedFaces(args[3]);
var photos = embedder.Verify(FaceImage.FromFile(args[3]), FaceImage.FromFile(args[4]));
Console.WriteLine($"{Path.GetFileName(args[3])}: {faces.Count} faces found; most prominent faces of the two photos: cosine {photos.Score:F4}, same {photos.Same}");
return agrees && faces.Count > 0 ? 0 : 1;
