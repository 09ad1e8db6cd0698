package dev.ferry.command.server;

import dev.ferry.engine.Call;
import dev.ferry.engine.ClientType;
import dev.ferry.engine.CommandFamily;
import dev.ferry.engine.CommandTable;
import dev.ferry.engine.Errors;

import static dev.ferry.engine.CommandFlags.*;

/**
 * MONITOR as Redis 7.0's monitorCommand: the client hears every command the server executes from now on (see
 * {@link dev.ferry.engine.Monitors}); RESET or the end of its connection ends that.
 */
public final class MonitorFamily implements CommandFamily {
    @Override
    public void register(CommandTable t) {
        t.add("monitor", 1, ADMIN | NOSCRIPT | LOADING | STALE, 0, 0, 0, "server", this::monitor);
    }

    private void monitor(Call c) {
        // queued in MULTI (Redis gives MONITOR no no_multi flag), it fails in EXEC, which denies blocking
        if (!c.mayBlock()) throw Errors.of("ERR MONITOR isn't allowed for DENY BLOCKING client");
        // a replica, or a monitor already, is ignored without a reply (Redis's CLIENT_SLAVE check)
        if (c.client.channel().type() == ClientType.REPLICA || c.client.monitor()) return;
        c.server.monitors().add(c.client);
        c.reply.ok();
    }
}
