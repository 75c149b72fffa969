using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("EventKit.Tests")]
[assembly: InternalsVisibleTo("EventKit.EntityFramework.Tests")]
