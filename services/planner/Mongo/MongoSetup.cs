using Berth.Contracts;
using Berth.Planner.Sessions;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;

namespace Berth.Planner.Mongo;

/// <summary>Process-wide BSON settings; the driver keeps them in static registries, so they are set once.</summary>
internal static class MongoSetup
{
    public const string SessionsCollection = "sessions";

    private static readonly Lock Gate = new();
    private static bool _done;

    public static void ConfigureSerialization()
    {
        lock (Gate)
        {
            if (_done)
            {
                return;
            }

            // The driver's default leaves the GUID representation unspecified and refuses to
            // write one; Standard (UUID subtype 4) is what every other MongoDB client reads.
            BsonSerializer.TryRegisterSerializer(new GuidSerializer(GuidRepresentation.Standard));

            BsonClassMap.TryRegisterClassMap<SessionState>(map =>
            {
                map.AutoMap();
                map.MapIdMember(s => s.CorrelationId);
                map.SetIgnoreExtraElements(true);
            });
            BsonClassMap.TryRegisterClassMap<ShellCallSpec>(map =>
            {
                map.AutoMap();
                map.SetIgnoreExtraElements(true);
            });
            _done = true;
        }
    }
}
