using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventKit.Dashboard.Internal.Security;

/// <summary>
/// ASP.NET Core's antiforgery, in a configuration of the dashboard's own: the application need not register
/// antiforgery, and its antiforgery options (cookie name, header, X-Frame-Options) do not change the dashboard's.
/// Tokens are protected with the application's data protection when it registered one (so they are valid on every
/// instance that shares its keys), else with keys that live as long as the process, one set for every mount: the
/// cookie's path is left to antiforgery (the request's path base, so it works under <c>UsePathBase</c> too), so every
/// mount of one application shares the cookie, and each must be able to read the cookie another mount set.
/// </summary>
internal static class DashboardAntiforgery
{
    private static readonly Lazy<EphemeralDataProtectionProvider> ProcessKeys = new(() => new EphemeralDataProtectionProvider());

    public const string CookieName = ".EventKit.Dashboard.Antiforgery";

    public const string FormFieldName = "__RequestVerificationToken";

    public static ServiceProvider CreateServices(IServiceProvider application)
    {
        var services = new ServiceCollection();
        services.AddSingleton(application.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance);
        services.AddSingleton<IDataProtectionProvider>(
            application.GetService<IDataProtectionProvider>() ?? ProcessKeys.Value);
        services.AddLogging();
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.FormFieldName = FormFieldName;
            o.HeaderName = null;                  // forms only
            o.SuppressXFrameOptionsHeader = true; // SecurityHeaders sets DENY itself
        });
        return services.BuildServiceProvider();
    }
}
