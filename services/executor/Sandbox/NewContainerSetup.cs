using Berth.Contracts;

namespace Berth.Executor.Sandbox;

/// <summary>
/// What a session's new container is given before its first command: the uploaded files it was
/// asked for, its skills, and the workspace it starts from (a snapshot, a fork's parent, a kept
/// workspace), unpacked last so that its files are the ones that stay. The skills come from the
/// archive taken with that workspace when there is one: their bundles may be gone by then.
/// </summary>
internal sealed class NewContainerSetup(ContainerSeeds seeds, ContainerSkills skills, WorkspaceSnapshots snapshots)
{
    public async Task ApplyAsync(Guid sessionId, string containerId, IReadOnlyList<ContainerFileSeed> files, IReadOnlyList<ContainerSkillSeed> skillSeeds,
        Uri? restoreFrom, Uri? restoreSkillsFrom, CancellationToken cancellationToken)
    {
        if (files.Count > 0)
        {
            await seeds.CopyAsync(sessionId, containerId, files, cancellationToken);
        }

        if (restoreSkillsFrom is not null)
        {
            await snapshots.RestoreSkillsAsync(containerId, restoreSkillsFrom, cancellationToken);
        }
        else if (skillSeeds.Count > 0)
        {
            await skills.InstallAsync(containerId, skillSeeds, cancellationToken);
        }

        if (restoreFrom is not null)
        {
            await snapshots.RestoreAsync(containerId, restoreFrom, cancellationToken);
        }
    }
}
