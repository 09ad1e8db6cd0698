package dev.ferry.replication;

import dev.ferry.engine.Client;
import dev.ferry.engine.config.OutputLimitClock;
import dev.ferry.rdb.RdbFileWriter;

import java.util.ArrayDeque;

/**
 * One replica attached to this master (Redis's client with CLIENT_SLAVE): what its REPLCONF said, where its
 * sync stands, what it acknowledged, and the stream bytes held for it while its snapshot is made and sent.
 */
final class Replica {
    /** Redis's SLAVE_STATE_*, with the words INFO shows for them. */
    enum State {
        WAIT_BGSAVE_START("wait_bgsave"), WAIT_BGSAVE_END("wait_bgsave"), SEND_BULK("send_bulk"), ONLINE("online");

        final String info;

        State(String info) {
            this.info = info;
        }
    }

    final Client client;
    /** Null until SYNC/PSYNC: a client that only sent REPLCONF is not a replica yet. */
    State state;
    long listeningPort;
    String announcedIp = "";
    boolean capaEof, capaPsync2;
    /** REPLCONF rdb-only 1 (redis-cli --rdb): the snapshot, then the connection ends. */
    boolean rdbOnly;
    /** Came with SYNC, not PSYNC: it sends no ACKs, so no ack timeout applies (Redis's CLIENT_PRE_PSYNC). */
    boolean prePsync;
    long ackOffset;
    long ackMillis;
    /** When it began to wait for a snapshot to start (what repl-diskless-sync-delay counts from). */
    long waitingSinceMillis;
    /**
     * Online after a diskless transfer, its held stream is sent only after its first REPLCONF ACK, when it has
     * loaded the snapshot (Redis's repl_start_cmd_stream_on_ack): the EOF mark stays the last bytes it reads.
     */
    boolean startStreamOnAck;
    /** The snapshot this replica's full resync waits for or is sent from. */
    RdbFileWriter.Aux snapshot;
    /** Stream bytes after the snapshot's offset, held until the snapshot has been sent. */
    ArrayDeque<byte[]> pending;
    long pendingBytes;
    /** The soft limit's clock of the held bytes. */
    final OutputLimitClock heldLimit = new OutputLimitClock();

    Replica(Client client) {
        this.client = client;
    }

    /** Redis's replicationGetSlaveName: the announced or peer ip, and the listening port. */
    String name() {
        return ip() + ":" + listeningPort;
    }

    String ip() {
        if (!announcedIp.isEmpty()) return announcedIp;
        String addr = client.channel().addr();
        int colon = addr.lastIndexOf(':');
        return colon < 0 ? addr : addr.substring(0, colon);
    }

    void hold(byte[] bytes) {
        if (pending == null) pending = new ArrayDeque<>();
        pending.addLast(bytes);
        pendingBytes += bytes.length;
    }
}
