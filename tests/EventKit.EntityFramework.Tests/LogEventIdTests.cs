using System.Reflection;
using FluentAssertions;
using Microsoft.Extensions.Logging;
using Xunit;

namespace EventKit.EntityFramework.Tests;

/// <summary>The README promises stable event ids per log message: two messages of one package never share one.</summary>
public sealed class LogEventIdTests
{
    [Theory]
    [InlineData("EventKit")]
    [InlineData("EventKit.EntityFramework")]
    public void EveryLogMessage_HasAnEventIdOfItsOwn(string assemblyName)
    {
        var messages = Assembly.Load(assemblyName).GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m.Name, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .ToList();

        messages.Should().NotBeEmpty();
        messages.GroupBy(m => m.Attribute!.EventId)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}")
            .Should().BeEmpty("a log filter or an alert on one event id must not catch another message");
    }
}
