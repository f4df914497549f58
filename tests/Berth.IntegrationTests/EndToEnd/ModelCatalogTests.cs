using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.IntegrationTests.Fixtures;
using OpenAI.Models;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>
/// The operator's model catalog, through the stack that has one (<see cref="BerthStack"/>): what
/// each tenant may ask for and is listed, names refused before anything is queued, and an
/// entry called at its own address under its upstream name.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ModelCatalogTests
{
    private const string AcmeKey = "sk-berth-acme-0c1d2e3f4a5b6c7d";
    private const string CappedKey = "sk-berth-capped-7d6c5b4a3f2e1d0c";

    private readonly BerthStack _stack;
    private readonly ResponsesApi _api;

    public ModelCatalogTests(BerthStack stack)
    {
        _stack = stack;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    [Fact]
    public async Task Should_list_the_catalog_through_the_OpenAI_SDK_and_refuse_any_other_name_before_queueing_it()
    {
        var sdk = new OpenAIModelClient(new System.ClientModel.ApiKeyCredential("not-checked"), new OpenAI.OpenAIClientOptions { Endpoint = new Uri(_stack.ApiBaseUrl.ToString().TrimEnd('/')) });

        var listed = (await sdk.GetModelsAsync()).Value;
        var alias = (await sdk.GetModelAsync(BerthStack.AliasModelName)).Value;

        Assert.Equal([BerthStack.ScriptedModelName, BerthStack.AliasModelName, BerthStack.SmallModelName, BerthStack.EightKModelName], listed.Select(m => m.Id));
        Assert.Equal(BerthStack.AliasModelName, alias.Id);
        using var missing = await _stack.Http.GetAsync("models/meta-llama/Llama-3.1-8B-Instruct");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("model_not_found", (await ErrorOfAsync(missing)).GetProperty("code").GetString());

        var asked = _stack.Model.Requests.Count;
        var (status, body) = await _api.PostRawAsync(JsonSerializer.Serialize(new { model = "gpt-4o", input = "hello" }));
        Assert.Equal((HttpStatusCode.BadRequest, "model_not_found", "model"),
            (status, body.GetProperty("error").GetProperty("code").GetString(), body.GetProperty("error").GetProperty("param").GetString()));
        Assert.Equal("The model 'gpt-4o' does not exist or you do not have access to it.", body.GetProperty("error").GetProperty("message").GetString());
        (status, body) = await _api.PostRawAsync(JsonSerializer.Serialize(new { model = new string('m', 100_000), input = "hello" }));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_value"), (status, body.GetProperty("error").GetProperty("code").GetString()));
        Assert.Equal(asked, _stack.Model.Requests.Count);
    }

    [Fact]
    public async Task Should_call_a_catalog_entry_at_its_own_address_under_its_upstream_name_and_echo_the_id_the_client_sent()
    {
        var marker = Guid.NewGuid().ToString("N");

        var response = await _api.CreateAsync(new { model = BerthStack.AliasModelName, input = marker });

        Assert.Equal("completed", response.Status());
        Assert.Equal(BerthStack.AliasModelName, response.GetProperty("model").GetString());
        Assert.Equal(BerthStack.AliasUpstreamName, _stack.Model.Requests.Single(r => r.LastUserText == marker).Model);
    }

    [Fact]
    public async Task Should_narrow_the_list_and_the_names_a_tenant_may_use_to_its_own()
    {
        var (api, http) = await _stack.StartApiAsync("api-models", ("BERTH_API_KEYS", $"acme:{AcmeKey},capped:{CappedKey}"));
        await using var _ = api;
        using var acme = Client(http.BaseAddress!, AcmeKey);
        using var capped = Client(http.BaseAddress!, CappedKey);
        http.Dispose();

        Assert.Equal([BerthStack.ScriptedModelName, BerthStack.AliasModelName, BerthStack.SmallModelName, BerthStack.EightKModelName], await IdsAsync(acme));
        Assert.Equal([BerthStack.ScriptedModelName], await IdsAsync(capped));
        using var hidden = await capped.GetAsync($"models/{BerthStack.AliasModelName}");
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        using var refused = await capped.PostAsJsonAsync("responses", new { model = BerthStack.AliasModelName, input = "hello" });
        Assert.Equal((HttpStatusCode.BadRequest, "model_not_found"), (refused.StatusCode, (await ErrorOfAsync(refused)).GetProperty("code").GetString()));
        using var allowed = await acme.PostAsJsonAsync("responses", new { model = BerthStack.AliasModelName, input = "hello" });
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    private static async Task<List<string>> IdsAsync(HttpClient client) =>
        [.. (await client.GetFromJsonAsync<JsonElement>("models")).GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!)];

    private static async Task<JsonElement> ErrorOfAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").Clone();

    private static HttpClient Client(Uri baseAddress, string key)
    {
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
