package dev.ferry.command;

import dev.ferry.store.Database;
import dev.ferry.store.Dict;

import static dev.ferry.command.CommandFlags.*;

/** String commands (t_string.c). */
final class StringCommands implements CommandFamily {

    @Override
    public void register(CommandTable t) {
        t.add("get", 2, READONLY | FAST, 1, 1, 1, "string", this::get);
        t.add("set", -3, WRITE | DENYOOM, 1, 1, 1, "string", this::set);
    }

    private void get(Call c) {
        c.reply.bulkOrNull(c.readString(c.arg(1)));
    }

    private void set(Call c) {
        byte[] key = c.arg(1);
        Database db = c.db();
        db.set(key, c.arg(2), false);
        c.keyspace().dirty(1);
        c.reply.ok();
    }
}
