namespace Berth.Planner.Mongo;

/// <summary>MongoDB stores UTC milliseconds; the driver hands them back as a DateTime whose kind may be unset.</summary>
internal static class MongoTime
{
    public static DateTimeOffset Read(DateTime stored) => new(DateTime.SpecifyKind(stored, DateTimeKind.Utc));
}
