package dev.ferry.snapshot;

import dev.ferry.store.HashValue;
import dev.ferry.store.ListValue;
import dev.ferry.store.SetValue;
import dev.ferry.store.StringValue;
import dev.ferry.store.Value;
import dev.ferry.store.ZSetValue;

/**
 * Captured keys of one database on their way from the executing loop to the writer thread: names, expiry
 * times and frozen values ({@link Value#frozen}), nothing the loop changes afterwards. A chunk with
 * {@code db < 0} marks the end of the capture.
 */
final class Chunk {
    static final int MAX_KEYS = 512;
    static final long MAX_BYTES = 1 << 20;

    final int db;
    final byte[][] keys = new byte[MAX_KEYS][];
    final long[] expireAt = new long[MAX_KEYS];
    final Value[] values = new Value[MAX_KEYS];
    int size;
    /** Roughly what the captured values hold: what the capture's memory bound counts. */
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

    void add(byte[] key, long expireAtMs, Value value) {
        keys[size] = key;
        expireAt[size] = expireAtMs;
        values[size] = value;
        size++;
        bytes += 48 + key.length + approximateBytes(value);
    }

    boolean full() {
        return size == MAX_KEYS || bytes >= MAX_BYTES;
    }

    /** A cheap estimate of what a value holds: its length for a string, a few dozen bytes per element. */
    static long approximateBytes(Value v) {
        if (v instanceof StringValue s) return s.length();
        if (v instanceof ListValue l) return 24 * l.size();
        if (v instanceof HashValue h) return 48L * h.size();
        if (v instanceof SetValue s) return 32L * s.size();
        if (v instanceof ZSetValue z) return 40L * z.size();
        return 64;
    }
}
