package dev.ferry.command.replication;

import dev.ferry.engine.Call;
import dev.ferry.engine.ClientType;
import dev.ferry.engine.CommandFamily;
import dev.ferry.engine.CommandTable;
import dev.ferry.engine.Errors;
import dev.ferry.engine.ReplicationLinks;
import dev.ferry.protocol.Ascii;

import static dev.ferry.engine.CommandFlags.*;

/**
 * SYNC, PSYNC, REPLCONF, WAIT, ROLE, REPLICAOF and SLAVEOF with Redis 7.0's arities, flags and argument errors;
 * what they do is the server's {@link ReplicationLinks}.
 */
public final class ReplicationFamily implements CommandFamily {
    static final String WAIT_ON_REPLICA = "ERR WAIT cannot be used with replica instances. Please also note that since "
        + "Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just "
        + "local and are not propagated.";

    @Override
    public void register(CommandTable t) {
        t.add("sync", 1, ADMIN | NOSCRIPT | NO_ASYNC_LOADING | NO_MULTI, 0, 0, 0, "server", c -> links(c).sync(c));
        t.add("psync", -3, ADMIN | NOSCRIPT | NO_ASYNC_LOADING | NO_MULTI, 0, 0, 0, "server", c -> links(c).sync(c));
        t.add("replconf", -1, ADMIN | NOSCRIPT | LOADING | STALE | ALLOW_BUSY, 0, 0, 0, "server",
            c -> links(c).replconf(c));
        t.add("wait", 3, NOSCRIPT, 0, 0, 0, "generic", this::waitCommand);
        t.add("role", 1, NOSCRIPT | LOADING | STALE | FAST, 0, 0, 0, "server", c -> links(c).role(c));
        t.add("replicaof", 3, ADMIN | NOSCRIPT | STALE | NO_ASYNC_LOADING, 0, 0, 0, "server", this::replicaOf);
        t.add("slaveof", 3, ADMIN | NOSCRIPT | STALE | NO_ASYNC_LOADING, 0, 0, 0, "server", this::replicaOf);
    }

    private static ReplicationLinks links(Call c) {
        return c.server.replicationLinks();
    }

    private void waitCommand(Call c) {
        if (links(c).isReplica()) throw Errors.of(WAIT_ON_REPLICA);
        long numReplicas = c.longArg(1);
        long timeout = c.longArg(2, "ERR timeout is not an integer or out of range");
        if (timeout < 0) throw Errors.of("ERR timeout is negative");
        links(c).waitForReplicas(c, numReplicas, timeout);
    }

    private void replicaOf(Call c) {
        if (c.argIs(1, "no") && c.argIs(2, "one")) {
            links(c).replicaOf(c, null, 0);
            return;
        }
        if (c.client.channel().type() == ClientType.REPLICA) throw Errors.of("ERR Command is not valid when client is a replica.");
        long port = Ascii.parseLongOr(c.arg(2), -1);
        if (!Ascii.isLong(c.arg(2)) || port < 0 || port > 65535) throw Errors.of("ERR Invalid master port");
        links(c).replicaOf(c, c.argString(1), (int) port);
    }
}
