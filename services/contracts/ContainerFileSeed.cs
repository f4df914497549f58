namespace Berth.Contracts;

/// <summary>A file uploaded through <c>/v1/files</c> that a session's container is made with (<c>container_auto</c>'s <c>file_ids</c>): copied to <c>/mnt/data/&lt;Filename&gt;</c> from the payload store.</summary>
public sealed record ContainerFileSeed(string FileId, string Filename, Uri ContentAddress);
