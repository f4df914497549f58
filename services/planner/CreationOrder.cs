namespace Berth.Planner;

/// <summary>The order records are listed in: creation time, then id, so a cursor is exact even for records made in the same instant.</summary>
internal static class CreationOrder
{
    /// <summary>Whether the record made at <paramref name="createdAt"/> with <paramref name="id"/> comes after the cursor in the order asked for.</summary>
    public static bool IsAfter(DateTimeOffset createdAt, string id, DateTimeOffset cursorCreatedAt, string cursorId, bool oldestFirst)
    {
        var order = createdAt != cursorCreatedAt
            ? createdAt.CompareTo(cursorCreatedAt)
            : string.CompareOrdinal(id, cursorId);
        return oldestFirst ? order > 0 : order < 0;
    }
}
