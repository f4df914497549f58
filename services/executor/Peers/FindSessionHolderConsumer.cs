using Berth.Contracts;
using Berth.Executor.Calls;
using Berth.Executor.Sandbox;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Executor.Peers;

/// <summary>
/// Answers another executor's <see cref="FindSessionHolder"/>: this one holds the session if it
/// holds its container, or has taken the call (running, finished, or recorded before a restart).
/// </summary>
internal sealed class FindSessionHolderConsumer(DockerSandbox sandbox, CallJournal journal, CallRecords records, IOptions<ExecutorOptions> options)
    : IConsumer<FindSessionHolder>
{
    public async Task Consume(ConsumeContext<FindSessionHolder> context)
    {
        var query = context.Message;
        var self = options.Value.InstanceId;
        if (query.AskedBy == self)
        {
            return;
        }

        var holds = sandbox.Holds(query.SessionId) || journal.Knows(query.SessionId, query.CallId) || records.Recall(query.SessionId, query.CallId).Started;
        await context.RespondAsync(new SessionHolderAnswered { QueryId = query.QueryId, ExecutorId = self, Holds = holds });
    }
}
