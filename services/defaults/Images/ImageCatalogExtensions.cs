using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Berth.ServiceDefaults.Images;

public static class ImageCatalogExtensions
{
    /// <summary>The operator's list of sandbox images, read as the api, the planner and the executors all read it, and checked at start-up.</summary>
    public static OptionsBuilder<ImageCatalog> AddImageCatalog(this IHostApplicationBuilder builder) =>
        builder.Services.AddOptions<ImageCatalog>()
            .Configure(catalog => catalog.Bind(builder.Configuration))
            .ValidateDataAnnotations()
            .ValidateOnStart();
}
