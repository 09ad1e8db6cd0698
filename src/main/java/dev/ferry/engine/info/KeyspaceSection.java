package dev.ferry.engine.info;

import dev.ferry.store.Database;
import dev.ferry.store.Keyspace;

/** INFO keyspace: one line per database that holds keys. */
public final class KeyspaceSection implements InfoSection {
    private final Keyspace keyspace;

    public KeyspaceSection(Keyspace keyspace) {
        this.keyspace = keyspace;
    }

    @Override
    public void write(InfoWriter out) {
        for (int i = 0; i < keyspace.databases(); i++) {
            Database d = keyspace.db(i);
            long keys = d.size(), expires = d.volatileKeys();
            if (keys == 0 && expires == 0) continue;
            // avg_ttl is an estimate Redis refines in its expiry cycle; Ferry does not estimate it
            out.field("db" + i, "keys=" + keys + ",expires=" + expires + ",avg_ttl=0");
        }
    }
}
