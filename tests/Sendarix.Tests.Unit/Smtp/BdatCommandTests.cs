using Sendarix.Core.Smtp;

namespace Sendarix.Tests.Unit;

public sealed class BdatCommandTests
{
    [Theory]
    [InlineData("BDAT 0", 0, false)]
    [InlineData("BDAT 0 LAST", 0, true)]
    [InlineData("bdat 1024 last", 1024, true)]
    [InlineData("BDAT 52428800", 52428800, false)]
    [InlineData("BDAT 000123 LAST", 123, true)]
    public void Sizes_and_the_last_marker_are_read(string line, long size, bool last)
    {
        Assert.True(BdatCommand.TryParse(line, out var command));
        Assert.Equal(new BdatCommand(size, last), command);
    }

    [Theory]
    [InlineData("BDAT")]
    [InlineData("BDAT ")]
    [InlineData("BDAT -1")]
    [InlineData("BDAT 1.5")]
    [InlineData("BDAT 12a")]
    [InlineData("BDAT 10 FIRST")]
    [InlineData("BDAT 10 LAST extra")]
    [InlineData("BDAT  10")]
    [InlineData("BDAT 1234567890123456789")]
    [InlineData("DATA 10")]
    public void Anything_else_is_a_syntax_error(string line)
    {
        Assert.False(BdatCommand.TryParse(line, out _));
    }
}
