package dev.ferry.replication;

import dev.ferry.engine.Client;
import dev.ferry.engine.ReplicationStream;
import dev.ferry.engine.ServerContext;
import dev.ferry.protocol.Ascii;
import dev.ferry.store.Dict;

import java.io.ByteArrayOutputStream;
import java.util.function.BooleanSupplier;

/**
 * Applies a master's stream as a replica does: each whole command runs as the master's client, then its exact
 * bytes are fed to this server's stream (its offset, its backlog, its own replicas), a transaction's once its
 * EXEC is applied (Redis's reploff). Shared by the link to a master and the replay of an archived stream.
 */
final class StreamApplier {
    /** The keys of the stream's next commands, found by PipelineKeys; shared: only the executing loop applies. */
    private static final int[] KEY_OFFS = new int[32], KEY_LENS = new int[32];
    private static final Dict.Entry[] PREFETCHED = new Dict.Entry[32];

    private final ServerContext ctx;
    private final ReplicationStream stream;
    private final Client client;
    /** Applied bytes not yet counted: a transaction's commands count once EXEC is applied. */
    private final ByteArrayOutputStream unapplied = new ByteArrayOutputStream();

    StreamApplier(ServerContext ctx, Client client) {
        this.ctx = ctx;
        this.stream = ctx.replication();
        this.client = client;
    }

    /** Drops a transaction cut in half (Redis discards the master's partial MULTI). */
    void reset() {
        unapplied.reset();
    }

    int unappliedBytes() {
        return unapplied.size();
    }

    /** Applies every whole command of in while keepGoing holds; onGetAck answers REPLCONF GETACK. */
    void apply(MasterStream in, BooleanSupplier keepGoing, Runnable onGetAck) {
        ctx.keyspace().applyingMasterStream(true);
        try {
            byte[][] argv;
            int untilPrefetch = 0;
            while (keepGoing.getAsBoolean()) {
                if (untilPrefetch-- == 0) {
                    // the next commands' keys, looked up together (Dict.prefetch); again once they have run
                    int n = in.firstKeys(KEY_OFFS, KEY_LENS);
                    if (n >= 2) client.db().table().prefetch(in.buffer(), KEY_OFFS, KEY_LENS, n, PREFETCHED);
                    untilPrefetch = n;
                }
                if ((argv = in.next()) == null) break;
                int start = in.lastStart(), length = in.lastLength();
                boolean getAck = argv.length >= 2 && Ascii.is(argv[0], "replconf") && Ascii.is(argv[1], "getack");
                if (getAck) {
                    // Redis answers with the offset before the GETACK itself
                    onGetAck.run();
                } else {
                    client.execute(argv);
                    client.reply().truncate(0);
                }
                if (client.inMulti()) {
                    unapplied.write(in.buffer(), start, length);
                } else {
                    if (unapplied.size() > 0) {
                        unapplied.write(in.buffer(), start, length);
                        byte[] applied = unapplied.toByteArray();
                        unapplied.reset();
                        stream.feedApplied(applied, 0, applied.length);
                    } else {
                        // the command's bytes, relayed from the read buffer as they came
                        stream.feedApplied(in.buffer(), start, length);
                    }
                    stream.relayedDb(client.db().index());
                }
            }
        } finally {
            ctx.keyspace().applyingMasterStream(false);
        }
    }
}
