namespace Berth.IntegrationTests.Fixtures;

/// <summary>The one way tests wait for something that happens in another process: ask until it holds, or fail saying what was awaited.</summary>
public static class Eventually
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(200);

    /// <param name="lastSeen">What the condition saw last, for the failure's message.</param>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, Func<string>? lastSeen = null)
    {
        var until = DateTimeOffset.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTimeOffset.UtcNow > until)
            {
                Assert.Fail($"Waited {timeout.TotalSeconds:0} s for {what}, in vain.{(lastSeen is null ? "" : $" Last seen: {lastSeen()}")}");
            }

            await Task.Delay(Pause, TestContext.Current.CancellationToken);
        }
    }
}
