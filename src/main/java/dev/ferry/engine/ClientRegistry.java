package dev.ferry.engine;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Connected clients by id (CLIENT LIST / KILL, maxclients, idle timeouts, INFO clients). */
public final class ClientRegistry {
    private final Map<Long, Client> byId = new LinkedHashMap<>();
    private long nextId = 1;

    public long nextId() {
        return nextId++;
    }

    public void add(Client c) {
        byId.put(c.id(), c);
    }

    public void remove(Client c) {
        byId.remove(c.id());
    }

    public int size() {
        return byId.size();
    }

    public Client get(long id) {
        return byId.get(id);
    }

    public Collection<Client> all() {
        return Collections.unmodifiableCollection(byId.values());
    }
}
