namespace Berth.LocalStack;

/// <summary>Where the repository and the services' build output are, seen from the running assembly.</summary>
public static class BerthRepository
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: whatever runs was built with the services, in the same configuration.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    /// <summary>A service's entry assembly: <c>services/planner</c> builds <c>Berth.Planner.dll</c>.</summary>
    public static string ServiceDll(string project) => Dll("services", project, $"Berth.{char.ToUpperInvariant(project[0])}{project[1..]}.dll");

    /// <summary>The scripted model, for a stack without a real one.</summary>
    public static string ScriptedModelDll => Dll("tools", "scripted-model", "Berth.ScriptedModel.dll");

    private static string Dll(string folder, string project, string name)
    {
        var dll = Path.Combine(Root, folder, project, "bin", Configuration, "net10.0", name);
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the solution first: {dll} is missing.", dll);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Berth.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Berth.slnx above {AppContext.BaseDirectory}: run from the build output inside the repository.");
    }
}
