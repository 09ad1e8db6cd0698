package dev.ferry.snapshot;

import dev.ferry.store.Frozen;
import dev.ferry.store.ListCapture;
import dev.ferry.store.TableCapture;

/**
 * Captured keys of one database on their way from the executing loop to the writer thread: names, expiry
 * times and frozen values ({@link Frozen}), nothing the loop changes afterwards, except the {@link TableCapture}s
 * the loop is still filling (the writer waits for each to be complete). A chunk with {@code db < 0} marks the
 * end of the capture.
 *
 * <p>Memory: {@link #bytes} is what the chunk's keys and values hold when they are added; a table capture's
 * bytes grow as it fills and reach the snapshot's in-flight count through its meter instead, so the writer,
 * once it has written the chunk, releases {@link #bytesHeld} (both).
 */
final class Chunk {
    static final int MAX_KEYS = 512;
    static final long MAX_BYTES = 1 << 20;

    final int db;
    final byte[][] keys = new byte[MAX_KEYS][];
    final long[] expireAt = new long[MAX_KEYS];
    final Frozen[] values = new Frozen[MAX_KEYS];
    int size;
    /** Roughly what the captured keys and values held when added: what the capture's memory bound counts. */
    long bytes;

    Chunk(int db) {
        this.db = db;
    }

    static Chunk end() {
        return new Chunk(-1);
    }

    boolean isEnd() {
        return db < 0;
    }

    void add(byte[] key, long expireAtMs, Frozen value) {
        keys[size] = key;
        expireAt[size] = expireAtMs;
        values[size] = value;
        size++;
        bytes += 48 + key.length + approximateBytes(value);
    }

    boolean full() {
        return size == MAX_KEYS || bytes >= MAX_BYTES;
    }

    /**
     * What a captured value holds when it is added: a string its length, a compact encoding its array, a list
     * its node references and the nodes' bytes; a table capture nothing yet (it reports what it fills through
     * its meter).
     */
    static long approximateBytes(Frozen v) {
        return v instanceof TableCapture ? 0 : v.approximateBytes();
    }

    /** Everything this chunk held, table captures' final contents included (writer, after writing it). */
    long bytesHeld() {
        long b = bytes;
        for (int i = 0; i < size; i++) if (values[i] instanceof TableCapture t) b += t.approximateBytes();
        return b;
    }

    /** The writer is done with the chunk (written, or dropped): lists it holds may change their nodes again. */
    void release() {
        for (int i = 0; i < size; i++) if (values[i] instanceof ListCapture l) l.release();
    }
}
