package dev.ferry.engine;

/**
 * What the commands of replication ask of the server's replication links: its replicas (SYNC, PSYNC,
 * REPLCONF, WAIT) and its own link to a master (REPLICAOF). The engine declares it, the replication package
 * implements it, as {@link ClientChannel} is declared here and implemented by the server package: the engine
 * stays free of sockets to other servers.
 */
public interface ReplicationLinks {
    /** SYNC, or PSYNC replid offset: a full or a partial resync for the calling client. */
    void sync(Call call);

    /** REPLCONF option value ... (listening-port, ip-address, capa, ack, getack). */
    void replconf(Call call);

    /**
     * The dataset was replaced from a snapshot outside replication (a restore through the admin API): a new history
     * starts and every replica is dropped, so that each reconnects and takes a full resync of the new data.
     */
    void datasetReplaced();

    /** A bare newline from a replica: refreshes its last ACK time, as a REPLCONF ACK does (it is loading). */
    void replicaKeepalive(Client replica);

    /** WAIT numreplicas timeout: replies once that many replicas acknowledged this client's writes. */
    void waitForReplicas(Call call, long numReplicas, long timeoutMillis);

    /** ROLE. */
    void role(Call call);

    /** REPLICAOF host port, or REPLICAOF NO ONE (host null). */
    void replicaOf(Call call, String host, int port);

    /**
     * REPLICAOF without a client (the admin API): follows host:port, or becomes a master when host is null; who
     * names the requester in the log. False when nothing changed (already following that master).
     */
    boolean replicaOf(String host, int port, String who);

    /** The replication state now; on the executing loop only. */
    ReplicationStatus status();

    /**
     * The state as last published by the executing loop (every second by the cron, and at every REPLICAOF), for
     * threads that must not wait on the loop: readiness and metrics. Null before the first publication.
     */
    ReplicationStatus lastStatus();

    /** True while this server follows a master (INFO role:slave, HELLO role, replica-read-only). */
    boolean isReplica();

    /**
     * The start-up snapshot is loaded (aux null: there was none): a master continues the file's history as
     * replid2, a replica resumes from the file's position with a partial resync (Redis's loadDataFromDisk).
     */
    void loadedAtStartup(dev.ferry.rdb.RdbAux aux);

    /**
     * At start-up, before {@link #loadedAtStartup}: replays an archived stream onto the loaded snapshot, the bytes
     * of history replId after offset, applied as a replica applies its master's, starting in database db.
     */
    Replay replay(String replId, long offset, int db);

    /** An archived stream being replayed; on the executing loop. */
    interface Replay {
        /**
         * Applies the whole commands of the first length bytes (a command cut at the end waits for the next call);
         * false on a protocol error.
         */
        boolean apply(byte[] bytes, int length);

        /** The offset after the last whole command (or transaction) applied. */
        long offset();

        /** At a promotion's offset: the stream goes on as history replId, the one before it becoming replid2. */
        void switchHistory(String replId);

        /** The database the stream has selected there. */
        int db();

        /** Why apply returned false. */
        String error();

        void close();
    }

    /** True while this server is a replica whose link to its master is up (synced and streaming). */
    boolean masterLinkUp();

    /**
     * Redis's checkGoodReplicasStatus: false while min-replicas-to-write and min-replicas-max-lag are set and fewer
     * replicas acknowledged the stream within the lag, as counted by the last cron (writes then get NOREPLICAS).
     */
    boolean enoughGoodReplicas();

    /** The 1 Hz part of the server cron: pings, keepalives, acks, timeouts, reconnection. */
    void cron();
}
