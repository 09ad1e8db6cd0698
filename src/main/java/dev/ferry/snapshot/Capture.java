package dev.ferry.snapshot;

import dev.ferry.store.Dict;
import dev.ferry.store.Frozen;
import dev.ferry.store.Keyspace;
import dev.ferry.store.TableCapture;

import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The executing loop's half of a point-in-time snapshot (ARCHITECTURE.md rule 3). At the start, in one loop
 * turn, it pins every database's table ({@link Dict}) with its key counts and opens a snapshot epoch on each;
 * from then on a key reaches the capture exactly once, as it was at that instant: either when the walk
 * ({@link #step}) reaches its bucket, or earlier, when a write is about to change the bucket (the table's
 * barrier calls back here first). FLUSHDB, FLUSHALL and SWAPDB replace or move tables, but the pinned ones
 * are walked to the end all the same, each under the index it had at the start.
 *
 * <p>Captured keys leave in {@link Chunk}s for the writer thread, one database after another, as an RDB file
 * must hold them: chunks of the database being walked go out at once; a write to a database the walk has
 * not reached yet leaves its chunks here until the walk gets there. Every method runs on the executing loop.
 *
 * <p>A key's value is captured with {@link dev.ferry.store.Value#frozen}, which is bounded work; a large hash,
 * set or sorted set gives a {@link TableCapture} that is complete only once its own table has been walked.
 * Those are walked here too, before the keyspace (the writer encodes keys in order and waits for each), in
 * slices of buckets like the keyspace; until then the value's table hands a bucket over before each write to
 * it. ARCHITECTURE.md, "Large values and snapshots".
 */
final class Capture {
    private final Dict[] tables;
    private final long[] keys;
    private final long[] expires;
    private final Chunk[] open;
    private final ArrayDeque<Chunk>[] held;
    private final Consumer<Chunk> out;
    private final LongConsumer meter;
    /** Table captures not known to be complete, oldest first (completed ones leave lazily). */
    private final ArrayDeque<TableCapture> pending = new ArrayDeque<>();
    /** The database being walked; tables.length once all are done. */
    private int walking;
    private long captured;
    private boolean endSent;

    @SuppressWarnings("unchecked")
    /** out receives the chunks; meter the bytes table captures come to hold as they fill. */
    Capture(Keyspace keyspace, Consumer<Chunk> out, LongConsumer meter) {
        int n = keyspace.databases();
        this.out = out;
        this.meter = meter;
        tables = new Dict[n];
        keys = new long[n];
        expires = new long[n];
        open = new Chunk[n];
        held = new ArrayDeque[n];
        for (int i = 0; i < n; i++) {
            Dict t = keyspace.db(i).table();
            keys[i] = t.size();
            expires[i] = keyspace.db(i).volatileKeys();
            if (keys[i] == 0) continue;  // nothing from before the epoch to capture
            tables[i] = t;
            held[i] = new ArrayDeque<>();
            int db = i;
            t.beginSnapshot(chain -> capture(db, chain));
        }
        walking = next(-1);
    }

    /** Keys in database db when the capture began (its RESIZEDB). */
    long keys(int db) {
        return keys[db];
    }

    long expires(int db) {
        return expires[db];
    }

    long totalKeys() {
        long n = 0;
        for (long k : keys) n += k;
        return n;
    }

    long captured() {
        return captured;
    }

    boolean done() {
        return walking >= tables.length;
    }

    private void capture(int db, Dict.Entry chain) {
        for (Dict.Entry e = chain; e != null; e = e.next()) {
            Chunk c = open[db];
            if (c == null) c = open[db] = new Chunk(db);
            Frozen v = e.value().frozen();
            if (v instanceof TableCapture t && !t.complete()) {
                t.meter(meter);
                pending.add(t);
            }
            c.add(e.key(), e.expireAt(), v);
            captured++;
            if (c.full()) {
                open[db] = null;
                if (db == walking) out.accept(c);
                else held[db].add(c);
            }
        }
    }

    /**
     * One slice of the capture: up to maxBuckets buckets of one table. First of urgent (a table capture the
     * writer is waiting for), else, when roomy (the writer is not too far behind), of the oldest pending table
     * capture, else of the keyspace: the current database, moving on to the next when it is done (the end chunk
     * goes out after the last). Returns true once everything is captured: every pinned table walked and every
     * table capture complete.
     */
    boolean step(int maxBuckets, boolean roomy, TableCapture urgent) {
        if (urgent != null && !urgent.complete()) {
            urgent.step(maxBuckets);
            return false;
        }
        if (!roomy) return false;
        for (TableCapture t; (t = pending.peek()) != null; pending.poll()) {
            if (!t.complete()) {
                if (t.step(maxBuckets)) pending.poll();
                return false;
            }
        }
        if (walking >= tables.length) {
            sendEnd();
            return true;
        }
        if (!tables[walking].snapshotStep(maxBuckets)) return false;
        if (open[walking] != null) {
            out.accept(open[walking]);
            open[walking] = null;
        }
        walking = next(walking);
        if (walking < tables.length) {
            // writes captured keys of this database before the walk got here: they go first
            for (Chunk c; (c = held[walking].poll()) != null; ) out.accept(c);
        } else {
            sendEnd();
        }
        return walking >= tables.length && pending.isEmpty();
    }

    private void sendEnd() {
        if (endSent) return;
        endSent = true;
        out.accept(Chunk.end());
    }

    /**
     * Stops the capture: the tables, the keyspace's and the large values', stop calling back (writes no longer
     * pay a barrier); what was captured and not yet handed to the writer is dropped.
     */
    void abort() {
        for (Dict t : tables) if (t != null) t.abortSnapshot();
        for (TableCapture t : pending) t.abort();
        pending.clear();
        for (int db = 0; db < tables.length; db++) {
            if (open[db] != null) open[db].release();
            open[db] = null;
            if (held[db] != null) for (Chunk c; (c = held[db].poll()) != null; ) c.release();
        }
        walking = tables.length;
    }

    private int next(int db) {
        int i = db + 1;
        while (i < tables.length && tables[i] == null) i++;
        return i;
    }
}
