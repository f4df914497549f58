using System.Text.RegularExpressions;

namespace Berth.Api.Errors;

/// <summary>
/// Ids are checked by their shape before anything is looked up: an id Berth could never have
/// made gets 404 at once, and no odd string travels to the planner or a store.
/// </summary>
internal static partial class IdFormat
{
    /// <summary>Answers 404 for any route value of the group whose shape is wrong.</summary>
    public static RouteGroupBuilder RequireIdShapes(this RouteGroupBuilder group) =>
        group.AddEndpointFilter(async (context, next) =>
        {
            var route = context.HttpContext.Request.RouteValues;
            foreach (var (name, pattern, what) in Shapes)
            {
                if (route.TryGetValue(name, out var value) && value is string id && !pattern.IsMatch(id))
                {
                    return ApiError.NotFound($"{what} with id '{Shorten(id)}' not found.").ToResult();
                }
            }

            return await next(context);
        });

    private static readonly (string Route, Regex Pattern, string What)[] Shapes =
    [
        ("responseId", ResponseId(), "Response"),
        ("containerId", ContainerId(), "Container"),
        ("endpointId", EndpointId(), "Webhook endpoint"),
        ("uploadedFileId", FileId(), "File"),
        ("conversationId", ConversationId(), "Conversation"),
        ("conversationItemId", ItemId(), "Item"),
        ("skillId", SkillId(), "Skill"),
        ("skillVersion", SkillVersion(), "Skill version"),
        ("snapshotId", SnapshotId(), "Snapshot"),
    ];

    /// <summary>What a skill id looks like, for messages.</summary>
    public const string SkillIdShape = "'skill_' and 32 hex digits";

    public static bool IsSkillId(string value) => SkillId().IsMatch(value);

    /// <summary>A skill's version: its number, 1 or more.</summary>
    public static bool IsSkillVersion(string value) => SkillVersion().IsMatch(value);

    /// <summary>Whether the string could be a response's id.</summary>
    public static bool IsResponseId(string value) => ResponseId().IsMatch(value);

    /// <summary>What a conversation id looks like, for messages.</summary>
    public const string ConversationIdShape = "'conv_' and 32 hex digits";

    /// <summary>Whether the string could be a conversation's id: a <c>conversation</c> that could not is refused, not sent on.</summary>
    public static bool IsConversationId(string value) => ConversationId().IsMatch(value);

    /// <summary>What a file id looks like, for messages.</summary>
    public const string FileIdShape = "'file-' and 32 hex digits";

    /// <summary>Whether the string could be an uploaded file's id: an <c>after</c> cursor or a <c>file_id</c> that could not is refused, not sent on.</summary>
    public static bool IsFileId(string value) => FileId().IsMatch(value);

    /// <summary>What a snapshot id looks like, for messages.</summary>
    public const string SnapshotIdShape = "'snap_' and 32 hex digits";

    /// <summary>Whether the string could be a snapshot's id: a <c>from_snapshot</c> or <c>after</c> that could not is refused, not sent on.</summary>
    public static bool IsSnapshotId(string value) => SnapshotId().IsMatch(value);

    /// <summary>Whether the string could be a container id: an <c>after</c> cursor that could not is refused, not sent on.</summary>
    public static bool IsContainerId(string value) => ContainerId().IsMatch(value);

    private static string Shorten(string id) => id.Length <= 64 ? id : string.Concat(id.AsSpan(0, 64), "…");

    [GeneratedRegex("^resp_[0-9a-f]{32}$")]
    private static partial Regex ResponseId();

    [GeneratedRegex("^cntr_[0-9a-f]{32}$")]
    private static partial Regex ContainerId();

    [GeneratedRegex("^snap_[0-9a-f]{32}$")]
    private static partial Regex SnapshotId();

    [GeneratedRegex("^file-[0-9a-f]{32}$")]
    private static partial Regex FileId();

    [GeneratedRegex("^skill_[0-9a-f]{32}$")]
    private static partial Regex SkillId();

    [GeneratedRegex("^[1-9][0-9]{0,8}$")]
    private static partial Regex SkillVersion();

    [GeneratedRegex("^conv_[0-9a-f]{32}$")]
    private static partial Regex ConversationId();

    /// <summary>An item id: Berth's, or a client's own (<see cref="Responses.InputItemsParser.IsItemId"/>).</summary>
    [GeneratedRegex("^[A-Za-z0-9_-]{1,128}$")]
    private static partial Regex ItemId();

    [GeneratedRegex("^we_([0-9a-f]{32}|configured_[0-9]{1,6})$")]
    private static partial Regex EndpointId();
}
