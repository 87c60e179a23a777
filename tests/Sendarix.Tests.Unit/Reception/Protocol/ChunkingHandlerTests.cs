using System.Text;
using Sendarix.Reception.Protocol;
using Sendarix.Reception.Protocol.Handlers;

namespace Sendarix.Tests.Unit.Reception.Protocol;

public sealed class ChunkingHandlerTests
{
    readonly TransactionHandler _transaction = new();
    readonly ChunkingHandler _handler;
    readonly ScriptedLink _link;

    public ChunkingHandlerTests()
    {
        _handler = new ChunkingHandler(maxMessageSize: 100, _transaction);
        _link = new ScriptedLink(_transaction);
    }

    [Fact]
    public async Task Chunks_are_answered_in_place_and_the_last_gives_the_store_every_octet_as_sent()
    {
        await StartTransactionAsync();
        await ChunkAsync("BDAT 6", "a\r\n.b\r");
        await ChunkAsync("BDAT 4 LAST", "\n..\n");

        Assert.Equal(["MAIL FROM:<a@b.example>", "RCPT TO:<c@d.example>", "NOOP", "DATA", "."], _link.LibraryLines);
        Assert.Equal("250 2.0.0 6 octets received", _link.Replies[2]);
        Assert.Equal(1, _link.DataEnded);
        Assert.Equal("a\r\n.b\r\n..\n", Encoding.ASCII.GetString(_handler.TakeContent()!.Value.Span));
        Assert.Null(_handler.TakeContent());
    }

    [Fact]
    public async Task BDAT_0_LAST_ends_the_message_with_what_came_before()
    {
        await StartTransactionAsync();
        await ChunkAsync("BDAT 3", "abc");
        await ChunkAsync("BDAT 0 LAST", "");
        Assert.Equal("abc", Encoding.ASCII.GetString(_handler.TakeContent()!.Value.Span));
    }

    [Theory]
    [InlineData("DATA")]
    [InlineData("RCPT TO:<late@d.example>")]
    public async Task DATA_or_RCPT_after_a_chunk_gets_503(string line)
    {
        await StartTransactionAsync();
        await ChunkAsync("BDAT 1", "x");
        Assert.Equal(GuardState.Command, await _handler.HandleAsync(GuardCommand.Parse(line), _link));
        Assert.StartsWith("503 5.5.1", _link.Replies[^1]);
    }

    [Fact]
    public async Task A_chunk_before_MAIL_or_without_a_recipient_is_refused()
    {
        await ChunkAsync("BDAT 1", "x");
        Assert.StartsWith("503 5.5.1", _link.Replies[^1]);

        await _link.PassAsync(GuardCommand.Parse("MAIL FROM:<a@b.example>"));
        await ChunkAsync("BDAT 1", "x");
        Assert.StartsWith("554 5.5.1", _link.Replies[^1]);
    }

    [Fact]
    public async Task A_message_over_the_limit_is_refused_at_its_last_chunk_and_the_library_reset()
    {
        await StartTransactionAsync();
        await ChunkAsync("BDAT 80", new string('x', 80));
        await ChunkAsync("BDAT 30", new string('y', 30));
        Assert.StartsWith("552 5.3.4", _link.Replies[^1]);
        await ChunkAsync("BDAT 1 LAST", "z");

        Assert.Equal("RSET", _link.LibraryLines[^1]);
        Assert.StartsWith("552 5.3.4", _link.Replies[^1]);
        Assert.Null(_handler.TakeContent());
    }

    [Fact]
    public async Task A_bad_size_gets_501_and_a_new_transaction_drops_the_chunks_taken()
    {
        Assert.Equal(GuardState.Command, await _handler.HandleAsync(GuardCommand.Parse("BDAT ten"), _link));
        Assert.StartsWith("501 5.5.4", _link.Replies[^1]);

        await StartTransactionAsync();
        await ChunkAsync("BDAT 3", "old");
        Assert.Null(await _handler.HandleAsync(GuardCommand.Parse("RSET"), _link));
        await StartTransactionAsync();
        await ChunkAsync("BDAT 3 LAST", "new");
        Assert.Equal("new", Encoding.ASCII.GetString(_handler.TakeContent()!.Value.Span));
    }

    [Fact]
    public async Task A_refused_DATA_at_the_last_chunk_is_answered_as_the_message_and_keeps_nothing()
    {
        await StartTransactionAsync();
        _link.Library = command => command.Verb == "DATA" ? 554 : 250;
        await ChunkAsync("BDAT 2 LAST", "ab");

        Assert.StartsWith("554", _link.Replies[^1]);
        Assert.Equal(0, _link.DataEnded);
        Assert.Null(_handler.TakeContent());
    }

    async Task StartTransactionAsync()
    {
        foreach (var line in new[] { "MAIL FROM:<a@b.example>", "RCPT TO:<c@d.example>" })
        {
            var command = GuardCommand.Parse(line);
            await _transaction.HandleAsync(command, _link);
            Assert.Null(await _handler.HandleAsync(command, _link));
            await _link.PassAsync(command);
        }
    }

    async Task ChunkAsync(string line, string octets)
    {
        Assert.Equal(GuardState.Chunk, await _handler.HandleAsync(GuardCommand.Parse(line), _link));
        Assert.Equal(octets.Length, _handler.ChunkSize);
        _handler.Append(Encoding.ASCII.GetBytes(octets));
        Assert.Equal(GuardState.Command, await _handler.EndChunkAsync(_link));
    }
}
