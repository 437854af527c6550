using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace FogPlacement.AspNetCore.ProblemDetails;

/// <summary>
/// Answers the library's exceptions (<see cref="ModelProblemDetails.From"/>) as problem details; any other exception is
/// left to the next handler. Registered by
/// <see cref="Microsoft.Extensions.DependencyInjection.FogPlacementProblemDetailsExtensions.AddFogPlacementProblemDetails"/>.
/// </summary>
internal sealed class ModelExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (ModelProblemDetails.From(exception) is not ValidationProblemDetails details)
        {
            return false;
        }

        httpContext.Response.StatusCode = details.Status ?? StatusCodes.Status400BadRequest;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = details,
            Exception = exception,
        });
    }
}
