namespace Berth.Contracts;

/// <summary>One message of a request's input. Role is user, system, developer or assistant.</summary>
public sealed record InputMessage(string Role, string Text);
