using Microsoft.EntityFrameworkCore;

namespace EventKit.Docs.Tests;

// README "FAQ": an idempotent handler. FaqTests runs it through a duplicate run.

// <readme:faq-idempotent-handler>
public sealed class SignupCreditHandler(RewardsDbContext db) : IEventHandler<UserCreated>
{
    public async Task HandleAsync(EventContext<UserCreated> context, CancellationToken cancellationToken)
    {
        if (await db.Credits.AnyAsync(c => c.EventId == context.Id, cancellationToken))
        {
            return;   // an earlier run of this handler for this event already did the work
        }

        db.Credits.Add(new Credit { EventId = context.Id, UserId = context.Payload.UserId, Amount = 10 });
        await db.SaveChangesAsync(cancellationToken);   // EventId is the key: a concurrent duplicate fails here
    }
}
// </readme:faq-idempotent-handler>
