namespace EventKit.Internal.Processing;

/// <summary>
/// Reads an exception's text for the event log. A user's exception type may throw from its own Message or
/// ToString; that must not turn one handler's failure into a failure of the processor.
/// </summary>
internal static class Describe
{
    public static string Full(Exception exception)
    {
        try
        {
            return exception.ToString();
        }
        catch (Exception ex)
        {
            return $"{exception.GetType().FullName} (its text could not be read: {ex.GetType().FullName})";
        }
    }

    public static string Message(Exception exception)
    {
        try
        {
            return exception.Message;
        }
        catch (Exception ex)
        {
            return $"{exception.GetType().FullName} (its message could not be read: {ex.GetType().FullName})";
        }
    }
}
