using System.Text.Json;
using FogPlacement.Validation;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace FogPlacement.AspNetCore.ProblemDetails;

/// <summary>
/// The library's problems as RFC 7807 problem details: a <see cref="ValidationProblemDetails"/> whose <c>errors</c> map
/// has each problem's message under its JSON path in the body (<c>$.splits[0].tier</c>). Pure: the exception handler
/// (<see cref="Microsoft.Extensions.DependencyInjection.FogPlacementProblemDetailsExtensions.AddFogPlacementProblemDetails"/>)
/// and a service's own code can both use it.
/// </summary>
public static class ModelProblemDetails
{
    /// <summary>The title of a body that is not a valid value (status 400).</summary>
    public const string InvalidTitle = "The request body is not valid.";

    /// <summary>The title of a request that does not fit the model it is decided on (status 422).</summary>
    public const string IncompatibleTitle = "The request does not fit the placement model.";

    /// <summary>
    /// The problem details for <paramref name="exception"/>, or null when it is not one of the library's (nor a JSON
    /// exception caused by reading a body): 400 for a body that cannot be read (a <see cref="JsonException"/>, a
    /// <see cref="BadHttpRequestException"/> caused by one, a <see cref="ModelException"/>), 422 for an
    /// <see cref="IncompatibleRequestException"/>.
    /// </summary>
    /// <param name="exception">The exception to describe.</param>
    /// <returns>The problem details, or null.</returns>
    public static ValidationProblemDetails? From(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case IncompatibleRequestException incompatible:
                    return Create(StatusCodes.Status422UnprocessableEntity, IncompatibleTitle, incompatible.Problems.Select(p => (p.Path.ToJsonPath(), p.Message)));
                case JsonException json:
                    return Create(StatusCodes.Status400BadRequest, InvalidTitle, Errors(json));
                case ModelException model:
                    return Create(StatusCodes.Status400BadRequest, InvalidTitle, model.Problems.Select(p => (p.Path.ToJsonPath(), p.Message)));
                case BadHttpRequestException:
                    continue; // look at its cause: a JSON problem is reported with its paths
                default:
                    return null;
            }
        }

        return null;
    }

    /// <summary>
    /// Each problem of a JSON exception under its path in the body: the problems of a value this library read (its
    /// inner <see cref="ModelException"/>), placed under the path where the value sits, or the exception's own path and message.
    /// </summary>
    private static IEnumerable<(string Path, string Message)> Errors(JsonException json)
    {
        string at = string.IsNullOrEmpty(json.Path) ? "$" : json.Path;
        if (json.InnerException is ModelException { Problems.Count: > 0 } model)
        {
            return model.Problems.Select(p => (Under(at, p.Path.ToJsonPath()), p.Message));
        }

        return [(at, Message(json))];
    }

    /// <summary>A path inside a value, placed under the value's own path in the body: <c>$.request</c> and <c>$.splits[0]</c> give <c>$.request.splits[0]</c>.</summary>
    private static string Under(string at, string inside) => at == "$" ? inside : at + inside[1..];

    /// <summary>The message without what System.Text.Json appends about where it stopped reading (the path is the key already).</summary>
    private static string Message(JsonException json)
    {
        string message = json.Message;
        int suffix = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return suffix > 0 ? message[..suffix] : message;
    }

    private static ValidationProblemDetails Create(int status, string title, IEnumerable<(string Path, string Message)> errors)
    {
        var details = new ValidationProblemDetails
        {
            Status = status,
            Title = title,
            Type = status == StatusCodes.Status422UnprocessableEntity ? "https://tools.ietf.org/html/rfc4918#section-11.2" : "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        };
        foreach (IGrouping<string, (string Path, string Message)> group in errors.GroupBy(e => e.Path, StringComparer.Ordinal))
        {
            details.Errors[group.Key] = [.. group.Select(e => e.Message)];
        }

        return details;
    }
}
