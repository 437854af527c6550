using FogPlacement.AspNetCore.ProblemDetails;
using Microsoft.AspNetCore.Http;

// By .NET convention the AddXxx extensions live in Microsoft.Extensions.DependencyInjection, so that they are found
// without a using; the types they register stay in FogPlacement.AspNetCore.ProblemDetails.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers problem details for the library's errors in an ASP.NET Core application.</summary>
public static class FogPlacementProblemDetailsExtensions
{
    /// <summary>
    /// Answers a body that is not a valid request, chain, graph or scenario with 400 and a request that does not fit its
    /// model with 422, each as problem details listing every problem under its JSON path, in every environment. Adds
    /// <c>AddProblemDetails</c>, the exception handler, and makes minimal APIs throw on a body they cannot bind
    /// (<see cref="Microsoft.AspNetCore.Routing.RouteHandlerOptions.ThrowOnBadRequest"/>; in Production they would
    /// otherwise answer an empty 400). Call <c>app.UseExceptionHandler()</c> in the pipeline.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddFogPlacementProblemDetails(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddProblemDetails();
        services.AddExceptionHandler<ModelExceptionHandler>();
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }
}
