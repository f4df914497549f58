using System.Text.Json;
using Berth.Api.Errors;
using Berth.Api.Security;
using Berth.Contracts;
using Berth.ServiceDefaults.Images;
using Berth.ServiceDefaults.Models;
using Berth.ServiceDefaults.Payloads;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Api.Responses;

/// <summary>
/// The api's side of a response. It holds no state of its own: the planner stores responses,
/// and this asks it over the bus, so any api instance can serve any request.
/// </summary>
internal sealed partial class ResponsesService(
    PlannerClient planner,
    ResponseWaiters waiters,
    ResponseStreamer streamer,
    StreamSlots slots,
    IOptions<ApiOptions> options,
    IHttpContextAccessor http,
    RequestTenant tenant,
    TimeProvider time,
    PayloadStore payloads,
    Containers.UploadedFileCopies copies,
    InputFiles inputFiles,
    Skills.SkillSeeds skillSeeds,
    IOptions<ModelCatalog> catalog,
    IOptions<ImageCatalog> images,
    ILogger<ResponsesService> logger)
{

    // A waiting request also polls now and then, so a lost notification only delays it.
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan ReconnectAllowance = TimeSpan.FromSeconds(30);

    private TimeSpan PlannerTimeout => TimeSpan.FromSeconds(options.Value.PlannerTimeoutSeconds);

    /// <summary>Without a given threshold, compaction starts at four fifths of the model's window (from the catalog), else at 100,000 tokens.</summary>
    private int DefaultCompactThreshold(string model) =>
        catalog.Value.Find(model)?.ContextTokens is { } window ? Math.Max(ModelSettingsParser.MinCompactThreshold, window * 4 / 5) : 100_000;

    public async Task<IResult> CreateAsync(HttpRequest http, CancellationToken cancellationToken)
    {
        var (body, invalid) = await JsonBody.ReadAsync(http, options.Value.MaxJsonBodyBytes, cancellationToken);
        if (body is null)
        {
            return invalid!.ToResult();
        }

        CreateResponseRequest request;
        using (body)
        {
            var (parsed, error) = CreateResponseParser.Parse(body.RootElement, options.Value.EgressDomains);
            if (error is not null)
            {
                return error.ToResult();
            }

            request = parsed!;
        }

        if (catalog.Value.Refusal(tenant.Id, request.Model) is { } refusal)
        {
            return ApiError.InvalidRequest(refusal, "model", RequestErrorCodes.ModelNotFound).ToResult();
        }

        if (request.Settings is { CompactThreshold: 0 } compacting)
        {
            request = request with { Settings = compacting with { CompactThreshold = DefaultCompactThreshold(request.Model) } };
        }

        if (Containers.MemoryLimits.Refusal(request.Shell?.MemoryMb, options.Value.MaxMemoryMb, $"{request.ShellPath}.environment.memory_limit") is { } tooMuch)
        {
            return tooMuch.ToResult();
        }

        if (Containers.ImageNames.Refusal(images.Value, tenant.Id, request.Shell?.Image, $"{request.ShellPath}.environment.image") is { } badImage)
        {
            return badImage.ToResult();
        }

        if (request.Shell is { FileIds.Count: > 0 } shell)
        {
            // Found now, so that the session's container is made with exactly these bytes, and
            // an unknown id is refused before anything is queued.
            var (files, unknown) = await copies.ResolveAsync(shell.FileIds, $"{request.ShellPath}.environment.file_ids", cancellationToken);

            if (unknown is not null)
            {
                return unknown.ToResult();
            }

            request = request with { Shell = shell with { Files = [.. files!.Select(f => new ContainerFileSeed(f.Id, f.Filename, f.ContentAddress))] } };
        }

        if (request is { Shell: { } asking, Skills.Count: > 0 })
        {
            var (seeds, unfound) = await skillSeeds.ResolveAsync(request.Skills, cancellationToken);
            if (unfound is not null)
            {
                return unfound.ToResult();
            }

            request = request with { Shell = asking with { Skills = seeds! } };
        }

        var (input, unusable) = await inputFiles.ResolveAsync(request.Input, cancellationToken);
        if (unusable is not null)
        {
            return unusable.ToResult();
        }

        request = request with { Input = input! };

        // Taken before the response is submitted: a stream refused must not leave a response running.
        using var streamSlot = request.Stream ? slots.TryTake(tenant.Id) : null;
        if (request.Stream && streamSlot is null)
        {
            return slots.Refusal();
        }

        var responseId = $"resp_{Guid.NewGuid():N}";
        var finished = request.Background || request.Stream ? null : waiters.WaitForAsync(responseId);
        try
        {
            var accepted = await SubmitAsync(responseId, request, cancellationToken);
            if (accepted.Rejected is { Code: ErrorCodes.RateLimitExceeded or ErrorCodes.ContainerLimitExceeded } limited)
            {
                return new ApiError(StatusCodes.Status429TooManyRequests, limited.Message, "requests", null, limited.Code).ToResult();
            }

            if (accepted.Rejected is { } reason)
            {
                return ApiError.InvalidRequest(reason.Message, reason.Param, reason.Code).ToResult();
            }

            if (request.Stream)
            {
                return await streamer.StreamAsync(http.HttpContext, responseId, -1, accepted.Response, cancellationToken);
            }

            if (finished is null)
            {
                return Render(accepted.Response!);
            }

            return Render(await WaitForFinishAsync(accepted.Response!, finished, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away. The response goes on regardless; there is no one to answer.
            return Results.Empty;
        }
        catch (RequestTimeoutException)
        {
            LogPlannerTimeout(responseId);
            return ApiError.Unavailable($"The planner did not take response '{responseId}' within {options.Value.PlannerTimeoutSeconds} s. It may still run once the planner is back: poll GET /v1/responses/{responseId}.").ToResult();
        }
        finally
        {
            waiters.Remove(responseId);
        }
    }

    /// <summary>
    /// Hands the response to the planner. A reply can be lost while the api's broker connection
    /// is down, though the planner took the response: so a silent planner is asked once more,
    /// by id, before the client is told it did not take it.
    /// </summary>
    private async Task<(ResponseSnapshot? Response, TaskRejected? Rejected)> SubmitAsync(string responseId, CreateResponseRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await planner.Ask<TaskSubmitted>().GetResponse<TaskAccepted, TaskRejected>(new TaskSubmitted
            {
                ResponseId = responseId,
                Model = request.Model,
                Instructions = request.Instructions,
                Input = request.Input,
                PreviousResponseId = request.PreviousResponseId,
                ConversationId = request.ConversationId,
                Shell = request.Shell,
                MaxToolCalls = request.MaxToolCalls,
                Functions = request.Functions,
                ToolChoice = request.ToolChoice,
                ParallelToolCalls = request.ParallelToolCalls,
                Settings = request.Settings,
                Metadata = request.Metadata,
                Background = request.Background,
                Interrupt = request.Interrupt,
                Fork = request.Fork,
                Store = request.Store,
                Stream = request.Stream,
                SubmittedAt = time.GetUtcNow(),
                Tenant = tenant.Id,
            }, cancellationToken);

            if (reply.Is(out Response<TaskRejected>? rejected))
            {
                return (null, rejected.Message);
            }

            return reply.Is(out Response<TaskAccepted>? taken)
                ? (await payloads.TakeOutputAsync(taken.Message.Response, cancellationToken), null)
                : throw new InvalidOperationException("The planner answered neither accepted nor rejected.");
        }
        catch (RequestTimeoutException)
        {
            var known = await LookUpAfterSilenceAsync(responseId, cancellationToken);
            if (known is null)
            {
                throw;
            }

            LogReplyLost(responseId);
            return (known, null);
        }
    }

    /// <summary>
    /// Asks for the response by id, again and again for a while, since the connection that lost
    /// the reply may still be coming back (MassTransit reconnects with a backoff of several
    /// seconds, and its reply queue follows). Null when the planner answers that it has no such
    /// response, or never answers.
    /// </summary>
    private async Task<ResponseSnapshot?> LookUpAfterSilenceAsync(string responseId, CancellationToken cancellationToken)
    {
        var until = time.GetUtcNow() + PlannerTimeout + ReconnectAllowance;
        while (time.GetUtcNow() < until)
        {
            try
            {
                var reply = await planner.Ask<GetResponse>(RequestTimeout.After(s: 2)).GetResponse<ResponseSnapshot, ResponseNotFound>(new GetResponse(responseId) { Tenant = tenant.Id, IncludeUnstored = true }, cancellationToken);
                return reply.Is(out Response<ResponseSnapshot>? found) ? await payloads.TakeOutputAsync(found.Message, cancellationToken) : null;
            }
            catch (RequestTimeoutException)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
            }
        }

        return null;
    }

    /// <summary><c>GET /v1/responses/{id}</c>; with <c>stream=true</c>, its events after <c>starting_after</c>, as a stream.</summary>
    public async Task<IResult> GetAsync(HttpContext http, string responseId, CancellationToken cancellationToken)
    {
        var query = http.Request.Query;
        if (query.TryGetValue("stream", out var stream) && stream.ToString() is "true" or "1")
        {
            var after = -1;
            if (query.TryGetValue("starting_after", out var raw)
                && !int.TryParse(raw.ToString(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out after))
            {
                return ApiError.InvalidRequest($"Invalid 'starting_after': expected an integer sequence number, but got '{raw}'.", "starting_after", RequestErrorCodes.InvalidType).ToResult();
            }

            using var streamSlot = slots.TryTake(tenant.Id);
            return streamSlot is null ? slots.Refusal() : await streamer.StreamAsync(http, responseId, Math.Max(-1, after), null, cancellationToken);
        }

        var snapshot = await FindAsync(responseId, includeUnstored: false, cancellationToken);
        return snapshot is null
            ? ApiError.NotFound($"Response with id '{responseId}' not found.").ToResult()
            : Render(snapshot);
    }

    /// <summary>
    /// Stops a response that has not finished; a finished one comes back unchanged. The planner
    /// asks the response's session to cancel it and answers at once; the wait for the session to
    /// do so is here, on the notification of the response's end, and past
    /// <see cref="CancelGrace"/> the planner is asked to end it now.
    /// </summary>
    public async Task<IResult> CancelAsync(string responseId, CancellationToken cancellationToken)
    {
        var finished = waiters.WaitForAsync(responseId);
        try
        {
            var asked = await CancelAsync(responseId, endNow: false, cancellationToken);
            if (asked is null)
            {
                return ApiError.NotFound($"Response with id '{responseId}' not found.").ToResult();
            }

            if (ResponseStatuses.IsTerminal(asked.Status))
            {
                return Render(asked);
            }

            await Task.WhenAny(finished, Task.Delay(CancelGrace, time, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
            if (finished.IsCompletedSuccessfully && finished.Result is { } ended)
            {
                return Render(ended);
            }

            return Render(await CancelAsync(responseId, endNow: true, cancellationToken) ?? asked);
        }
        finally
        {
            waiters.Remove(responseId);
        }
    }

    /// <summary>Within the 5 s a cancel promises, with room for the round trips on either side.</summary>
    private static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(3.5);

    private async Task<ResponseSnapshot?> CancelAsync(string responseId, bool endNow, CancellationToken cancellationToken)
    {
        var reply = await planner.Ask<CancelResponse>().GetResponse<ResponseSnapshot, ResponseNotFound>(new CancelResponse(responseId) { Tenant = tenant.Id, EndNow = endNow }, cancellationToken);
        return reply.Is(out Response<ResponseSnapshot>? found) ? await payloads.TakeOutputAsync(found.Message, cancellationToken) : null;
    }

    private async Task<ResponseSnapshot> WaitForFinishAsync(ResponseSnapshot accepted, Task<ResponseSnapshot?> finished, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(options.Value.SyncTimeoutSeconds);
        var latest = accepted;
        while (!ResponseStatuses.IsTerminal(latest.Status))
        {
            var remaining = deadline - time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                // Not an error: the response goes on, and the client polls it from here.
                break;
            }

            await Task.WhenAny(finished, Task.Delay(remaining < PollInterval ? remaining : PollInterval, time, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
            if (finished.IsCompletedSuccessfully && finished.Result is { } carried)
            {
                return carried;
            }

            try
            {
                latest = await FindAsync(accepted.Id, includeUnstored: true, cancellationToken) ?? latest;
            }
            catch (RequestTimeoutException)
            {
                // The planner took the response; its answer is late, or this api's broker
                // connection is coming back. Keep waiting: the deadline still holds.
                LogPollTimeout(accepted.Id);
            }
        }

        return latest;
    }

    /// <param name="includeUnstored">Whether this is the request that made the response, which may read it though it was made with <c>store: false</c>.</param>
    private async Task<ResponseSnapshot?> FindAsync(string responseId, bool includeUnstored, CancellationToken cancellationToken)
    {
        var reply = await planner.Ask<GetResponse>().GetResponse<ResponseSnapshot, ResponseNotFound>(new GetResponse(responseId) { Tenant = tenant.Id, IncludeUnstored = includeUnstored }, cancellationToken);
        return reply.Is(out Response<ResponseSnapshot>? found) ? await payloads.TakeOutputAsync(found.Message, cancellationToken) : null;
    }

    private IResult Render(ResponseSnapshot response)
    {
        TraceHeader.Set(http.HttpContext, response);
        return Results.Text(ResponseJson.Serialize(response), "application/json");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Response {ResponseId}: the planner's reply was lost, but it has the response; going on")]
    private partial void LogReplyLost(string responseId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Response {ResponseId}: a poll of the planner went unanswered; still waiting")]
    private partial void LogPollTimeout(string responseId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Response {ResponseId}: the planner did not answer in time")]
    private partial void LogPlannerTimeout(string responseId);
}
