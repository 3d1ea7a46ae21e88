// A face-verification service: POST /verify (two photos), POST /embed (one photo), GET /health and /ready.
// Photos go as multipart form files; their 5 landmarks are optional ("x1,y1,…,x5,y5" in a form field), without them
// the most prominent face is detected. Caller errors are answered with one line: 400 for a malformed request,
// 422 for a photo that cannot be used (SphereFace's FaceInputException: undecodable, no face, bad landmarks).
using System.Globalization;
using OpenCvSharp;
using SphereFace.Inference;
using SphereFace.Models.Errors;

var builder = WebApplication.CreateBuilder(args);
string model = builder.Configuration["SphereFace:Model"] ?? throw new InvalidOperationException("Set SphereFace:Model to an embedding.onnx.");
var options = builder.Configuration.GetSection("SphereFace:Embedder").Get<EmbedderOptions>() ?? new EmbedderOptions();
double? threshold = builder.Configuration.GetValue<double?>("SphereFace:Threshold");
builder.Services.AddSingleton(_ => new Embedder(model, options));
var app = builder.Build();

// Start-up: load and warm the model and the detector, so the first request costs what every later one does; a model
// without a stamped threshold (and none configured) stops the service here rather than at the first /verify.
var embedder = app.Services.GetRequiredService<Embedder>();
threshold ??= embedder.Thresholds?.ThresholdAtBestAccuracy
    ?? throw new InvalidOperationException($"{model} has no stamped threshold: run `sphereface eval --stamp` or set SphereFace:Threshold.");
using (var blank = new Mat(240, 320, MatType.CV_8UC3, Scalar.All(128))) embedder.EmbedFaces(FaceImage.FromMat(blank));

app.MapGet("/health", () => Results.Ok(new { status = "alive" }));
// The server listens only once the warm-up above is done, so answering at all means ready.
app.MapGet("/ready", () => Results.Ok(new { status = "ready", model, embedder.Dimension, threshold, kernels = embedder.Kernels }));

app.MapPost("/embed", async (HttpRequest request) => await Answer(request, form =>
{
    var embedding = embedder.Embed(Photo(form, "photo"));
    return Results.Ok(new { dimension = embedding.Length, embedding });
}));

app.MapPost("/verify", async (HttpRequest request) => await Answer(request, form =>
{
    var result = embedder.Verify(embedder.Embed(Photo(form, "a")), embedder.Embed(Photo(form, "b")), threshold.Value);
    return Results.Ok(new { score = result.Score, threshold = result.Threshold, same = result.Same });
}));

app.Run();

// Reads the form and maps the caller's mistakes to 400/422 with the one-line reason; anything else is a server error.
static async Task<IResult> Answer(HttpRequest request, Func<IFormCollection, IResult> handle)
{
    if (!request.HasFormContentType) return Results.BadRequest(new { error = "send the photos as multipart/form-data" });
    var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
    try { return handle(form); }
    catch (BadRequestException e) { return Results.BadRequest(new { error = e.Message }); }
    catch (FaceInputException e) { return Results.UnprocessableEntity(new { error = e.Message, reason = e.Reason.ToString() }); }
}

// The form file `name` (with optional landmarks in the field `name_landmarks`) as a FaceImage.
static FaceImage Photo(IFormCollection form, string name)
{
    var file = form.Files[name] ?? throw new BadRequestException($"form file '{name}' is missing");
    using var stream = new MemoryStream();
    file.CopyTo(stream);
    string? text = form[$"{name}_landmarks"];
    return FaceImage.FromEncoded(stream.ToArray(), string.IsNullOrWhiteSpace(text) ? null : Landmarks(text, name), file.FileName);
}

static Point2f[] Landmarks(string text, string name)
{
    var v = text.Split(',', StringSplitOptions.TrimEntries).Select(s => float.TryParse(s, CultureInfo.InvariantCulture, out float f) ? f : float.NaN).ToArray();
    if (v.Length != 10 || v.Any(float.IsNaN)) throw new BadRequestException($"'{name}_landmarks' must be 10 numbers x1,y1,…,x5,y5 (eyes, nose, mouth corners)");
    return Enumerable.Range(0, 5).Select(i => new Point2f(v[2 * i], v[2 * i + 1])).ToArray();
}

sealed class BadRequestException(string message) : Exception(message);
