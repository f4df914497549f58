using Berth.Planner.Approvals;
using Berth.Planner.Responses;
using Berth.Planner.Sessions.Activities;

namespace Berth.Planner.Sessions;

internal static class SessionStepsExtensions
{
    /// <summary>What the session saga's activities use, one of each per session message.</summary>
    public static IServiceCollection AddSessionSteps(this IServiceCollection services)
    {
        services.AddSingleton<ApprovalRules>();
        services.AddScoped<ApprovalGate>();
        services.AddScoped<AnnouncementBatch>();
        services.AddScoped<ResponseLifecycle>();
        services.AddScoped<ShellCallSteps>();
        services.AddScoped<QueueResponseActivity>();
        services.AddScoped<ApplyModelAnswerActivity>();
        services.AddScoped<ApplyToolResultActivity>();
        services.AddScoped<StreamOutputActivity>();
        services.AddScoped<FailFaultedCallActivity>();
        services.AddScoped<LoseContainerActivity>();
        services.AddScoped<KeepWorkspaceActivity>();
        services.AddScoped<CancelResponseActivity>();
        services.AddScoped<FailResponseActivity>();
        return services;
    }
}
