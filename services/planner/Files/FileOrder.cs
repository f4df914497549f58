using Berth.Contracts;

namespace Berth.Planner.Files;

/// <summary>The order files are listed in: creation time, then id, so a cursor is exact even for files made in the same instant.</summary>
internal static class FileOrder
{
    public static bool IsAfter(FileSnapshot file, FileSnapshot cursor, bool oldestFirst)
    {
        var order = file.CreatedAt != cursor.CreatedAt
            ? file.CreatedAt.CompareTo(cursor.CreatedAt)
            : string.CompareOrdinal(file.Id, cursor.Id);
        return oldestFirst ? order > 0 : order < 0;
    }
}
