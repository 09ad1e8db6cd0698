package dev.ferry.engine;

import dev.ferry.protocol.Reply;

import java.util.function.Consumer;

/**
 * The reply of a command that answers in a later turn of the loop (SAVE answers once its snapshot is on
 * disk): meanwhile the client's further input waits, as for a blocking command, and the command counts in
 * INFO commandstats when it answers.
 */
public final class DeferredReply {
    private final ServerContext server;
    private final Client client;
    private final CommandSpec spec;
    private boolean done;

    DeferredReply(ServerContext server, Client client, CommandSpec spec) {
        this.server = server;
        this.client = client;
        this.spec = spec;
    }

    /** Writes the reply (on the executing loop); error is the error reply's text when it is one. */
    public void complete(Consumer<Reply> write, String error) {
        if (done) return;
        done = true;
        if (client.channel().closed()) return;
        write.accept(client.reply());
        if (error != null) {
            spec.failedCalls++;
            server.stats().errorReply(error);
        }
        spec.calls++;
        server.stats().commandsProcessed++;
        client.channel().flush();
        client.channel().unblockInput();
    }
}
