using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MongoDB.Driver;

namespace Berth.ServiceDefaults.Payloads;

public static class PayloadExtensions
{
    /// <summary>
    /// The shared store for large payloads: GridFS when <c>ConnectionStrings:mongodb</c> is set
    /// (give it to every service), else <see cref="PayloadOptions.Directory"/>.
    /// </summary>
    public static IHostApplicationBuilder AddPayloadStore(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<PayloadOptions>(PayloadOptions.Section);
        builder.Services.TryAddSingleton(TimeProvider.System);
        var mongodb = builder.Configuration.GetConnectionString("mongodb");
        builder.Services.AddSingleton<IPayloadRepository>(services =>
        {
            var time = services.GetRequiredService<TimeProvider>();
            if (string.IsNullOrWhiteSpace(mongodb))
            {
                return new FileSystemPayloadRepository(services.GetRequiredService<IOptions<PayloadOptions>>().Value.ResolvedDirectory, time);
            }

            var url = MongoUrl.Create(mongodb);
            return new GridFsPayloadRepository(new MongoClient(url).GetDatabase(url.DatabaseName ?? "berth"), time);
        });
        builder.Services.AddSingleton<PayloadStore>();
        builder.Services.AddHostedService<PayloadSweeper>();
        return builder;
    }
}
