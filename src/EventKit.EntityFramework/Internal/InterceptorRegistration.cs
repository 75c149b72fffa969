namespace EventKit.EntityFramework.Internal;

/// <summary>Marks that <typeparamref name="TContext"/>'s options already get EventKit's interceptor.</summary>
internal sealed class InterceptorRegistration<TContext>;
