using Berth.Contracts;
using Berth.Planner.Expiry;
using Berth.ServiceDefaults.Payloads;

namespace Berth.Planner.Files;

/// <summary>Deletes the files uploaded with <c>expires_after</c> once their time has come: the record, then the bytes.</summary>
internal sealed class ExpiredFilePurge(IFileStore store, PayloadStore payloads, TimeProvider time, ILogger<ExpiredFilePurge> logger)
    : ExpiredRecordPurge<FileSnapshot>(payloads, time, logger)
{
    protected override string What => "uploaded file(s) past their expires_after";

    protected override Task<IReadOnlyList<FileSnapshot>> ExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        store.ExpiredAsync(now, limit, cancellationToken);

    protected override async Task<bool> RemoveAsync(FileSnapshot record, CancellationToken cancellationToken) =>
        await store.RemoveAsync(record.Id, cancellationToken) is not null;

    protected override IEnumerable<Uri> BytesOf(FileSnapshot record) => [record.ContentAddress];
}
