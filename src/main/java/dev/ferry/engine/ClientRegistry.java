package dev.ferry.engine;

import dev.ferry.engine.info.InfoWriter;

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

    /** INFO clients. */
    void writeInfo(InfoWriter out, int maxclients, BlockedClients blocked) {
        long maxInput = 0, maxOutput = 0;
        for (Client c : all()) {
            maxInput = Math.max(maxInput, c.channel().recentMaxInputBytes());
            maxOutput = Math.max(maxOutput, c.channel().recentMaxOutputBytes());
        }
        out.field("connected_clients", size());
        out.field("cluster_connections", 0);
        out.field("maxclients", maxclients);
        out.field("client_recent_max_input_buffer", maxInput);
        out.field("client_recent_max_output_buffer", maxOutput);
        out.field("blocked_clients", blocked.blockedCount());
        out.field("tracking_clients", 0);
        out.field("clients_in_timeout_table", blocked.inTimeoutTable());
    }
}
