package dev.ferry.replication;

import dev.ferry.engine.Client;
import dev.ferry.engine.ReplicationLinks;
import dev.ferry.engine.ReplicationStream;
import dev.ferry.engine.ServerContext;

/**
 * An archived stream replayed at start-up onto the snapshot just loaded, by the same applier as a link to a
 * master: the stream takes the snapshot's history and offset, each whole command runs as a master's client and
 * counts in the offset, and a transaction counts once its EXEC is applied. A master's own stream is held while it
 * runs (the commands are the history, not new effects) and resumed at {@link #close}; the replication links then
 * take the position reached ({@link ReplicationLinks#loadedAtStartup}).
 */
final class StreamReplay implements ReplicationLinks.Replay {
    private final ServerContext ctx;
    private final ReplicationStream stream;
    private final boolean wasProducing;
    private final Client client;
    private final MasterStream in;
    private final StreamApplier applier;

    StreamReplay(ServerContext ctx, String replId, long offset, int db) {
        this.ctx = ctx;
        this.stream = ctx.replication();
        this.wasProducing = stream.producing();
        stream.demote();
        stream.adopt(replId, offset);
        stream.relayedDb(Math.max(0, db));
        this.client = new Client(ctx.clients().nextId(), new MasterChannel("archive", () -> { }), ctx);
        client.authenticated(true);
        client.select(Math.max(0, db));
        ctx.clients().add(client);
        this.in = new MasterStream(ctx.settings().protoMaxBulkLen);
        this.applier = new StreamApplier(ctx, client);
    }

    @Override
    public boolean apply(byte[] bytes, int length) {
        in.append(bytes, 0, length);
        applier.apply(in, () -> in.error() == null, () -> { });
        return in.error() == null;
    }

    @Override
    public long offset() {
        return stream.offset();
    }

    @Override
    public void switchHistory(String replId) {
        stream.switchHistory(replId);
    }

    @Override
    public int db() {
        return client.db().index();
    }

    @Override
    public String error() {
        return in.error();
    }

    @Override
    public void close() {
        applier.reset();
        client.onClosed();
        ctx.clients().remove(client);
        if (wasProducing) stream.resumeProducing();
    }
}
