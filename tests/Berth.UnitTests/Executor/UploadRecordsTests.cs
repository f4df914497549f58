using Berth.Executor;
using Berth.Executor.Sandbox;

namespace Berth.UnitTests.Executor;

public sealed class UploadRecordsTests : IDisposable
{
    private readonly ExecutorOptions _options = new()
    {
        InstanceId = "uploads-test",
        StateDirectory = Path.Combine(Path.GetTempPath(), $"berth-uploads-{Guid.NewGuid():N}"),
    };

    public void Dispose() => Directory.Delete(_options.StateDirectoryPath, recursive: true);

    [Fact]
    public void Should_keep_a_sessions_uploads_across_an_executor_restart_and_forget_them_with_its_container()
    {
        var session = Guid.NewGuid();
        var other = Guid.NewGuid();
        var records = new UploadRecords(_options);
        records.Add(session, "plan.txt");
        records.Add(session, "odd\nname.txt");
        records.Add(other, "theirs.txt");
        records.Remove(session, "plan.txt");

        var restarted = new UploadRecords(_options);

        Assert.Equal(new HashSet<string> { "odd\nname.txt" }, restarted.Of(session).ToHashSet());
        Assert.True(restarted.Contains(other, "theirs.txt"));
        restarted.KeepOnly([session]);
        Assert.False(new UploadRecords(_options).Contains(other, "theirs.txt"));
        restarted.Forget(session);
        Assert.Empty(new UploadRecords(_options).Of(session));
    }

    [Fact]
    public void Should_keep_its_file_small_when_one_file_is_uploaded_and_deleted_again_and_again()
    {
        var session = Guid.NewGuid();
        var records = new UploadRecords(_options);
        records.Add(session, "kept.txt");
        for (var i = 0; i < 5_000; i++)
        {
            records.Add(session, "churn.txt");
            records.Remove(session, "churn.txt");
        }

        var file = Path.Combine(_options.StateDirectoryPath, _options.InstanceId, "uploads", session.ToString("N"));
        Assert.True(new FileInfo(file).Length < 64 * 1024, $"the record has grown to {new FileInfo(file).Length} bytes");
        Assert.Equal(new HashSet<string> { "kept.txt" }, new UploadRecords(_options).Of(session).ToHashSet());
    }

    [Fact]
    public void Should_have_no_room_for_a_new_path_when_a_session_has_its_most_uploads()
    {
        var session = Guid.NewGuid();
        var records = new UploadRecords(_options);
        for (var i = 0; i < UploadRecords.MaxPerSession; i++)
        {
            records.Add(session, $"f{i}");
        }

        Assert.False(records.HasRoomFor(session, "one-more"));
        Assert.True(records.HasRoomFor(session, "f7"));
        Assert.True(records.HasRoomFor(Guid.NewGuid(), "one-more"));
    }
}
