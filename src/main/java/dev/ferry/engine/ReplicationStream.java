package dev.ferry.engine;

import dev.ferry.engine.info.InfoWriter;
import dev.ferry.protocol.Ascii;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The replication stream: every effect the executing thread applies, as RESP commands in execution order
 * (ARCHITECTURE.md rule 1), with a SELECT whenever the database changes, and an offset that counts every byte
 * (rule 4). MULTI/EXEC blocks reach it as MULTI ... EXEC. Every byte goes into the {@link Backlog}, which
 * exists from start-up, and to the consumers (replicas, MONITOR-like taps) attached at the moment.
 *
 * <p>On a master the stream is made here from the effects; on a replica the engine's own effects are not
 * propagated (its master's are), and the bytes applied from the master are fed in verbatim
 * ({@link #feedApplied}), so chained replicas and the backlog hold the master's stream and offsets.
 */
public final class ReplicationStream {

    /** Receives encoded stream bytes together with the offset after them. */
    public interface Consumer {
        void accept(byte[] resp, long offsetAfter);
    }

    /**
     * Receives stream bytes in a buffer the stream reuses: resp[off, off + len) is valid during the call only,
     * so what is kept must be copied (the replicas' feed, which mostly copies into their output anyway).
     */
    public interface SliceConsumer {
        void accept(byte[] resp, int off, int len);
    }

    /** replid2 when there is none. */
    public static final String NO_REPLID = "0000000000000000000000000000000000000000";
    private static final byte[] MULTI = Ascii.bytes("*1\r\n$5\r\nMULTI\r\n");
    private static final byte[] EXEC = Ascii.bytes("*1\r\n$4\r\nEXEC\r\n");
    private static final byte[] SELECT = Ascii.bytes("SELECT");
    /** replicationCron's PING: lowercase, in the current db (no SELECT). */
    private static final byte[] PING = Ascii.bytes("*1\r\n$4\r\nping\r\n");
    /** What WAIT asks the replicas with. */
    private static final byte[] GETACK = Ascii.bytes("*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n");

    private String replId = newReplId();
    private String replId2 = NO_REPLID;
    private long secondReplOffset = -1;
    private long offset;
    private final Backlog backlog;
    /** False on a replica: the engine's own effects do not enter the stream. */
    private boolean producing = true;
    private int selectedDb = -1;
    private int relayedDb;
    private final List<Consumer> consumers = new ArrayList<>();
    private SliceConsumer sliceConsumer;
    /** The stream archive's copy of every byte, and what it hears of a change of history. */
    private SliceConsumer tap;
    private Runnable historyChanged;
    private int transactionDepth;
    private boolean multiEmitted;
    /**
     * The first effect of an open transaction, held until a second one comes: Redis 7.0's
     * propagatePendingCommands wraps effects in MULTI/EXEC only when there are more than one. Held encoded:
     * its arguments may be arrays a value adopted, which a later command of the transaction may change.
     */
    private byte[] heldEffect;
    private int heldDb;
    /** Where a command is encoded before it is copied to the backlog (and, when consumers listen, to an array). */
    private byte[] scratch = new byte[256];
    /** The most the scratch array grows to; larger commands are emitted in pieces ({@link #emitInPieces}). */
    static final int SCRATCH_MAX = 1 << 20;
    private static final byte[] CRLF = {'\r', '\n'};

    public ReplicationStream(long backlogSize) {
        backlog = new Backlog(backlogSize, 0);
    }

    public static String newReplId() {
        byte[] id = new byte[20];
        new SecureRandom().nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    public String replId() {
        return replId;
    }

    /** The previous history's id (40 zeros when none): PSYNCs with it are served up to {@link #secondReplOffset}. */
    public String replId2() {
        return replId2;
    }

    /** The offset + 1 up to which replid2 is valid; -1 when there is none. */
    public long secondReplOffset() {
        return secondReplOffset;
    }

    public long offset() {
        return offset;
    }

    public Backlog backlog() {
        return backlog;
    }

    /**
     * The database the stream last selected, 0 before any (an RDB's repl-stream-db): on a master the one it
     * selected (Redis's slaveseldb), on a replica the one its master's stream is in (server.master->db).
     */
    public int streamDb() {
        return producing ? Math.max(selectedDb, 0) : relayedDb;
    }

    /** On a replica: the db its master's stream has selected, after the bytes fed so far. */
    public void relayedDb(int db) {
        relayedDb = db;
    }

    /** Whether this server makes its own stream (a master) or relays its master's (a replica). */
    public boolean producing() {
        return producing;
    }

    // ---- history changes ----------------------------------------------------------------------------------

    /**
     * Becoming a master (REPLICAOF NO ONE, failover): a new id, the old one kept as replid2 up to this offset,
     * so replicas of the old master continue here with a partial resync (Redis's shiftReplicationId).
     */
    public void promote() {
        if (producing) return;
        replId2 = replId;
        secondReplOffset = offset + 1;
        replId = newReplId();
        producing = true;
        selectedDb = -1;
        historyChanged();
    }

    /** Becoming a replica: from now on the stream is the master's, fed by {@link #feedApplied}. */
    public void demote() {
        producing = false;
        transactionDepth = 0;
        multiEmitted = false;
        heldEffect = null;
    }

    /** After an archived stream was replayed on a master: its own effects enter the stream again. */
    public void resumeProducing() {
        producing = true;
        selectedDb = -1;
    }

    /** After a full sync: the master's history from its offset on (replid2 cleared, backlog emptied). */
    public void adopt(String masterReplId, long masterOffset) {
        replId = masterReplId;
        replId2 = NO_REPLID;
        secondReplOffset = -1;
        offset = masterOffset;
        backlog.reset(masterOffset);
        selectedDb = -1;
        historyChanged();
    }

    /** +CONTINUE with another id: the master changed history at our offset; ours becomes replid2. */
    public void switchHistory(String masterReplId) {
        if (masterReplId.equals(replId)) return;
        replId2 = replId;
        secondReplOffset = offset + 1;
        replId = masterReplId;
        historyChanged();
    }

    /**
     * A master started on a snapshot that names a history (Redis's loadDataFromDisk): the offset goes on from
     * the snapshot's, and its id becomes replid2, so replicas that followed it continue with a partial resync.
     */
    public void restoredFrom(String snapshotReplId, long snapshotOffset) {
        replId2 = snapshotReplId;
        secondReplOffset = snapshotOffset + 1;
        offset = snapshotOffset;
        backlog.reset(snapshotOffset);
        historyChanged();
    }

    /** A new history with nothing to resume from (the backlog's TTL ran out without replicas). */
    public void newHistory() {
        replId = newReplId();
        replId2 = NO_REPLID;
        secondReplOffset = -1;
        backlog.reset(offset);
        historyChanged();
    }

    /** The next effect starts with a SELECT (a full resync began: the new replica's stream must say its db). */
    public void forceSelect() {
        selectedDb = -1;
    }

    // ---- consumers ------------------------------------------------------------------------------------------

    public boolean active() {
        return !consumers.isEmpty() || sliceConsumer != null;
    }

    /**
     * The stream archive: every byte of the stream as it is appended (to copy, not keep), and a call in the same
     * turn whenever the history changes (a new id, or an offset that does not follow from the bytes).
     */
    public void tap(SliceConsumer c, Runnable historyChanged) {
        this.tap = c;
        this.historyChanged = historyChanged;
    }

    private void historyChanged() {
        if (historyChanged != null) historyChanged.run();
    }

    /** The one consumer that takes slices (the replicas' feed); null detaches it. The next effect selects its db. */
    public void sliceConsumer(SliceConsumer c) {
        sliceConsumer = c;
        if (c != null) selectedDb = -1;
    }

    /** Attaches a consumer; the next effect starts with a SELECT, as Redis does for a new replica. */
    public void addConsumer(Consumer c) {
        consumers.add(c);
        selectedDb = -1;
    }

    public void removeConsumer(Consumer c) {
        consumers.remove(c);
    }

    // ---- what enters the stream ----------------------------------------------------------------------------

    /** Opens a MULTI/EXEC block; MULTI is written lazily, only once a second effect is propagated. */
    public void beginTransaction() {
        transactionDepth++;
    }

    public void endTransaction() {
        if (transactionDepth == 0 || --transactionDepth != 0) return;
        if (heldEffect != null) {
            // a single effect is atomic by itself: no MULTI/EXEC around it
            byte[] resp = heldEffect;
            heldEffect = null;
            if (heldDb != selectedDb) select(heldDb);
            emit(resp, resp.length);
        } else if (multiEmitted) {
            multiEmitted = false;
            emit(EXEC, EXEC.length);
        }
    }

    /** Appends one effect, executed against database db (ignored on a replica: its stream is its master's). */
    public void propagate(int db, byte[][] argv) {
        if (!producing) return;
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
            emit(MULTI, MULTI.length);
            emit(first, first.length);
        }
        if (db != selectedDb) select(db);
        if (encodingBound(argv) > SCRATCH_MAX) {
            emitInPieces(argv);
            return;
        }
        int len = encodeToScratch(argv); // may replace scratch: read it after
        emit(scratch, len);
    }

    /**
     * A command too large for the scratch array (a 512 MB SET) goes out header by header and argument by
     * argument, from the arguments themselves: encoding it whole would allocate (zero and page-fault) an array of
     * its size on the executing loop, seconds of stall for every client, and keep it for good.
     */
    private void emitInPieces(byte[][] argv) {
        byte[] head = new byte[16];
        emit(head, header('*', argv.length, head, 0));
        for (byte[] a : argv) {
            if (a.length <= SCRATCH_MAX) {
                int len = encodeArgToScratch(a);
                emit(scratch, len);
                continue;
            }
            emit(head, header('$', a.length, head, 0));
            emit(a, a.length, true);
            emit(CRLF, CRLF.length);
        }
    }

    /** replicationCron's PING to the replicas (in the current db; it counts in the offset like any byte). */
    public void ping() {
        if (producing) emit(PING, PING.length);
    }

    /** REPLCONF GETACK * to every replica (WAIT): they answer with their offset. */
    public void getAck() {
        if (producing) emit(GETACK, GETACK.length);
    }

    /** On a replica: bytes of the master's stream, applied, relayed as they came. */
    public void feedApplied(byte[] bytes, int off, int len) {
        if (len == 0) return;
        offset += len;
        backlog.append(bytes, off, len);
        if (sliceConsumer != null) sliceConsumer.accept(bytes, off, len);
        if (tap != null) tap.accept(bytes, off, len);
        if (consumers.isEmpty()) return;
        byte[] copy = java.util.Arrays.copyOfRange(bytes, off, off + len);
        for (Consumer c : consumers) c.accept(copy, offset);
    }

    private void select(int db) {
        selectedDb = db;
        int len = encodeToScratch(new byte[][] {SELECT, Ascii.toBytes(db)});
        emit(scratch, len);
    }

    /** Appends {@code len} bytes of resp; consumers get an array of their own unless resp is already one. */
    private void emit(byte[] resp, int len) {
        emit(resp, len, resp == scratch || len != resp.length);
    }

    /** As above; mutable: resp may change after the call (a scratch buffer, a value's array), so consumers get a copy. */
    private void emit(byte[] resp, int len, boolean mutable) {
        offset += len;
        backlog.append(resp, 0, len);
        if (sliceConsumer != null) sliceConsumer.accept(resp, 0, len);
        if (tap != null) tap.accept(resp, 0, len);
        if (consumers.isEmpty()) return;
        byte[] out = mutable ? java.util.Arrays.copyOf(resp, len) : resp;
        for (Consumer c : consumers) c.accept(out, offset);
    }

    /** The length of {@link #encode}'s result. */
    static long encodedLength(byte[][] argv) {
        long n = 1 + Ascii.digits(argv.length) + 2;
        for (byte[] a : argv) n += 1 + Ascii.digits(a.length) + 2 + a.length + 2;
        return n;
    }

    static byte[] encode(byte[][] argv) {
        byte[] out = new byte[(int) encodedLength(argv)];
        encodeInto(argv, out);
        return out;
    }

    /** Room enough for argv encoded, without counting digits: a header is at most 1 + 10 digits + CRLF. */
    private static long encodingBound(byte[][] argv) {
        long bound = 13;
        for (byte[] a : argv) bound += a.length + 15;
        return bound;
    }

    /** Encodes argv into the scratch array (grown as needed, up to SCRATCH_MAX); returns the length. */
    private int encodeToScratch(byte[][] argv) {
        long bound = encodingBound(argv);
        if (bound > scratch.length) scratch = new byte[(int) Math.min(SCRATCH_MAX, Math.max(bound, scratch.length * 2L))];
        return encodeInto(argv, scratch);
    }

    /** One argument's "$len", bytes and CRLF into the scratch array; returns the length. */
    private int encodeArgToScratch(byte[] a) {
        long bound = a.length + 15;
        if (bound > scratch.length) scratch = new byte[(int) Math.min(SCRATCH_MAX, Math.max(bound, scratch.length * 2L))];
        int p = header('$', a.length, scratch, 0);
        System.arraycopy(a, 0, scratch, p, a.length);
        p += a.length;
        scratch[p++] = '\r';
        scratch[p++] = '\n';
        return p;
    }

    private static int encodeInto(byte[][] argv, byte[] out) {
        int p = header('*', argv.length, out, 0);
        for (byte[] a : argv) {
            p = header('$', a.length, out, p);
            System.arraycopy(a, 0, out, p, a.length);
            p += a.length;
            out[p++] = '\r';
            out[p++] = '\n';
        }
        return p;
    }

    /** "*n\r\n" and "$n\r\n" for the small n of almost every command, made once. */
    private static final byte[][] COUNTS = headers('*'), LENGTHS = headers('$');

    private static byte[][] headers(char type) {
        byte[][] h = new byte[1024][];
        for (int i = 0; i < h.length; i++) h[i] = Ascii.bytes(type + Integer.toString(i) + "\r\n");
        return h;
    }

    /** Writes type, n and CRLF at p; returns the position after them. */
    private static int header(char type, int n, byte[] out, int p) {
        if (n < 1024) {
            byte[] h = (type == '*' ? COUNTS : LENGTHS)[n];
            System.arraycopy(h, 0, out, p, h.length);
            return p + h.length;
        }
        out[p++] = (byte) type;
        return digits(n, out, p);
    }

    /** Writes v and CRLF at p; returns the position after them. */
    private static int digits(int v, byte[] out, int p) {
        int w = Ascii.digits(v);
        Ascii.write(v, out, p, w);
        p += w;
        out[p++] = '\r';
        out[p++] = '\n';
        return p;
    }
}
