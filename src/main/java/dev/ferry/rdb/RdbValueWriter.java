package dev.ferry.rdb;

import dev.ferry.store.Frozen;
import dev.ferry.store.HashValue;
import dev.ferry.store.ListCapture;
import dev.ferry.store.ListValue;
import dev.ferry.store.RdbType;
import dev.ferry.store.SetValue;
import dev.ferry.store.StringValue;
import dev.ferry.store.TableCapture;
import dev.ferry.store.Value;
import dev.ferry.store.ZSetValue;
import dev.ferry.store.ZTree;

import java.io.IOException;

/**
 * Writes one value as Redis 7.0's rdbSaveObjectType + rdbSaveObject do: the type byte, then the payload in the
 * form of the value's encoding. Compact encodings go out as the bytes Ferry holds (a listpack hash or sorted
 * set, an intset), which are Redis's own layouts; large ones element by element; a list as QUICKLIST_2 with
 * one PACKED listpack per node. DUMP and the snapshot writer share it: one encoder.
 *
 * <p>Two entry points, one layout per RDB type: {@link #writePayload(Value, RdbOutput)} writes a live value (DUMP,
 * on the executing loop), {@link #writeCaptured} what a snapshot captured ({@link Frozen}, on its writer thread):
 * a string as it is, a compact encoding's array as one string, a {@link TableCapture} as the same HASH, SET or
 * ZSET_2 records a live table gives (a sorted set in the table's order rather than by score: Redis's loader does
 * not need them ordered, "sorted sets are not stored ordered"), a {@link ListCapture} as QUICKLIST_2 with one
 * listpack per captured node.
 */
public final class RdbValueWriter {
    /** quicklist.h's QUICKLIST_NODE_CONTAINER_PACKED: a node stored as a listpack. */
    static final int CONTAINER_PACKED = 2;

    private RdbValueWriter() {}

    /** The type byte and the payload. */
    public static void write(Value v, RdbOutput out) throws IOException {
        out.writeByte(v.rdbType());
        writePayload(v, out);
    }

    /** A DUMP payload (createDumpPayload): type byte, value, RDB version, CRC64. */
    public static byte[] dump(Value v, boolean compression) throws IOException {
        RdbOutput out = RdbOutput.inMemory(compression);
        write(v, out);
        return RdbPayload.finish(out);
    }

    /** The payload after the type byte. */
    public static void writePayload(Value v, RdbOutput out) throws IOException {
        if (v instanceof StringValue s) {
            out.writeString(s.array(), 0, s.length());
        } else if (v instanceof ListValue l) {
            out.writeLength(l.nodeCount());
            for (ListValue.NodeCursor n = l.nodes(); n.hasNext(); ) writeQuicklistNode(n.nextListpack(), out);
        } else if (v instanceof HashValue h) {
            if (h.isListpack()) {
                writeBlob(h.listpack(), out);
            } else {
                out.writeLength(h.size());
                for (HashValue.Field f : h.table().nodes()) writeHashPair(f.key, f.value(), out);
            }
        } else if (v instanceof SetValue s) {
            if (s.isIntset()) {
                writeBlob(s.intset(), out);
            } else {
                out.writeLength(s.size());
                for (SetValue.Member m : s.table().nodes()) out.writeString(m.key, 0, m.key.length);
            }
        } else if (v instanceof ZSetValue z) {
            if (z.isListpack()) {
                writeBlob(z.listpack(), out);
            } else {
                // from the highest score down, as rdbSaveObject does (a loader inserting at the head of its
                // skiplist then walks no levels)
                ZTree t = z.skiplist();
                out.writeLength(t.size());
                for (ZTree.Cursor c = t.cursor(t.size() - 1); c.valid(); c.prev()) {
                    ZTree.Node n = c.node();
                    writeZSetPair(n.key, n.score, out);
                }
            }
        } else {
            throw new IllegalArgumentException("no RDB encoding for " + v.typeName());
        }
    }

    /**
     * What a snapshot captured, after its type byte ({@link Frozen#rdbType}); a {@link TableCapture} must be
     * complete.
     */
    public static void writeCaptured(Frozen f, RdbOutput out) throws IOException {
        if (f instanceof StringValue s) {
            out.writeString(s.array(), 0, s.length());
        } else if (f instanceof Frozen.Blob b) {
            writeBlob(b.bytes(), out);
        } else if (f instanceof ListCapture l) {
            out.writeLength(l.nodeCount());
            for (int i = 0; i < l.nodeCount(); i++) writeQuicklistNode(l.listpack(i), out);
        } else if (f instanceof TableCapture t) {
            TableCapture c = t.read();
            int n = c.size();
            out.writeLength(n);
            switch (c.rdbType()) {
                case RdbType.HASH -> {
                    for (int i = 0; i < n; i++) writeHashPair(c.key(i), c.value(i), out);
                }
                case RdbType.SET -> {
                    for (int i = 0; i < n; i++) {
                        byte[] m = c.key(i);
                        out.writeString(m, 0, m.length);
                    }
                }
                default -> {
                    for (int i = 0; i < n; i++) writeZSetPair(c.key(i), c.score(i), out);
                }
            }
        } else {
            throw new IllegalArgumentException("no RDB encoding for " + f);
        }
    }

    /** A listpack or intset, which is Redis's own layout: one string. */
    private static void writeBlob(byte[] b, RdbOutput out) throws IOException {
        out.writeString(b, 0, b.length);
    }

    private static void writeQuicklistNode(byte[] lp, RdbOutput out) throws IOException {
        out.writeLength(CONTAINER_PACKED);
        out.writeString(lp, 0, lp.length);
    }

    private static void writeHashPair(byte[] field, byte[] value, RdbOutput out) throws IOException {
        out.writeString(field, 0, field.length);
        out.writeString(value, 0, value.length);
    }

    private static void writeZSetPair(byte[] member, double score, RdbOutput out) throws IOException {
        out.writeString(member, 0, member.length);
        out.writeBinaryDouble(score);
    }
}
