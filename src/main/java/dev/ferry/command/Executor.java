package dev.ferry.command;

import dev.ferry.server.ServerContext;
import dev.ferry.store.Keyspace;

/**
 * Redis's call(): runs one command that passed the dispatcher's checks, keeps its statistics, and hands
 * its effect to the replication stream when it changed the dataset (DESIGN rules 1 and 5). EXEC calls it
 * for each queued command, so a transaction is propagated command by command inside MULTI ... EXEC.
 */
public final class Executor {
    private final ServerContext server;
    private final Keyspace keyspace;

    public Executor(ServerContext server) {
        this.server = server;
        this.keyspace = server.keyspace();
    }

    public void call(Call call, CommandSpec cmd, byte[][] argv) {
        keyspace.tick();
        call.begin(cmd, argv);
        long dirtyBefore = keyspace.dirty();
        long start = System.nanoTime();
        try {
            cmd.handler.execute(call);
        } catch (ReplyError e) {
            call.reply.error(e.getMessage());
            cmd.failedCalls++;
            server.stats().errorReply(e.getMessage());
        }
        cmd.micros += (System.nanoTime() - start) / 1000;
        cmd.calls++;
        server.stats().commandsProcessed++;
        if (keyspace.dirty() != dirtyBefore && !call.propagateNothingSet()) {
            server.replication().propagate(call.client.db().index(), call.effect());
        }
    }
}
