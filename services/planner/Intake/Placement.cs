using Berth.Contracts;
using Berth.Planner.Responses;

namespace Berth.Planner.Intake;

/// <summary>Where a submitted response runs, and what it continues.</summary>
/// <param name="SessionId">Its session: a new one, or the one of what it continues.</param>
/// <param name="Previous">The response it continues: its <c>previous_response_id</c>, or its conversation's last response.</param>
/// <param name="Conversation">Its conversation, if it names one.</param>
/// <param name="History">That conversation's items, oldest first.</param>
/// <param name="Container">The container it names (<c>container_reference</c>).</param>
/// <param name="Interrupts">The running response it takes the place of (<c>interrupt: true</c>).</param>
/// <param name="ForkOf">For <c>fork: true</c>, the session whose files its own container starts with.</param>
/// <param name="Kept">The workspace the named container expired with, when it is to be made again from there.</param>
internal sealed record Placement(
    Guid SessionId,
    StoredResponse? Previous,
    ConversationSnapshot? Conversation,
    IReadOnlyList<InputMessage>? History,
    ContainerSnapshot? Container,
    string? Interrupts,
    Guid? ForkOf = null,
    WorkspaceSnapshotInfo? Kept = null);
