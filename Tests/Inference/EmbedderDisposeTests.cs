using SphereFace.Inference;
using static SphereFace.Tests.Inference.EmbedderFixture;

namespace SphereFace.Tests.Inference;

/// <summary>
/// Disposing an <see cref="Embedder"/> while other threads embed: the calls in flight finish with correct results,
/// later calls get <see cref="ObjectDisposedException"/>, and the process survives (it died with SIGSEGV before).
/// </summary>
[TestClass]
public sealed class EmbedderDisposeTests
{
    [TestMethod]
    public void DisposeDuringConcurrentCallsNeverCrashes()
    {
        float[] tensor = new float[3 * 112 * 96];
        var rng = new Random(3);
        for (int i = 0; i < tensor.Length; i++) tensor[i] = (float)(rng.NextDouble() * 2 - 1);
        float[] expected;
        using (var reference = new Embedder(ModelPath)) expected = reference.EmbedTensor(tensor);

        for (int attempt = 0; attempt < 3; attempt++)
        {
            var embedder = new Embedder(ModelPath, new EmbedderOptions { IntraOpThreads = 1 });
            int completed = 0, refused = 0;
            using var started = new CountdownEvent(4);
            var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            {
                started.Signal();
                while (true)
                {
                    try
                    {
                        var got = embedder.EmbedTensor(tensor);
                        CollectionAssert.AreEqual(expected, got, "a call that completes returns the right embedding");
                        Interlocked.Increment(ref completed);
                    }
                    catch (ObjectDisposedException)
                    {
                        Interlocked.Increment(ref refused);
                        return;
                    }
                }
            })).ToArray();
            started.Wait();
            Thread.Sleep(150 + 100 * attempt);
            embedder.Dispose();
            Task.WaitAll(workers);
            Assert.IsGreaterThan(0, completed, "calls ran before the dispose");
            Assert.AreEqual(4, refused, "every worker saw the dispose as ObjectDisposedException");
            embedder.Dispose();
            Assert.ThrowsExactly<ObjectDisposedException>(() => embedder.EmbedTensor(tensor));
        }
    }
}
