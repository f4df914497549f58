using System.Text.Json;
using Berth.Api.Responses;

namespace Berth.UnitTests.Api;

public sealed class CreateResponseParserTests
{
    private static (CreateResponseRequest? Request, Berth.Api.Errors.ApiError? Error) Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return CreateResponseParser.Parse(document.RootElement);
    }

    [Fact]
    public void Should_read_the_issue_example_when_the_request_is_well_formed()
    {
        var (request, error) = Parse("""
            { "model": "gpt-4o", "input": "Run the tests and tell me what fails",
              "tools": [ { "type": "shell", "environment": { "type": "container_auto" } } ],
              "max_tool_calls": 5, "metadata": { "ticket": "B-1" }, "background": true, "instructions": "Be brief." }
            """);

        Assert.Null(error);
        Assert.Equal("gpt-4o", request!.Model);
        Assert.Equal([new Berth.Contracts.InputMessage("user", "Run the tests and tell me what fails")], request.Input);
        Assert.Equal("container_auto", request.Shell!.Environment);
        Assert.Equal(5, request.MaxToolCalls);
        Assert.Equal("B-1", request.Metadata["ticket"]);
        Assert.True(request.Background);
        Assert.Equal("Be brief.", request.Instructions);
    }

    [Fact]
    public void Should_read_functions_tool_choice_and_function_outputs_when_the_client_offers_its_own_functions()
    {
        var (request, error) = Parse("""
            { "model": "m", "previous_response_id": "resp_1",
              "input": [ { "type": "function_call_output", "call_id": "call_1", "output": [ { "type": "input_text", "text": "sunny" } ] }, "again" ],
              "tools": [ { "type": "function", "name": "get_weather", "description": "Weather.", "parameters": { "type": "object" }, "strict": false },
                         { "type": "function", "name": "f2", "parameters": null, "strict": null } ],
              "tool_choice": { "type": "function", "name": "f2" }, "parallel_tool_calls": false }
            """.Replace("\"again\"", "{ \"role\": \"user\", \"content\": \"again\" }", StringComparison.Ordinal));

        Assert.Null(error);
        Assert.Equal([new Berth.Contracts.InputMessage("tool", "sunny") { CallId = "call_1" }, new("user", "again")], request!.Input);
        Assert.Equal(new Berth.Contracts.FunctionToolSpec { Name = "get_weather", Description = "Weather.", Parameters = """{ "type": "object" }""", Strict = false }, request.Functions[0]);
        Assert.Equal(new Berth.Contracts.FunctionToolSpec { Name = "f2" }, request.Functions[1]);
        Assert.True(request.Functions[1].Strict);
        Assert.Equal(new Berth.Contracts.ToolChoiceSpec { Mode = "named", Name = "f2" }, request.ToolChoice);
        Assert.False(request.ParallelToolCalls);
        Assert.Null(request.Shell);
    }

    [Fact]
    public void Should_read_a_conversation_given_as_an_id_or_as_an_object()
    {
        const string id = "conv_0123456789abcdef0123456789abcdef";
        Assert.Equal(id, Parse($$"""{ "model": "m", "input": "x", "conversation": "{{id}}" }""").Request?.ConversationId);
        Assert.Equal(id, Parse($$"""{ "model": "m", "input": "x", "conversation": { "id": "{{id}}" } }""").Request?.ConversationId);
    }

    [Fact]
    public void Should_read_a_compaction_threshold_or_leave_it_to_the_model_default()
    {
        Assert.Equal(6000, Parse("""{ "model": "m", "input": "x", "context_management": [ { "type": "compaction", "compact_threshold": 6000 } ] }""").Request?.Settings?.CompactThreshold);
        Assert.Equal(0, Parse("""{ "model": "m", "input": "x", "context_management": [ { "type": "compaction" } ] }""").Request?.Settings?.CompactThreshold);
        Assert.Null(Parse("""{ "model": "m", "input": "x", "context_management": [] }""").Request?.Settings);
    }

    [Fact]
    public void Should_read_skills_by_reference_and_inline_for_the_api_to_find()
    {
        var (request, error) = Parse("""
            { "model": "m", "input": "x", "tools": [ { "type": "shell", "environment": { "type": "container_auto", "skills": [
                { "type": "skill_reference", "skill_id": "skill_0123456789abcdef0123456789abcdef", "version": "latest" },
                { "type": "inline", "name": "notes", "description": "Takes notes.", "source": { "type": "base64", "media_type": "application/zip", "data": "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==" } } ] } } ] }
            """);

        Assert.Null(error);
        Assert.Equal(("skill_0123456789abcdef0123456789abcdef", "latest"), (request!.Skills[0].SkillId, request.Skills[0].Version));
        Assert.Equal(("notes", 22), (request.Skills[1].Name, request.Skills[1].Zip!.Length));
        Assert.Equal("tools[0].environment.skills[1]", request.Skills[1].Param);
    }

    [Fact]
    public void Should_accept_the_include_value_whose_field_Berth_always_shows()
    {
        Assert.Null(Parse("""{ "model": "m", "input": "x", "include": [ "message.input_image.image_url" ] }""").Error);
    }

    [Fact]
    public void Should_read_the_model_settings_when_the_request_sets_them()
    {
        var (request, error) = Parse("""
            { "model": "m", "input": "x", "temperature": 0.2, "top_p": 0.9, "max_output_tokens": 300, "user": "u-1",
              "safety_identifier": "s-1", "prompt_cache_key": "k-1", "reasoning": { "effort": "low", "summary": null },
              "text": { "format": { "type": "json_schema", "name": "answer", "schema": { "type": "object" }, "strict": true }, "verbosity": "medium" },
              "store": true, "include": [], "truncation": "auto", "service_tier": "auto", "top_logprobs": 0, "stream_options": { "include_obfuscation": false } }
            """);

        Assert.Null(error);
        Assert.Equal(new Berth.Contracts.ModelSettings
        {
            Truncation = "auto",
            Temperature = 0.2,
            TopP = 0.9,
            MaxOutputTokens = 300,
            User = "u-1",
            SafetyIdentifier = "s-1",
            PromptCacheKey = "k-1",
            ReasoningEffort = "low",
            TextFormat = new Berth.Contracts.TextFormatSpec { Type = "json_schema", Name = "answer", Schema = """{ "type": "object" }""", Strict = true },
        }, request!.Settings);
    }

    [Fact]
    public void Should_accept_a_valid_surrogate_pair_and_container_auto_fields_left_empty()
    {
        var (request, error) = Parse("""
            { "model": "m", "input": "ship it \ud83d\ude80 \\ud800 \u00e9\\\ud83d\ude80",
              "tools": [ { "type": "shell", "environment": { "type": "container_auto", "file_ids": [], "memory_limit": null, "skills": [] } } ] }
            """);

        Assert.Null(error);
        Assert.Equal("ship it \U0001F680 \\ud800 \u00e9\\\U0001F680", request!.Input[0].Text);
    }

    [Fact]
    public void Should_give_container_auto_the_memory_limit_asked_for_in_megabytes()
    {
        var (request, error) = Parse("""{ "model": "m", "input": "x", "tools": [ { "type": "shell", "environment": { "type": "container_auto", "memory_limit": "4g" } } ] }""");

        Assert.Null(error);
        Assert.Equal(4096, request!.Shell!.MemoryMb);
    }

    [Fact]
    public void Should_leave_the_settings_empty_when_the_request_sends_only_defaults()
    {
        var (request, error) = Parse("""{ "model": "m", "input": "x", "text": { "format": { "type": "text" } }, "store": true, "truncation": "disabled" }""");

        Assert.Null(error);
        Assert.Null(request!.Settings);
    }

    [Fact]
    public void Should_default_to_container_auto_when_the_shell_tool_has_no_environment()
    {
        var (request, _) = Parse("""{ "model": "m", "input": "x", "tools": [ { "type": "shell" } ] }""");
        Assert.Equal("container_auto", request!.Shell!.Environment);
    }

    [Fact]
    public void Should_read_message_items_with_text_parts_when_input_is_a_list()
    {
        var (request, error) = Parse("""
            { "model": "m", "input": [
                { "role": "developer", "content": "rules" },
                { "type": "message", "role": "user", "content": [ { "type": "input_text", "text": "a" }, { "type": "input_text", "text": "b" } ] } ] }
            """);

        Assert.Null(error);
        Assert.Equal([new("developer", "rules"), new("user", "a\nb")], request!.Input);
    }

    [Fact]
    public void Should_read_output_items_and_item_references_when_a_client_sends_back_its_own_history()
    {
        var (request, error) = Parse("""
            { "model": "m", "input": [
                { "type": "item_reference", "id": "msg_earlier" },
                { "type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
                  "content": [ { "type": "output_text", "text": "on it", "annotations": [], "logprobs": [] } ] },
                { "type": "shell_call", "id": "sh_1", "call_id": "call_s", "status": "completed",
                  "action": { "commands": [ "ls", "pwd" ], "timeout_ms": 500, "max_output_length": 100 }, "environment": null },
                { "type": "shell_call_output", "id": "sho_1", "call_id": "call_s", "max_output_length": 100,
                  "output": [ { "stdout": "a\n", "stderr": "", "outcome": { "type": "exit", "exit_code": 0 } },
                              { "stdout": "", "stderr": "slow", "outcome": { "type": "timeout" } } ] },
                { "type": "reasoning", "id": "rs_1", "summary": [ { "type": "summary_text", "text": "list first" } ], "encrypted_content": "opaque" },
                { "type": "function_call", "call_id": "call_f", "name": "lookup", "arguments": "{}" },
                { "type": "function_call_output", "call_id": "call_f", "output": "found" } ] }
            """);

        Assert.Null(error);
        var input = request!.Input;
        Assert.Equal(new Berth.Contracts.InputMessage(Berth.Contracts.InputMessage.Reference, "") { Id = "msg_earlier" }, input[0]);
        Assert.Equal(new Berth.Contracts.InputMessage("assistant", "on it") { Id = "msg_1" }, input[1]);
        Assert.Equal([Berth.Contracts.InputMessage.OutputItem], input.Skip(2).Take(4).Select(i => i.Role).Distinct());
        var shell = input[2].Item!;
        Assert.Equal(("sh_1", "shell_call", "call_s", 500, 100), (shell.Id, shell.Type, shell.CallId, shell.TimeoutMs, shell.MaxOutputLength));
        Assert.Equal(["ls", "pwd"], shell.Commands);
        var outputs = input[3].Item!.Outputs!;
        Assert.Equal(("a\n", 0, false), (outputs[0].Stdout, outputs[0].ExitCode, outputs[0].TimedOut));
        Assert.Equal(("slow", (int?)null, true), (outputs[1].Stderr, outputs[1].ExitCode, outputs[1].TimedOut));
        Assert.Equal(("reasoning", "list first"), (input[4].Item!.Type, input[4].Item!.Text));
        Assert.Equal(("function_call", "lookup", "{}", "call_f"), (input[5].Item!.Type, input[5].Item!.Name, input[5].Item!.Arguments, input[5].Item!.CallId));
        Assert.Null(input[5].Id);
        Assert.Equal(new Berth.Contracts.InputMessage("tool", "found") { CallId = "call_f" }, input[6]);
    }

    [Fact]
    public void Should_read_a_user_messages_text_and_images_in_order()
    {
        var (request, error) = Parse("""
            { "model": "m", "input": [ { "role": "user", "content": [
                { "type": "input_text", "text": "look" },
                { "type": "input_image", "image_url": "https://images.example.test/a.png", "detail": "high" },
                { "type": "input_image", "image_url": "data:image/png;base64,iVBORw0KGgo=", "file_id": null },
                { "type": "input_text", "text": "and say" } ] } ] }
            """);

        Assert.Null(error);
        var message = request!.Input[0];
        Assert.Equal("look\nand say", message.Text);
        var parts = message.Parts!;
        Assert.Equal(["input_text", "input_image", "input_image", "input_text"], parts.Select(p => p.Type));
        Assert.Equal(("https://images.example.test/a.png", "high"), (parts[1].ImageUrl, parts[1].Detail));
        Assert.Equal(("data:image/png;base64,iVBORw0KGgo=", "auto"), (parts[2].ImageUrl, parts[2].Detail));
        Assert.Null(Parse("""{ "model": "m", "input": [ { "role": "user", "content": [ { "type": "input_text", "text": "x" } ] } ] }""").Request!.Input[0].Parts);
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("ftp://images.example.test/a.png")]
    [InlineData("file:///etc/passwd")]
    [InlineData("data:text/html;base64,PGgxPg==")]
    [InlineData("data:image/png;base64,not base64!")]
    [InlineData("data:image/svg+xml;base64,PHN2Zz4=")]
    [InlineData("/relative/a.png")]
    public void Should_refuse_an_image_url_that_is_not_an_http_url_or_an_image_in_base64(string url)
    {
        var (_, error) = Parse($$"""{ "model": "m", "input": [ { "role": "user", "content": [ { "type": "input_image", "image_url": {{JsonSerializer.Serialize(url)}} } ] } ] }""");

        Assert.Equal(("input[0].content[0].image_url", "invalid_value"), (error!.Param, error.Code));
    }

    [Fact]
    public void Should_refuse_images_past_the_limit_too_long_a_link_and_what_Berth_cannot_send()
    {
        var image = """{ "type": "input_image", "image_url": "https://images.example.test/a.png" }""";
        var many = string.Join(", ", Enumerable.Repeat(image, InputItemsParser.MaxImages + 1));
        string Error(string content) => Parse($$"""{ "model": "m", "input": [ { "role": "user", "content": [ {{content}} ] } ] }""").Error is { } e ? $"{e.Param} {e.Code}" : "none";

        Assert.Equal($"input[0].content[{InputItemsParser.MaxImages}] invalid_value", Error(many));
        Assert.Equal("input[0].content[0].image_url invalid_value", Error($$"""{ "type": "input_image", "image_url": "https://a.test/{{new string('a', ImageParts.MaxUrlLength)}}" }"""));
        Assert.Equal("input[0].content[0].file_id invalid_value", Error("""{ "type": "input_image", "file_id": "file-1/../../etc" }"""));
        Assert.Equal("input[0].content[0].image_url invalid_value", Error("""{ "type": "input_image", "file_id": "file-0123456789abcdef0123456789abcdef", "image_url": "https://a.test/a.png" }"""));
        Assert.Equal("input[0].content[0].image_url missing_required_parameter", Error("""{ "type": "input_image", "detail": "low" }"""));
        Assert.Equal("input[0].content[0].detail unsupported_parameter", Error("""{ "type": "input_image", "image_url": "https://a.test/a.png", "detail": "original" }"""));
        Assert.Equal("input[0].content[0].detail invalid_value", Error("""{ "type": "input_image", "image_url": "https://a.test/a.png", "detail": "max" }"""));
        Assert.Equal("input[0].content[0].prompt_cache_breakpoint unsupported_parameter", Error("""{ "type": "input_image", "image_url": "https://a.test/a.png", "prompt_cache_breakpoint": { "mode": "explicit" } }"""));
        Assert.Equal("none", Error(string.Join(", ", Enumerable.Repeat(image, InputItemsParser.MaxImages))));
        var (_, system) = Parse($$"""{ "model": "m", "input": [ { "role": "system", "content": [ {{image}} ] } ] }""");
        Assert.Equal(("input[0].content[0].type", "invalid_value"), (system!.Param, system.Code));
    }

    [Fact]
    public void Should_read_an_image_and_files_by_id_or_inline_in_a_user_message_in_order()
    {
        var (request, error) = Parse("""
            { "model": "m", "input": [ { "role": "user", "content": [
                { "type": "input_text", "text": "read these" },
                { "type": "input_image", "file_id": "file-0123456789abcdef0123456789abcdef", "detail": "high", "image_url": null },
                { "type": "input_file", "file_id": "file-fedcba9876543210fedcba9876543210" },
                { "type": "input_file", "filename": "notes.txt", "file_data": "data:text/plain;base64,aGVsbG8=", "detail": "auto" } ] } ] }
            """);

        Assert.Null(error);
        var parts = request!.Input.Single().Parts!;
        Assert.Equal(["input_text", "input_image", "input_file", "input_file"], parts.Select(p => p.Type));
        Assert.Equal(("file-0123456789abcdef0123456789abcdef", "high"), (parts[1].FileId, parts[1].Detail));
        Assert.Equal(("file-fedcba9876543210fedcba9876543210", null), (parts[2].FileId, parts[2].Filename));
        Assert.Equal(("notes.txt", "data:text/plain;base64,aGVsbG8=", "text/plain"), (parts[3].Filename, parts[3].FileData, parts[3].MediaType));
    }

    [Theory]
    [InlineData("""{ "type": "input_file", "file_url": "https://files.example.test/a.pdf" }""", "file_url", "unsupported_parameter")]
    [InlineData("""{ "type": "input_file" }""", "file_id", "missing_required_parameter")]
    [InlineData("""{ "type": "input_file", "file_id": "file-0123456789abcdef0123456789abcdef", "file_data": "data:text/plain;base64,aGVsbG8=", "filename": "a" }""", "file_id", "invalid_value")]
    [InlineData("""{ "type": "input_file", "file_data": "data:text/plain;base64,aGVsbG8=" }""", "filename", "missing_required_parameter")]
    [InlineData("""{ "type": "input_file", "file_data": "aGVsbG8=", "filename": "a.txt" }""", "file_data", "invalid_value")]
    [InlineData("""{ "type": "input_file", "file_data": "data:text/plain;base64,not base64!", "filename": "a.txt" }""", "file_data", "invalid_value")]
    [InlineData("""{ "type": "input_file", "file_data": "data:text/plain;base64,aGVsbG8=", "filename": "a\u0000b" }""", "filename", "invalid_value")]
    [InlineData("""{ "type": "input_file", "file_id": "file-0123456789abcdef0123456789abcdef", "detail": "high" }""", "detail", "unsupported_parameter")]
    [InlineData("""{ "type": "input_file", "file_id": "file-0123456789abcdef0123456789abcdef", "prompt_cache_breakpoint": { "mode": "explicit" } }""", "prompt_cache_breakpoint", "unsupported_parameter")]
    public void Should_refuse_a_file_part_that_Berth_cannot_send_naming_its_field(string part, string field, string code)
    {
        var (_, error) = Parse($$"""{ "model": "m", "input": [ { "role": "user", "content": [ {{part}} ] } ] }""");

        Assert.Equal(($"input[0].content[0].{field}", code), (error?.Param, error?.Code));
    }

    [Fact]
    public void Should_refuse_a_file_name_longer_than_the_limit()
    {
        string Part(int length) => $$"""{ "model": "m", "input": [ { "role": "user", "content": [ { "type": "input_file", "file_data": "data:text/plain;base64,aGVsbG8=", "filename": "{{new string('a', length)}}" } ] } ] }""";

        Assert.Equal("input[0].content[0].filename", Parse(Part(FileParts.MaxFilenameLength + 1)).Error?.Param);
        Assert.Null(Parse(Part(FileParts.MaxFilenameLength)).Error);
    }

    [Fact]
    public void Should_refuse_an_item_id_longer_than_the_limit()
    {
        var (_, error) = Parse($$"""{ "model": "m", "input": [ { "type": "item_reference", "id": "{{new string('a', 129)}}" } ] }""");

        Assert.Equal(("input[0].id", "invalid_value"), (error!.Param, error.Code));
        Assert.Null(Parse($$"""{ "model": "m", "input": [ { "type": "item_reference", "id": "{{new string('a', 128)}}" } ] }""").Error);
    }

    [Theory]
    [InlineData("""{ "input": "x" }""", "model", "missing_required_parameter")]
    [InlineData("""{ "model": 4, "input": "x" }""", "model", "invalid_type")]
    [InlineData("""{ "model": "", "input": "x" }""", "model", "empty_string")]
    [InlineData("""{ "model": "m" }""", "input", "missing_required_parameter")]
    [InlineData("""{ "model": "m", "input": 3 }""", "input", "invalid_type")]
    [InlineData("""{ "model": "m", "input": [] }""", "input", "empty_array")]
    [InlineData("""{ "model": "m", "input": [ { "type": "computer_call", "call_id": "c" } ] }""", "input[0].type", "invalid_value")]
    [InlineData("""{ "model": "m", "input": [ { "type": "function_call", "call_id": "c", "name": "f" } ] }""", "input[0].arguments", "missing_required_parameter")]
    [InlineData("""{ "model": "m", "input": [ { "type": "item_reference" } ] }""", "input[0].id", "missing_required_parameter")]
    [InlineData("""{ "model": "m", "input": [ { "type": "item_reference", "id": "../../etc/passwd" } ] }""", "input[0].id", "invalid_value")]
    [InlineData("""{ "model": "m", "input": [ { "type": "item_reference", "id": "msg_\u0000" } ] }""", "input[0].id", "invalid_value")]
    [InlineData("""{ "model": "m", "input": [ { "role": "user", "content": "x", "id": 7 } ] }""", "input[0].id", "invalid_type")]
    [InlineData("""{ "model": "m", "input": [ { "type": "shell_call", "call_id": "c" } ] }""", "input[0].action", "missing_required_parameter")]
    [InlineData("""{ "model": "m", "input": [ { "type": "shell_call", "call_id": "c", "action": { "commands": "ls" } } ] }""", "input[0].action.commands", "invalid_type")]
    [InlineData("""{ "model": "m", "input": [ { "type": "shell_call", "call_id": "c", "action": { "commands": [ 1 ] } } ] }""", "input[0].action.commands[0]", "invalid_type")]
    [InlineData("""{ "model": "m", "input": [ { "type": "shell_call", "call_id": "c", "action": { "commands": [], "timeout_ms": -1 } } ] }""", "input[0].action.timeout_ms", "integer_below_min_value")]
    [InlineData("""{ "model": "m", "input": [ { "type": "shell_call_output", "call_id": "c", "output": {} } ] }""", "input[0].output", "invalid_type")]
    [InlineData("""{ "model": "m", "input": [ { "type": "shell_call_output", "call_id": "c", "output": [ { "stdout": "", "stderr": "", "outcome": { "type": "crash" } } ] } ] }""", "input[0].output[0].outcome.type", "invalid_value")]
    [InlineData("""{ "model": "m", "input": [ { "type": "shell_call_output", "call_id": "c", "output": [ { "stdout": "", "stderr": "", "outcome": { "type": "exit", "exit_code": "0" } } ] } ] }""", "input[0].output[0].outcome.exit_code", "invalid_type")]
    [InlineData("""{ "model": "m", "input": [ { "type": "shell_call_output", "call_id": "c", "output": [ { "stderr": "", "outcome": { "type": "timeout" } } ] } ] }""", "input[0].output[0].stdout", "missing_required_parameter")]
    [InlineData("""{ "model": "m", "input": [ { "type": "reasoning", "id": "rs_1", "summary": "thought" } ] }""", "input[0].summary", "invalid_type")]
    [InlineData("""{ "model": "m", "input": [ { "type": "function_call_output", "output": "o" } ] }""", "input[0].call_id", "missing_required_parameter")]
    [InlineData("""{ "model": "m", "input": [ { "type": "function_call_output", "call_id": "c", "output": 5 } ] }""", "input[0].output", "invalid_type")]
    [InlineData("""{ "model": "m", "input": [ { "type": "function_call_output", "call_id": "c", "output": [ { "type": "input_image", "image_url": "u" } ] } ] }""", "input[0].output[0].type", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "function", "name": "get weather" } ] }""", "tools[0].name", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "function", "name": "a123456789b123456789c123456789d123456789e123456789f123456789g12345" } ] }""", "tools[0].name", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "function", "name": "shell" } ] }""", "tools[0].name", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "function", "name": "f" }, { "type": "function", "name": "f" } ] }""", "tools[1].name", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "function", "name": "f", "defer_loading": true } ] }""", "tools[0].defer_loading", "unsupported_parameter")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "function", "name": "f", "parameters": "{}" } ] }""", "tools[0].parameters", "invalid_type")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "function", "name": "f", "strict": "yes" } ] }""", "tools[0].strict", "invalid_type")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "function", "name": "f", "surprise": 1 } ] }""", "tools[0].surprise", "unknown_parameter")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "function" } ] }""", "tools[0].name", "missing_required_parameter")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "function", "name": "f" } ], "tool_choice": "sometimes" }""", "tool_choice", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "function", "name": "f" } ], "tool_choice": { "type": "function", "name": "g" } }""", "tool_choice.name", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "function", "name": "f" } ], "tool_choice": { "type": "shell" } }""", "tool_choice", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "function", "name": "f" } ], "tool_choice": { "type": "web_search" } }""", "tool_choice.type", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "tool_choice": "required" }""", "tool_choice", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "tool_choice": 3 }""", "tool_choice", "invalid_type")]
    [InlineData("""{ "model": "m", "input": "x", "parallel_tool_calls": "no" }""", "parallel_tool_calls", "invalid_type")]
    [InlineData("""{ "model": "m", "input": "x", "store": false, "background": true }""", "background", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "store": "no" }""", "store", "invalid_type")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "shell", "environment": { "type": "container_auto", "file_ids": [ "file_1" ] } } ] }""", "tools[0].environment.file_ids[0]", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "shell", "environment": { "type": "container_auto", "file_ids": "file-0123456789abcdef0123456789abcdef" } } ] }""", "tools[0].environment.file_ids", "invalid_type")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "shell", "environment": { "type": "container_reference", "container_id": "cntr_1", "file_ids": [ "file-0123456789abcdef0123456789abcdef" ] } } ] }""", "tools[0].environment.file_ids", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "shell", "environment": { "type": "container_auto", "memory_limit": "3g" } } ] }""", "tools[0].environment.memory_limit", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "shell", "environment": { "type": "container_auto", "memory_limit": 4 } } ] }""", "tools[0].environment.memory_limit", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "shell", "environment": { "type": "container_reference", "container_id": "cntr_1", "memory_limit": "4g" } } ] }""", "tools[0].environment.memory_limit", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "shell", "environment": { "type": "container_auto", "skills": [ { "type": "skill_reference", "skill_id": "s" } ] } } ] }""", "tools[0].environment.skills[0].skill_id", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "shell", "environment": { "type": "container_auto", "skills": [ { "type": "skill_reference", "skill_id": "skill_0123456789abcdef0123456789abcdef", "version": "0" } ] } } ] }""", "tools[0].environment.skills[0].version", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "shell", "environment": { "type": "container_auto", "skills": [ { "type": "inline", "name": "Bad Name", "description": "d", "source": { "type": "base64", "media_type": "application/zip", "data": "UEs=" } } ] } } ] }""", "tools[0].environment.skills[0].name", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "shell", "environment": { "type": "container_auto", "skills": [ { "type": "inline", "name": "ok", "description": "d", "source": { "type": "base64", "media_type": "application/zip", "data": "not base64!" } } ] } } ] }""", "tools[0].environment.skills[0].source.data", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "shell", "environment": { "type": "container_auto", "skills": [ { "type": "inline", "name": "ok", "description": "d", "source": { "type": "url", "url": "https://x.test/a.zip" } } ] } } ] }""", "tools[0].environment.skills[0].source", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "shell", "environment": { "type": "container_auto", "skills": [ { "type": "local", "path": "/etc" } ] } } ] }""", "tools[0].environment.skills[0].type", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "shell", "environment": { "type": "container_reference", "container_id": "cntr_1", "skills": [ { "type": "skill_reference", "skill_id": "skill_0123456789abcdef0123456789abcdef" } ] } } ] }""", "tools[0].environment.skills", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "shell", "environment": { "type": "container_auto", "gpu": true } } ] }""", "tools[0].environment.gpu", "unknown_parameter")]
    [InlineData("""{ "model": "m", "input": "x", "truncation": "sometimes" }""", "truncation", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "truncation": 1 }""", "truncation", "invalid_type")]
    [InlineData("""{ "model": "m", "input": "x", "include": [ "reasoning.encrypted_content" ] }""", "include", "unsupported_parameter")]
    [InlineData("""{ "model": "m", "input": "x", "include": "all" }""", "include", "invalid_type")]
    [InlineData("""{ "model": "m", "input": "x", "moderation": { } }""", "moderation", "unsupported_parameter")]
    [InlineData("""{ "model": "m", "input": "x", "background_options": { "completion_window": "2h" } }""", "background_options", "unsupported_parameter")]
    [InlineData("""{ "model": "m", "input": "x", "prompt_cache_options": { "mode": "explicit" } }""", "prompt_cache_options", "unsupported_parameter")]
    [InlineData("""{ "model": "m", "input": "x", "image": { } }""", "image", "unsupported_parameter")]
    [InlineData("""{ "model": "m", "input": "x", "access_programs": { } }""", "access_programs", "unsupported_parameter")]
    [InlineData("""{ "model": "m", "input": "x", "conversation": "conv_0123456789abcdef0123456789abcdef", "previous_response_id": "resp_1" }""", "conversation", "mutually_exclusive_parameters")]
    [InlineData("""{ "model": "m", "input": "x", "conversation": "conv_../../etc" }""", "conversation", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "conversation": 5 }""", "conversation", "invalid_type")]
    [InlineData("""{ "model": "m", "input": "x", "conversation": { } }""", "conversation.id", "missing_required_parameter")]
    [InlineData("""{ "model": "m", "input": "x", "include": [ "message.input_image.image_url", "message.output_text.logprobs" ] }""", "include", "unsupported_parameter")]
    [InlineData("""{ "model": "m", "input": "x", "include": [ 4 ] }""", "include[0]", "invalid_type")]
    [InlineData("""{ "model": "m", "input": "x", "top_logprobs": 5 }""", "top_logprobs", "unsupported_parameter")]
    [InlineData("""{ "model": "m", "input": "x", "service_tier": "priority" }""", "service_tier", "unsupported_parameter")]
    [InlineData("""{ "model": "m", "input": "x", "prompt": { "id": "pmpt_1" } }""", "prompt", "unsupported_parameter")]
    [InlineData("""{ "model": "m", "input": "x", "context_management": [ { "type": "truncation" } ] }""", "context_management[0].type", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "context_management": [ { "type": "compaction", "compact_threshold": 999 } ] }""", "context_management[0].compact_threshold", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "context_management": [ { "type": "compaction", "compact_threshold": 1e30 } ] }""", "context_management[0].compact_threshold", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "context_management": [ { "type": "compaction" }, { "type": "compaction" } ] }""", "context_management", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "context_management": [ { "type": "compaction", "keep": 3 } ] }""", "context_management[0].keep", "unknown_parameter")]
    [InlineData("""{ "model": "m", "input": "x", "context_management": { "type": "compaction" } }""", "context_management", "invalid_type")]
    [InlineData("""{ "model": "m", "input": [ { "type": "compaction" } ] }""", "input[0].encrypted_content", "missing_required_parameter")]
    [InlineData("""{ "model": "m", "input": "x", "prompt_cache_retention": "24h" }""", "prompt_cache_retention", "unsupported_parameter")]
    [InlineData("""{ "model": "m", "input": "x", "stream_options": { "include_obfuscation": true } }""", "stream_options.include_obfuscation", "unsupported_parameter")]
    [InlineData("""{ "model": "m", "input": "x", "reasoning": { "summary": "auto" } }""", "reasoning.summary", "unsupported_parameter")]
    [InlineData("""{ "model": "m", "input": "x", "reasoning": { "effort": "extreme" } }""", "reasoning.effort", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "text": { "verbosity": "high" } }""", "text.verbosity", "unsupported_parameter")]
    [InlineData("""{ "model": "m", "input": "x", "text": { "format": { "type": "xml" } } }""", "text.format.type", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "text": { "format": { "type": "json_schema", "schema": {} } } }""", "text.format.name", "missing_required_parameter")]
    [InlineData("""{ "model": "m", "input": "x", "text": { "format": { "type": "json_schema", "name": "a b", "schema": {} } } }""", "text.format.name", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "text": { "format": { "type": "json_schema", "name": "n" } } }""", "text.format.schema", "missing_required_parameter")]
    [InlineData("""{ "model": "m", "input": "x", "temperature": 2.5 }""", "temperature", "decimal_above_max_value")]
    [InlineData("""{ "model": "m", "input": "x", "temperature": "hot" }""", "temperature", "invalid_type")]
    [InlineData("""{ "model": "m", "input": "x", "top_p": -0.1 }""", "top_p", "decimal_below_min_value")]
    [InlineData("""{ "model": "m", "input": "x", "max_output_tokens": 8 }""", "max_output_tokens", "integer_below_min_value")]
    [InlineData("""{ "model": "m", "input": "x", "safety_identifier": "a123456789b123456789c123456789d123456789e123456789f123456789g12345" }""", "safety_identifier", "string_above_max_length")]
    [InlineData("""{ "model": "m", "input": [ { "role": "robot", "content": "x" } ] }""", "input[0].role", "invalid_value")]
    [InlineData("""{ "model": "m", "input": [ { "role": "user", "content": [ { "type": "input_file", "file_id": "file-1" } ] } ] }""", "input[0].content[0].file_id", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "web_search" } ] }""", "tools[0].type", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "shell", "environment": { "type": "vm" } } ] }""", "tools[0].environment.type", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "tools": [ { "type": "shell", "environment": { "type": "container_reference" } } ] }""", "tools[0].environment.container_id", "missing_required_parameter")]
    [InlineData("""{ "model": "m", "input": "x", "tools": {} }""", "tools", "invalid_type")]
    [InlineData("""{ "model": "m", "input": "x", "max_tool_calls": 0 }""", "max_tool_calls", "integer_below_min_value")]
    [InlineData("""{ "model": "m", "input": "x", "max_tool_calls": "3" }""", "max_tool_calls", "invalid_type")]
    [InlineData("""{ "model": "m", "input": "x", "metadata": { "k": 1 } }""", "metadata.k", "invalid_type")]
    [InlineData("""{ "model": "m", "input": "x", "background": "yes" }""", "background", "invalid_type")]
    [InlineData("""{ "model": "m", "input": "x", "previous_response_id": 7 }""", "previous_response_id", "invalid_type")]
    [InlineData("""{ "model": "m", "input": "x", "stream": "yes" }""", "stream", "invalid_type")]
    [InlineData("""{ "model": "m", "input": "x", "surprise": 1 }""", "surprise", "unknown_parameter")]
    public void Should_name_the_parameter_when_the_request_is_invalid(string json, string param, string code)
    {
        var (request, error) = Parse(json);

        Assert.Null(request);
        Assert.NotNull(error);
        Assert.Equal(400, error.Status);
        Assert.Equal("invalid_request_error", error.Type);
        Assert.Equal(param, error.Param);
        Assert.Equal(code, error.Code);
        Assert.Contains(param.Split('.', '[')[0], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_metadata_with_more_than_sixteen_pairs()
    {
        var pairs = string.Join(",", Enumerable.Range(0, 17).Select(i => $"\"k{i}\": \"v\""));
        var (_, error) = Parse($$"""{ "model": "m", "input": "x", "metadata": { {{pairs}} } }""");
        Assert.Equal("metadata", error?.Param);
    }

    [Fact]
    public void Should_accept_parameters_sdks_send_by_default_when_berth_does_not_use_them()
    {
        var (request, error) = Parse("""
            { "model": "m", "input": "x", "temperature": 0.2, "top_p": 1, "parallel_tool_calls": true, "store": true,
              "truncation": "disabled", "tool_choice": "auto", "text": { "format": { "type": "text" } }, "user": "u" }
            """);
        Assert.Null(error);
        Assert.NotNull(request);
    }
}
