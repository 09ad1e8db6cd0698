package dev.ferry.engine;

import dev.ferry.engine.config.OutputBufferLimits;

/**
 * Redis's client types (networking.c getClientType): the class whose client-output-buffer-limit applies
 * to a connection, and what CLIENT LIST / CLIENT KILL TYPE filter on. Every client is NORMAL until the
 * code that makes it something else (a replica's PSYNC, a SUBSCRIBE) sets {@link ClientChannel#type}.
 */
public enum ClientType {
    NORMAL("normal", OutputBufferLimits.NORMAL),
    REPLICA("replica", OutputBufferLimits.REPLICA),
    PUBSUB("pubsub", OutputBufferLimits.PUBSUB),
    /** The link a replica holds to its master: limited like a normal client, as in Redis. */
    MASTER("master", OutputBufferLimits.NORMAL);

    private final String redisName;
    private final int limitClass;

    ClientType(String redisName, int limitClass) {
        this.redisName = redisName;
        this.limitClass = limitClass;
    }

    /** The name CLIENT LIST TYPE and CLIENT KILL TYPE use. */
    public String redisName() {
        return redisName;
    }

    /** The client-output-buffer-limit class, an {@link OutputBufferLimits} index. */
    public int limitClass() {
        return limitClass;
    }
}
