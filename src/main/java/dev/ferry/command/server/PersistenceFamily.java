package dev.ferry.command.server;

import dev.ferry.engine.Call;
import dev.ferry.engine.CommandFamily;
import dev.ferry.engine.CommandTable;
import dev.ferry.engine.DeferredReply;
import dev.ferry.engine.Errors;
import dev.ferry.engine.Persistence;

import static dev.ferry.engine.CommandFlags.*;

/**
 * SAVE, BGSAVE [SCHEDULE] and LASTSAVE, with Redis 7.0's replies (bgsaveCommand, saveCommand). Both saves are
 * the same point-in-time snapshot; SAVE's client waits for it to be on disk while the others go on being
 * served (Redis stops every client during SAVE; Ferry need not, since its snapshot does not fork).
 */
public final class PersistenceFamily implements CommandFamily {
    static final String IN_PROGRESS = "ERR Background save already in progress";

    @Override
    public void register(CommandTable t) {
        t.add("save", 1, ADMIN | NOSCRIPT | NO_ASYNC_LOADING | NO_MULTI, 0, 0, 0, "server", this::save);
        t.add("bgsave", -1, ADMIN | NOSCRIPT | NO_ASYNC_LOADING, 0, 0, 0, "server", this::bgsave);
        t.add("lastsave", 1, LOADING | STALE | FAST, 0, 0, 0, "server",
            c -> c.reply.integer(c.server.persistence().lastSaveMillis() / 1000));
    }

    private void save(Call c) {
        Persistence p = c.server.persistence();
        if (p.saving()) throw Errors.of(IN_PROGRESS);
        DeferredReply reply = c.defer();
        p.save(r -> {
            // shared.err: Redis's SAVE says no more than that, the log has the reason
            if (r.ok()) reply.complete(out -> out.ok(), null);
            else reply.complete(out -> out.error("ERR"), "ERR");
        });
    }

    private void bgsave(Call c) {
        boolean schedule = false;
        if (c.argc() > 1) {
            if (c.argc() == 2 && c.argIs(1, "schedule")) schedule = true;
            else throw Errors.syntax();
        }
        Persistence p = c.server.persistence();
        if (p.saving()) throw Errors.of(IN_PROGRESS);
        // inside MULTI/EXEC Redis schedules the save for its cron instead of forking in the transaction
        if (!c.mayBlock()) {
            p.schedule();
            c.reply.simple("Background saving scheduled");
            return;
        }
        p.startBackgroundSave(schedule ? "BGSAVE SCHEDULE" : "BGSAVE");
        c.reply.simple("Background saving started");
    }
}
