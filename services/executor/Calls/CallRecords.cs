using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Berth.Contracts;
using Microsoft.Extensions.Options;

namespace Berth.Executor.Calls;

/// <summary>
/// What this executor has started and finished, on its own disk, so that a call RabbitMQ hands
/// back after the executor was killed and restarted under the same id is not run again: a call
/// finished before the kill is answered with its recorded result, and one that was running ends
/// <c>interrupted</c>. One file per call under <c>Executor:StateDirectory/&lt;id&gt;/calls</c>,
/// which no container mounts, so no sandbox can write it. Named by a hash of session and call
/// id, as call ids come from the model. Kept for <see cref="Keep"/>. Written without fsync: what
/// they guard against is the executor's process dying, which loses nothing the kernel holds;
/// a host that dies takes the session's running commands with it, and every call is on the
/// hot path.
/// </summary>
internal sealed partial class CallRecords
{
    /// <summary>Longer than a call may run (past a response's deadline), so a redelivery always finds the call's record.</summary>
    public static readonly TimeSpan Keep = TimeSpan.FromHours(3);

    private readonly string _directory;
    private readonly TimeProvider _time;
    private readonly ILogger<CallRecords> _logger;

    public CallRecords(IOptions<ExecutorOptions> options, TimeProvider time, ILogger<CallRecords> logger)
    {
        _directory = Path.Combine(options.Value.StateDirectoryPath, options.Value.InstanceId, "calls");
        _time = time;
        _logger = logger;
        // The executor runs where Docker's Unix socket is; the records are for its own user only.
        if (!OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>What an earlier run of this executor did with the call.</summary>
    public RecordedCall Recall(Guid sessionId, string callId)
    {
        var key = KeyOf(sessionId, callId);
        var done = Path.Combine(_directory, key + ".done");
        if (File.Exists(done))
        {
            try
            {
                if (JsonSerializer.Deserialize(File.ReadAllBytes(done), CallRecordJson.Default.ToolCallCompleted) is { } result)
                {
                    return new RecordedCall(result, Started: true);
                }
            }
            catch (JsonException e)
            {
                // The rename makes a torn write impossible; a file broken some other way counts
                // as a run whose result was lost.
                LogUnreadable(e, sessionId, callId);
            }

            return new RecordedCall(null, Started: true);
        }

        return new RecordedCall(null, Started: File.Exists(Path.Combine(_directory, key + ".started")));
    }

    /// <summary>Notes that the call's commands are about to run. Throws <see cref="CallRecordException"/> when it cannot.</summary>
    public void MarkStarted(Guid sessionId, string callId)
    {
        try
        {
            File.WriteAllText(Path.Combine(_directory, KeyOf(sessionId, callId) + ".started"), callId);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CallRecordException($"The executor could not record that the call started, so it did not run it ({e.Message}).", e);
        }
    }

    /// <summary>Keeps the call's result: written whole, then renamed into place, so a kill never leaves half of one.</summary>
    public void Finish(ToolCallCompleted result)
    {
        var key = KeyOf(result.SessionId, result.CallId);
        var done = Path.Combine(_directory, key + ".done");
        try
        {
            var partial = done + ".partial";
            File.WriteAllBytes(partial, JsonSerializer.SerializeToUtf8Bytes(result, CallRecordJson.Default.ToolCallCompleted));
            File.Move(partial, done, overwrite: true);
            File.Delete(Path.Combine(_directory, key + ".started"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The result still goes out; only a redelivery after a restart would then find the
            // call "started" and end it interrupted rather than answer with this result.
            LogNotKept(e, result.SessionId, result.CallId);
        }
    }

    /// <summary>Removes records older than <see cref="Keep"/>.</summary>
    public void Prune()
    {
        var cutoff = (_time.GetUtcNow() - Keep).UtcDateTime;
        foreach (var file in new DirectoryInfo(_directory).EnumerateFiles())
        {
            if (file.LastWriteTimeUtc < cutoff)
            {
                file.Delete();
            }
        }
    }

    private static string KeyOf(Guid sessionId, string callId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{sessionId:N}/{callId}")));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}, call {CallId}: its recorded result is unreadable; treated as lost")]
    private partial void LogUnreadable(Exception exception, Guid sessionId, string callId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}, call {CallId}: its result could not be kept on disk")]
    private partial void LogNotKept(Exception exception, Guid sessionId, string callId);
}

/// <summary>An earlier run's record of a call: its result when it finished, or only that it started.</summary>
internal sealed record RecordedCall(ToolCallCompleted? Result, bool Started);

internal sealed class CallRecordException(string message, Exception inner) : Exception(message, inner);
