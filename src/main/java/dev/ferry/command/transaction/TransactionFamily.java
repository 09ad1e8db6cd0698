package dev.ferry.command.transaction;

import dev.ferry.engine.*;

import dev.ferry.engine.ReplicationStream;
import dev.ferry.engine.Client;

import java.util.List;

import static dev.ferry.engine.CommandFlags.*;

/**
 * MULTI, EXEC, DISCARD, WATCH, UNWATCH (multi.c). The dispatcher queues commands while a client is in
 * MULTI; EXEC runs the queue back to back on the executing thread, so no other client's command can
 * interleave, and the replication stream receives the effects wrapped in MULTI ... EXEC.
 */
public final class TransactionFamily implements CommandFamily {

    @Override
    public void register(CommandTable t) {
        int control = NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY | TRANSACTION_CONTROL;
        t.add("multi", 1, control, 0, 0, 0, "transactions", this::multi);
        t.add("exec", 1, NOSCRIPT | LOADING | STALE | SKIP_SLOWLOG | TRANSACTION_CONTROL, 0, 0, 0, "transactions", this::exec);
        t.add("discard", 1, control, 0, 0, 0, "transactions", this::discard);
        t.add("watch", -2, control, 1, -1, 1, "transactions", this::watch);
        t.add("unwatch", 1, NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY, 0, 0, 0, "transactions", this::unwatch);
    }

    private void multi(Call c) {
        if (c.client.inMulti()) throw Errors.of("ERR MULTI calls can not be nested");
        c.client.transaction().start();
        c.reply.ok();
    }

    private void discard(Call c) {
        if (!c.client.inMulti()) throw Errors.of("ERR DISCARD without MULTI");
        c.client.transaction().end();
        c.client.transaction().unwatchAll();
        c.reply.ok();
    }

    private void exec(Call c) {
        Transaction t = c.client.transaction();
        if (!t.active()) throw Errors.of("ERR EXEC without MULTI");
        boolean aborted = t.hasError();
        boolean watchedChanged = t.watchedKeysDirty();
        List<Transaction.Queued> queue = t.end();
        t.unwatchAll();
        if (aborted) throw Errors.of("EXECABORT Transaction discarded because of previous errors.");
        if (watchedChanged) {
            c.reply.nullArray();
            return;
        }
        c.reply.array(queue.size());
        ReplicationStream stream = c.server.replication();
        stream.beginTransaction();
        try {
            Executor executor = c.server.callExecutor();
            for (Transaction.Queued q : queue) executor.call(c, q.spec(), q.argv());
        } finally {
            stream.endTransaction();
        }
        // the queued commands propagated themselves; EXEC itself is written by endTransaction
        c.propagateNothing();
    }

    private void watch(Call c) {
        if (c.client.inMulti()) throw Errors.of("ERR WATCH inside MULTI is not allowed");
        for (int i = 1; i < c.argc(); i++) c.client.watch(c.arg(i));
        c.reply.ok();
    }

    private void unwatch(Call c) {
        c.client.transaction().unwatchAll();
        c.reply.ok();
    }
}
