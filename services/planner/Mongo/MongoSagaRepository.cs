using MassTransit;
using MassTransit.Configuration;
using MassTransit.Context;
using MassTransit.Middleware;
using MassTransit.Saga;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MongoDB.Driver;

namespace Berth.Planner.Mongo;

/// <summary>
/// A MassTransit saga repository on MongoDB.Driver, written here because MassTransit.MongoDb is
/// not served by our package mirror. One document per saga, keyed by its correlation id.
/// Optimistic concurrency: every update and delete names the version it read, and one that
/// lost a race throws <see cref="ConcurrencyException"/>, which the endpoint's retry answers
/// by loading the saga again. Two first messages racing to create one saga meet the same way:
/// the second insert hits the unique <c>_id</c> and is retried as an update.
/// </summary>
internal static class MongoSagaRepository
{
    public static ISagaRegistrationConfigurator<TSaga> MongoRepository<TSaga>(this ISagaRegistrationConfigurator<TSaga> saga, string collectionName)
        where TSaga : class, ISagaVersion
    {
        saga.Repository(repository =>
        {
            repository.TryAddSingleton(services => services.GetRequiredService<IMongoDatabase>().GetCollection<TSaga>(collectionName));
            repository.RegisterSagaRepository<TSaga, IMongoCollection<TSaga>, SagaConsumeContextFactory<IMongoCollection<TSaga>, TSaga>,
                MongoSagaRepositoryContextFactory<TSaga>>();
            repository.RegisterLoadSagaRepository<TSaga, MongoSagaRepositoryContextFactory<TSaga>>();
            repository.RegisterQuerySagaRepository<TSaga, MongoSagaRepositoryContextFactory<TSaga>>();
        });
        return saga;
    }

    internal static FilterDefinition<TSaga> ById<TSaga>(Guid correlationId)
        where TSaga : class, ISagaVersion =>
        Builders<TSaga>.Filter.Eq(saga => saga.CorrelationId, correlationId);

    internal static bool IsDuplicateKey(MongoWriteException exception) =>
        exception.WriteError?.Category == ServerErrorCategory.DuplicateKey;
}

/// <summary>A saga that records when it was last saved, so idle ones can expire (a TTL index on <c>updatedAt</c>).</summary>
internal interface ITimestampedSaga
{
    DateTime UpdatedAt { get; set; }
}

internal sealed class MongoSagaRepositoryContextFactory<TSaga>(
    IMongoCollection<TSaga> collection,
    ISagaConsumeContextFactory<IMongoCollection<TSaga>, TSaga> factory,
    TimeProvider time)
    : ISagaRepositoryContextFactory<TSaga>, ILoadSagaRepositoryContextFactory<TSaga>, IQuerySagaRepositoryContextFactory<TSaga>
    where TSaga : class, ISagaVersion
{
    public void Probe(ProbeContext context) => context.Add("persistence", "mongodb");

    public Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class =>
        next.Send(new MongoSagaRepositoryContext<TSaga, T>(collection, context, factory, time));

    public async Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class
    {
        var repositoryContext = new MongoSagaRepositoryContext<TSaga, T>(collection, context, factory, time);
        var instances = await collection.Find(query.FilterExpression).ToListAsync(context.CancellationToken);
        await next.Send(new LoadedSagaRepositoryQueryContext<TSaga, T>(repositoryContext, instances));
    }

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new MongoSagaLookupContext<TSaga>(collection, cancellationToken));

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new MongoSagaLookupContext<TSaga>(collection, cancellationToken));
}

/// <summary>One message's view of the repository: load, add, and save what the state machine did.</summary>
internal sealed class MongoSagaRepositoryContext<TSaga, TMessage> : ConsumeContextScope<TMessage>, SagaRepositoryContext<TSaga, TMessage>
    where TSaga : class, ISagaVersion
    where TMessage : class
{
    private readonly IMongoCollection<TSaga> _collection;
    private readonly ConsumeContext<TMessage> _consumeContext;
    private readonly ISagaConsumeContextFactory<IMongoCollection<TSaga>, TSaga> _factory;
    private readonly TimeProvider _time;

    public MongoSagaRepositoryContext(IMongoCollection<TSaga> collection, ConsumeContext<TMessage> consumeContext,
        ISagaConsumeContextFactory<IMongoCollection<TSaga>, TSaga> factory, TimeProvider time)
        : base(consumeContext)
    {
        _collection = collection;
        _consumeContext = consumeContext;
        _factory = factory;
        _time = time;
    }

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, TSaga instance, SagaConsumeContextMode mode)
        where T : class =>
        _factory.CreateSagaConsumeContext(_collection, consumeContext, instance, mode);

    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance) =>
        _factory.CreateSagaConsumeContext(_collection, _consumeContext, instance, SagaConsumeContextMode.Add);

    public async Task<SagaConsumeContext<TSaga, TMessage>> Insert(TSaga instance)
    {
        try
        {
            Stamp(instance);
            await _collection.InsertOneAsync(instance, cancellationToken: CancellationToken);
            return await _factory.CreateSagaConsumeContext(_collection, _consumeContext, instance, SagaConsumeContextMode.Insert);
        }
        catch (MongoWriteException e) when (MongoSagaRepository.IsDuplicateKey(e))
        {
            // It exists already: MassTransit then loads it instead.
            return null!;
        }
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>> Load(Guid correlationId)
    {
        var instance = await _collection.Find(MongoSagaRepository.ById<TSaga>(correlationId)).FirstOrDefaultAsync(CancellationToken);
        return instance is null
            ? null!
            : await _factory.CreateSagaConsumeContext(_collection, _consumeContext, instance, SagaConsumeContextMode.Load);
    }

    public async Task Save(SagaConsumeContext<TSaga> context)
    {
        try
        {
            Stamp(context.Saga);
            await _collection.InsertOneAsync(context.Saga, cancellationToken: CancellationToken);
        }
        catch (MongoWriteException e) when (MongoSagaRepository.IsDuplicateKey(e))
        {
            throw new ConcurrencyException("Another message created this saga first; retry to apply this one to it.", typeof(TSaga), context.Saga.CorrelationId, e);
        }
    }

    public async Task Update(SagaConsumeContext<TSaga> context)
    {
        var saga = context.Saga;
        var readVersion = saga.Version;
        saga.Version = readVersion + 1;
        Stamp(saga);

        var filter = MongoSagaRepository.ById<TSaga>(saga.CorrelationId) & Builders<TSaga>.Filter.Eq(s => s.Version, readVersion);
        var result = await _collection.ReplaceOneAsync(filter, saga, cancellationToken: CancellationToken);
        if (result.MatchedCount == 0)
        {
            throw new ConcurrencyException($"The saga changed since version {readVersion} was read.", typeof(TSaga), saga.CorrelationId);
        }
    }

    public async Task Delete(SagaConsumeContext<TSaga> context)
    {
        var saga = context.Saga;
        var filter = MongoSagaRepository.ById<TSaga>(saga.CorrelationId) & Builders<TSaga>.Filter.Eq(s => s.Version, saga.Version);
        var result = await _collection.DeleteOneAsync(filter, CancellationToken);
        if (result.DeletedCount == 0)
        {
            throw new ConcurrencyException($"The saga changed since version {saga.Version} was read; not deleted.", typeof(TSaga), saga.CorrelationId);
        }
    }

    public Task Discard(SagaConsumeContext<TSaga> context) => Task.CompletedTask;

    public Task Undo(SagaConsumeContext<TSaga> context) => Task.CompletedTask;

    private void Stamp(TSaga saga)
    {
        if (saga is ITimestampedSaga timestamped)
        {
            timestamped.UpdatedAt = _time.GetUtcNow().UtcDateTime;
        }
    }
}

/// <summary>Reads outside a message: the test harness and saga queries use these.</summary>
internal sealed class MongoSagaLookupContext<TSaga>(IMongoCollection<TSaga> collection, CancellationToken cancellationToken)
    : BasePipeContext(cancellationToken), LoadSagaRepositoryContext<TSaga>, QuerySagaRepositoryContext<TSaga>
    where TSaga : class, ISagaVersion
{
    public Task<TSaga> Load(Guid correlationId) =>
        collection.Find(MongoSagaRepository.ById<TSaga>(correlationId)).FirstOrDefaultAsync(CancellationToken)!;

    public async Task<SagaRepositoryQueryContext<TSaga>> Query(ISagaQuery<TSaga> query, CancellationToken cancellationToken)
    {
        var ids = await collection.Find(query.FilterExpression).Project(saga => saga.CorrelationId).ToListAsync(cancellationToken);
        return new DefaultSagaRepositoryQueryContext<TSaga>(this, ids);
    }
}
