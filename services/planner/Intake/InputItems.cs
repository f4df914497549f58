using System.Globalization;
using Berth.Contracts;

namespace Berth.Planner.Intake;

/// <summary>The checks and ids a request's input gets at intake, before it is stored.</summary>
internal static class InputItems
{
    /// <summary>
    /// An item's id: the client's own, or one derived from the response and the item's place, so
    /// a redelivered submission gives the same ids. Inputs stored before items had ids get theirs
    /// the same way when they are read.
    /// </summary>
    public static string IdOf(string responseId, int index, InputMessage input) =>
        input.Id ?? Ids.Stable(Prefix(input), responseId, "input", index.ToString(CultureInfo.InvariantCulture));

    public static IReadOnlyList<InputMessage> WithIds(string responseId, IReadOnlyList<InputMessage> input) =>
        [.. input.Select((item, index) => WithId(item, IdOf(responseId, index, item)))];

    private static InputMessage WithId(InputMessage item, string id) =>
        item with { Id = id, Item = item.Item is null ? null : item.Item with { Id = id } };

    private static string Prefix(InputMessage input) => input.Role switch
    {
        InputMessage.Tool => "fco",
        InputMessage.ApprovalResponse => "sarr",
        InputMessage.OutputItem => input.Item!.Type switch
        {
            ResponseItem.FunctionCall => "fc",
            ResponseItem.ShellCall => "sh",
            ResponseItem.ShellCallOutput => "sho",
            ResponseItem.Reasoning => "rs",
            _ => "msg",
        },
        _ => "msg",
    };

    /// <summary>
    /// Null when the input's call outputs fit the calls made, as on OpenAI. A response that
    /// continues one which ended with calls to the client's functions must answer each of them.
    /// An output may answer only a call made before it: by the previous response, or earlier in
    /// this input (a client that keeps its own history sends its calls back). A previous response
    /// still running has made no calls yet to check against.
    /// </summary>
    /// <param name="history">A conversation's items, which hold the calls made before (and the outputs given) in place of the previous response's output.</param>
    public static string? FunctionOutputProblem(ResponseSnapshot? previous, IReadOnlyList<InputMessage> input, IReadOnlyList<InputMessage>? history = null)
    {
        if (previous is not null && !ResponseStatuses.IsTerminal(previous.Status))
        {
            return null;
        }

        var owed = history is null
            ? (previous?.Output ?? []).Where(i => i.Type == ResponseItem.FunctionCall).Select(i => i.CallId!).ToList()
            : UnansweredCalls(history);
        var made = owed.ToHashSet(StringComparer.Ordinal);
        made.UnionWith(history?.Where(i => i.Item is { Type: ResponseItem.FunctionCall }).Select(i => i.Item!.CallId!) ?? []);
        var shellCalls = new HashSet<string>(StringComparer.Ordinal);
        var given = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in input)
        {
            switch (item)
            {
                case { Role: InputMessage.Tool, CallId: { } callId }:
                    if (!made.Contains(callId))
                    {
                        return $"No tool call found for function call output with call_id {callId}.";
                    }

                    given.Add(callId);
                    break;
                case { Item: { Type: ResponseItem.FunctionCall, CallId: { } callId } }:
                    made.Add(callId);
                    owed.Add(callId);
                    break;
                case { Item: { Type: ResponseItem.ShellCall, CallId: { } callId } }:
                    shellCalls.Add(callId);
                    break;
                case { Item: { Type: ResponseItem.ShellCallOutput, CallId: { } callId } } when !shellCalls.Contains(callId):
                    return $"No tool call found for shell call output with call_id {callId}.";
            }
        }

        return owed.FirstOrDefault(id => !given.Contains(id)) is { } unanswered
            ? $"No tool output found for function call {unanswered}."
            : null;
    }

    private static List<string> UnansweredCalls(IReadOnlyList<InputMessage> history)
    {
        var answered = history.Where(i => i.Role == InputMessage.Tool).Select(i => i.CallId!).ToHashSet(StringComparer.Ordinal);
        return [.. history.Where(i => i.Item is { Type: ResponseItem.FunctionCall }).Select(i => i.Item!.CallId!).Where(id => !answered.Contains(id))];
    }

    /// <summary>
    /// Null when the input's approvals fit the previous response: one that paused for a
    /// <c>shell_approval_request</c> (its last item) must be answered, once; an answer must be to
    /// that request.
    /// </summary>
    public static string? ApprovalProblem(ResponseSnapshot? previous, IReadOnlyList<InputMessage> input)
    {
        var waiting = previous is { Status: ResponseStatuses.Completed, Output: [.., { Type: ResponseItem.ShellApprovalRequest } last] } ? last : null;
        var answers = input.Where(i => i.Role == InputMessage.ApprovalResponse).Select(i => i.Approval!).ToList();
        if (answers.Count > 1)
        {
            return $"Only one shell_approval_response may be given: a paused response waits for one request at a time, but the input answers {answers.Count}.";
        }

        if (answers is [var answer] && answer.RequestId != waiting?.Id)
        {
            return previous is null
                ? $"Approval request '{answer.RequestId}' not found: a shell_approval_response answers the request a previous response paused for, so give its previous_response_id."
                : $"Approval request '{answer.RequestId}' not found: previous response '{previous.Id}' {(waiting is null ? "waits for no approval" : $"waits for '{waiting.Id}'")}.";
        }

        return waiting is not null && answers.Count == 0
            ? $"Previous response '{previous!.Id}' waits for approval of shell call '{waiting.CallId}' ({string.Join(" && ", waiting.Commands ?? [])}): answer its request with an input item {{\"type\": \"shell_approval_response\", \"approval_request_id\": \"{waiting.Id}\", \"approve\": true or false}}."
            : null;
    }

    /// <summary>The input with each approval marked as given by the tenant at the time it was submitted.</summary>
    public static IReadOnlyList<InputMessage> StampApprovals(IReadOnlyList<InputMessage> input, string tenant, DateTimeOffset at) =>
        [.. input.Select(i => i.Approval is { } decision ? i with { Approval = decision with { DecidedBy = tenant, DecidedAt = at } } : i)];
}
