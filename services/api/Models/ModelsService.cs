using Berth.Api.Errors;
using Berth.Api.Security;
using Berth.Contracts;
using Berth.ServiceDefaults;
using Berth.ServiceDefaults.Models;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Api.Models;

/// <summary>
/// <c>GET /v1/models</c> and <c>GET /v1/models/{id}</c>: what the caller may ask for. The planner
/// answers, as it holds the endpoints' keys for the list a deployment without a catalog shows.
/// </summary>
internal sealed class ModelsService(PlannerClient planner, RequestTenant tenant)
{
    public async Task<IResult> ListAsync(CancellationToken cancellationToken)
    {
        var (models, problem) = await FetchAsync(cancellationToken);
        return problem ?? Results.Bytes(ModelJson.SerializeList(models), "application/json");
    }

    public async Task<IResult> GetAsync(string model, CancellationToken cancellationToken)
    {
        if (ModelCatalog.NameProblem(model) is not null)
        {
            return NotFound(model[..Math.Min(model.Length, ModelCatalog.MaxNameLength)]);
        }

        var (models, problem) = await FetchAsync(cancellationToken);
        return problem ?? (models.FirstOrDefault(m => m.Id == model) is { } found
            ? Results.Bytes(ModelJson.Serialize(found), "application/json")
            : NotFound(model));
    }

    private async Task<(IReadOnlyList<ModelInfo> Models, IResult? Problem)> FetchAsync(CancellationToken cancellationToken)
    {
        var reply = await planner.Ask<ListModels>().GetResponse<ModelList>(new ListModels { Tenant = tenant.Id }, cancellationToken);
        return reply.Message.Unavailable is { } why
            ? ([], ApiError.Unavailable(why, ErrorCodes.ModelUnavailable).ToResult())
            : (reply.Message.Models, null);
    }

    private static IResult NotFound(string model) =>
        new ApiError(StatusCodes.Status404NotFound, $"The model '{model}' does not exist or you do not have access to it.", RequestErrorCodes.InvalidRequestError, "model", RequestErrorCodes.ModelNotFound).ToResult();
}
