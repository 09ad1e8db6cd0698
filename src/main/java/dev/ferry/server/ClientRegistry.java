package dev.ferry.server;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Connected clients by id (CLIENT LIST / KILL, maxclients, idle timeouts, INFO clients). */
public final class ClientRegistry {
    private final Map<Long, ClientSession> byId = new LinkedHashMap<>();
    private long nextId = 1;

    long nextId() {
        return nextId++;
    }

    void add(ClientSession c) {
        byId.put(c.id(), c);
    }

    void remove(ClientSession c) {
        byId.remove(c.id());
    }

    public int size() {
        return byId.size();
    }

    public ClientSession get(long id) {
        return byId.get(id);
    }

    public Collection<ClientSession> all() {
        return Collections.unmodifiableCollection(byId.values());
    }
}
