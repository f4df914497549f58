using System.Linq.Expressions;
using Berth.Planner.Tenants;
using MongoDB.Driver;

namespace Berth.Planner.Mongo;

/// <summary>Tenant filters. Documents written before tenants existed have no <c>tenant</c>, and belong to <see cref="Tenancy.Local"/>.</summary>
internal static class MongoTenancy
{
    public static FilterDefinition<T> Filter<T>(Expression<Func<T, string?>> field, string tenant)
    {
        var filter = Builders<T>.Filter;
        return Tenancy.Of(tenant) == Tenancy.Local
            ? filter.Or(filter.Eq(field, Tenancy.Local), filter.Eq(field, null))
            : filter.Eq(field, tenant);
    }
}
