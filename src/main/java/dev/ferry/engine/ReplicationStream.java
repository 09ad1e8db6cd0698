package dev.ferry.engine;

import dev.ferry.engine.info.InfoWriter;
import dev.ferry.protocol.Ascii;

import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The master's replication stream: every effect the executing thread applies, as RESP commands in
 * execution order (ARCHITECTURE.md rule 1), with a SELECT whenever the database changes, and an offset that
 * counts every byte (rule 4). MULTI/EXEC blocks reach it as MULTI ... EXEC.
 *
 * <p>While no consumer (replica, test probe) is attached nothing is encoded, but the offset still counts
 * the bytes the stream would hold (rule 4: a snapshot's replication id and offset name its dataset).
 */
public final class ReplicationStream {

    /** Receives encoded stream bytes together with the offset after them. */
    public interface Consumer {
        void accept(byte[] resp, long offsetAfter);
    }

    private static final byte[] MULTI = Ascii.bytes("*1\r\n$5\r\nMULTI\r\n");
    private static final byte[] EXEC = Ascii.bytes("*1\r\n$4\r\nEXEC\r\n");
    private static final byte[] SELECT = Ascii.bytes("SELECT");

    private final String replId;
    private long offset;
    private int selectedDb = -1;
    private final List<Consumer> consumers = new ArrayList<>();
    private int transactionDepth;
    private boolean multiEmitted;
    /**
     * The first effect of an open transaction, held until a second one comes: Redis 7.0's
     * propagatePendingCommands wraps effects in MULTI/EXEC only when there are more than one. Held encoded:
     * its arguments may be arrays a value adopted, which a later command of the transaction may change.
     */
    private byte[] heldEffect;
    private int heldDb;

    public ReplicationStream() {
        byte[] id = new byte[20];
        new SecureRandom().nextBytes(id);
        replId = HexFormat.of().formatHex(id);
    }

    public String replId() {
        return replId;
    }

    public long offset() {
        return offset;
    }

    /** The database the stream last selected, 0 before any (an RDB's repl-stream-db, as Redis's slaveseldb). */
    public int streamDb() {
        return Math.max(selectedDb, 0);
    }

    /** "master": Ferry has no replication yet, so it is always a master; the replication issue makes it state. */
    public String role() {
        return "master";
    }

    /** INFO replication: the master's block of REDIS-FORMATS §9.1 (no replicas, no backlog yet). */
    void writeInfo(InfoWriter out, long backlogSize) {
        out.field("role", role());
        out.field("connected_slaves", 0);
        out.field("master_failover_state", "no-failover");
        out.field("master_replid", replId);
        out.field("master_replid2", "0000000000000000000000000000000000000000");
        out.field("master_repl_offset", offset);
        out.field("second_repl_offset", -1);
        out.field("repl_backlog_active", 0);
        out.field("repl_backlog_size", backlogSize);
        out.field("repl_backlog_first_byte_offset", 0);
        out.field("repl_backlog_histlen", 0);
    }

    public boolean active() {
        return !consumers.isEmpty();
    }

    /** Attaches a consumer; the next effect starts with a SELECT, as Redis does for a new replica. */
    public void addConsumer(Consumer c) {
        consumers.add(c);
        selectedDb = -1;
    }

    public void removeConsumer(Consumer c) {
        consumers.remove(c);
    }

    /** Opens a MULTI/EXEC block; MULTI is written lazily, only once a second effect is propagated. */
    public void beginTransaction() {
        transactionDepth++;
    }

    public void endTransaction() {
        if (--transactionDepth != 0) return;
        if (heldEffect != null) {
            // a single effect is atomic by itself: no MULTI/EXEC around it
            byte[] resp = heldEffect;
            heldEffect = null;
            if (heldDb != selectedDb) select(heldDb);
            emit(resp);
        } else if (multiEmitted) {
            multiEmitted = false;
            emit(EXEC);
        }
    }

    /** Appends one effect, executed against database db. */
    public void propagate(int db, byte[][] argv) {
        if (consumers.isEmpty() && transactionDepth == 0) {
            // nobody reads the stream now, but its offset still counts every byte (a snapshot's offset must
            // mean the same to a later PSYNC): the length of the encoding, without making it
            if (db != selectedDb) {
                selectedDb = db;
                offset += encodedLength(new byte[][] {SELECT, Ascii.toBytes(db)});
            }
            offset += encodedLength(argv);
            return;
        }
        if (transactionDepth > 0 && !multiEmitted) {
            if (heldEffect == null) {
                heldEffect = encode(argv);
                heldDb = db;
                return;
            }
            // the second effect: MULTI goes out in the first effect's db, then both
            multiEmitted = true;
            byte[] first = heldEffect;
            heldEffect = null;
            if (heldDb != selectedDb) select(heldDb);
            emit(MULTI);
            emit(first);
        }
        if (db != selectedDb) select(db);
        emit(encode(argv));
    }

    private void select(int db) {
        selectedDb = db;
        emit(encode(new byte[][] {SELECT, Ascii.toBytes(db)}));
    }

    private void emit(byte[] resp) {
        offset += resp.length;
        for (Consumer c : consumers) c.accept(resp, offset);
    }

    /** The length of {@link #encode}'s result. */
    static long encodedLength(byte[][] argv) {
        long n = 1 + Ascii.digits(argv.length) + 2;
        for (byte[] a : argv) n += 1 + Ascii.digits(a.length) + 2 + a.length + 2;
        return n;
    }

    static byte[] encode(byte[][] argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32);
        out.write('*');
        out.writeBytes(Ascii.toBytes(argv.length));
        out.write('\r');
        out.write('\n');
        for (byte[] a : argv) {
            out.write('$');
            out.writeBytes(Ascii.toBytes(a.length));
            out.write('\r');
            out.write('\n');
            out.writeBytes(a);
            out.write('\r');
            out.write('\n');
        }
        return out.toByteArray();
    }
}
