package dev.ferry.engine;

import java.util.List;

/**
 * The replication state at one instant, taken on the executing loop ({@link ReplicationLinks#status()}): what
 * INFO replication prints, as immutable values that other threads (the admin API, readiness, metrics) may read.
 * Times are Unix milliseconds, so a reader computes ages against its own clock; 0 means never.
 */
public record ReplicationStatus(
    long takenAtMillis,
    boolean replica,
    String replId,
    String replId2,
    long offset,
    long secondReplOffset,
    BacklogStatus backlog,
    List<ReplicaStatus> replicas,
    /** Null on a master. */
    MasterLinkStatus master) {

    /** The backlog: its configured size, the offset of its first byte, the bytes it holds (INFO's repl_backlog_*). */
    public record BacklogStatus(long size, long firstByteOffset, long histlen) { }

    /**
     * One replica attached to this server, as INFO's slaveN line: its address, its sync state (wait_bgsave,
     * send_bulk, online), the offset it acknowledged and when.
     */
    public record ReplicaStatus(String ip, long port, String state, long ackOffset, long ackMillis) { }

    /**
     * This replica's link to its master: the state as ROLE names it (connect, connecting, handshake, sync,
     * connected), when the master was last heard from, when the link came up or went down.
     */
    public record MasterLinkStatus(String host, int port, String state, boolean up, boolean syncInProgress,
                                   long lastIoMillis, long upSinceMillis, long downSinceMillis) { }
}
