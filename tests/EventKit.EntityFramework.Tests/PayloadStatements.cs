using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// Records, for every SaveChanges command that ran, the UTF-8 size of each payload parameter EventKit's INSERT bound
/// (one per statement: a single row's text, or a multi-row statement's array), read after every interceptor has run.
/// Only commands that go through EF Core are seen: PostgreSQL's INSERT rides in EF Core's command when the unit of work
/// has a business change; SQLite's runs as commands of its own.
/// </summary>
public sealed class PayloadStatements : DbCommandInterceptor
{
    private readonly List<long> _sizes = [];

    /// <summary>The UTF-8 bytes of payload each statement sent, in order.</summary>
    public IReadOnlyList<long> Sizes
    {
        get
        {
            lock (_sizes)
            {
                return [.. _sizes];
            }
        }
    }

    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        Record(command, eventData);
        return result;
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        Record(command, eventData);
        return ValueTask.FromResult(result);
    }

    private void Record(DbCommand command, CommandExecutedEventData eventData)
    {
        if (eventData.CommandSource != CommandSource.SaveChanges)
        {
            return;
        }

        foreach (DbParameter parameter in command.Parameters)
        {
            if (!parameter.ParameterName.EndsWith("payload", StringComparison.Ordinal))
            {
                continue;
            }

            var size = parameter.Value switch
            {
                string text => Encoding.UTF8.GetByteCount(text),
                string[] texts => texts.Sum(t => (long)Encoding.UTF8.GetByteCount(t)),
                _ => 0L,
            };
            lock (_sizes)
            {
                _sizes.Add(size);
            }
        }
    }
}
