using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Docs.Tests;

// README "Handler options": one handler's own name and limits. HandlerOptionsTests runs it.
public static class HandlerOptionsSnippets
{
    public static void Register(IServiceCollection services)
    {
        // <readme:handler-options>
        services.AddEventKit()
            .AddHandler<InvoicePaidHandler>(o =>
            {
                o.Name = "invoice-receipt";                     // its name in the event log; survives renaming the class
                o.Timeout = TimeSpan.FromSeconds(10);           // instead of HandlerTimeout
                o.MaxAttempts = 10;                             // instead of MaxAttempts
                o.RetryBaseDelay = TimeSpan.FromSeconds(30);    // its own backoff (RetryMaxDelay too)
                o.MaxConcurrency = 2;                           // the receipt service takes two calls at a time
            });
        // </readme:handler-options>
    }
}
