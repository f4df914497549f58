namespace Berth.Contracts;

/// <summary>
/// The <c>error.type</c> and <c>error.code</c> values of a request Berth refuses (a 4xx in
/// OpenAI's error shape), in OpenAI's own words where it has them. The planner refuses some
/// requests itself (<see cref="TaskRejected"/>), so these cross the bus like the message types.
/// </summary>
public static class RequestErrorCodes
{
    /// <summary>The <c>error.type</c> of every refused request, as on OpenAI.</summary>
    public const string InvalidRequestError = "invalid_request_error";

    public const string InvalidValue = "invalid_value";
    public const string InvalidType = "invalid_type";
    public const string MissingRequiredParameter = "missing_required_parameter";
    public const string UnknownParameter = "unknown_parameter";

    /// <summary>A parameter OpenAI knows, with a value Berth cannot honour.</summary>
    public const string UnsupportedParameter = "unsupported_parameter";

    public const string MutuallyExclusiveParameters = "mutually_exclusive_parameters";
    public const string EmptyArray = "empty_array";
    public const string ArrayAboveMaxLength = "array_above_max_length";
    public const string StringAboveMaxLength = "string_above_max_length";
    public const string IntegerBelowMinValue = "integer_below_min_value";

    public const string ModelNotFound = "model_not_found";
    public const string PreviousResponseNotFound = "previous_response_not_found";

    /// <summary>A continuation's container is not its session's.</summary>
    public const string ContainerMismatch = "container_mismatch";

    /// <summary>A <c>compaction</c> item sealed by another deployment or tenant, or altered.</summary>
    public const string InvalidEncryptedContent = "invalid_encrypted_content";
}
