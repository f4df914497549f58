using System.Text.Json;
using Berth.Api;
using Berth.Api.Errors;
using MassTransit;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Berth.UnitTests.Api;

public sealed class PlannerTimeoutHandlerTests
{
    private static readonly PlannerTimeoutHandler Handler = new(Options.Create(new ApiOptions { PlannerTimeoutSeconds = 7 }), NullLogger<PlannerTimeoutHandler>.Instance);

    private static DefaultHttpContext Context() => new()
    {
        RequestServices = new ServiceCollection().AddLogging().AddOptions().BuildServiceProvider(),
        Response = { Body = new MemoryStream() },
    };

    [Fact]
    public async Task Should_answer_503_planner_unavailable_in_OpenAIs_shape_when_no_planner_answered_in_time()
    {
        var http = Context();

        var handled = await Handler.TryHandleAsync(http, new RequestTimeoutException("timed out"), CancellationToken.None);

        Assert.True(handled);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, http.Response.StatusCode);
        http.Response.Body.Position = 0;
        var error = JsonDocument.Parse(http.Response.Body).RootElement.GetProperty("error");
        Assert.Equal(("server_error", "planner_unavailable"), (error.GetProperty("type").GetString(), error.GetProperty("code").GetString()));
        Assert.Contains("7 s", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_leave_any_other_error_to_the_next_handler()
    {
        var http = Context();

        Assert.False(await Handler.TryHandleAsync(http, new InvalidOperationException("a bug"), CancellationToken.None));
        Assert.Equal(0, http.Response.Body.Length);
    }
}
