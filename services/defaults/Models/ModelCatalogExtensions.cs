using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Berth.ServiceDefaults.Models;

public static class ModelCatalogExtensions
{
    /// <summary>The operator's model catalog, read as the api and the planner both read it, and checked at start-up.</summary>
    public static OptionsBuilder<ModelCatalog> AddModelCatalog(this IHostApplicationBuilder builder) =>
        builder.Services.AddOptions<ModelCatalog>()
            .Configure(catalog => catalog.Bind(builder.Configuration))
            .ValidateDataAnnotations()
            .ValidateOnStart();
}
