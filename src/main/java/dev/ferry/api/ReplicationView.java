package dev.ferry.api;

import dev.ferry.engine.ReplicationStatus;

import java.util.List;

/**
 * The JSON of GET /api/v1/replication (schema ReplicationState in openapi.yaml): INFO replication's fields, with
 * ages in seconds counted from the instant the state was taken on the executing loop.
 */
public record ReplicationView(String role, String replid, String replid2, long offset, long secondReplOffset,
                              Backlog backlog, List<Replica> replicas, Master master) {

    public record Backlog(long size, long firstByteOffset, long histlen) { }

    /** lagSeconds: seconds since the replica's last acknowledgement (INFO's lag). */
    public record Replica(String ip, long port, String state, long offset, long lagSeconds) { }

    /**
     * linkState: connect, connecting, handshake, sync or connected (ROLE's words). The *Seconds fields are null when
     * they do not apply: lastIoSecondsAgo before the master was ever heard from, linkUpSinceSeconds while the link is
     * down, linkDownSinceSeconds while it is up or was never up.
     */
    public record Master(String host, int port, String linkState, boolean linkUp, boolean syncInProgress,
                         Long lastIoSecondsAgo, Long linkUpSinceSeconds, Long linkDownSinceSeconds) { }

    public static ReplicationView of(ReplicationStatus s) {
        long now = s.takenAtMillis();
        List<Replica> replicas = s.replicas().stream()
            .map(r -> new Replica(r.ip(), r.port(), r.state(), r.ackOffset(), now / 1000 - r.ackMillis() / 1000))
            .toList();
        ReplicationStatus.MasterLinkStatus m = s.master();
        Master master = m == null ? null : new Master(m.host(), m.port(), m.state(), m.up(), m.syncInProgress(),
            age(now, m.lastIoMillis()), m.up() ? age(now, m.upSinceMillis()) : null,
            m.up() ? null : age(now, m.downSinceMillis()));
        return new ReplicationView(s.replica() ? "replica" : "master", s.replId(), s.replId2(), s.offset(),
            s.secondReplOffset(), new Backlog(s.backlog().size(), s.backlog().firstByteOffset(), s.backlog().histlen()),
            replicas, master);
    }

    private static Long age(long now, long thenMillis) {
        return thenMillis == 0 ? null : Math.max(0, (now - thenMillis) / 1000);
    }
}
