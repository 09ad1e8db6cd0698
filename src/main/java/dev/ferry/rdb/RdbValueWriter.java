package dev.ferry.rdb;

import dev.ferry.store.HashValue;
import dev.ferry.store.ListValue;
import dev.ferry.store.SetValue;
import dev.ferry.store.StringValue;
import dev.ferry.store.Value;
import dev.ferry.store.ZSetValue;
import dev.ferry.store.ZTree;

import java.io.IOException;

/**
 * Writes one value as Redis 7.0's rdbSaveObjectType + rdbSaveObject do: the type byte, then the payload in the
 * form of the value's encoding. Compact encodings go out as the bytes Ferry holds (a listpack hash or sorted
 * set, an intset), which are Redis's own layouts; large ones element by element; a list as QUICKLIST_2 with
 * one PACKED listpack per node. DUMP and the snapshot writer share it: one encoder.
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
            for (ListValue.NodeCursor n = l.nodes(); n.hasNext(); ) {
                byte[] lp = n.nextListpack();
                out.writeLength(CONTAINER_PACKED);
                out.writeString(lp, 0, lp.length);
            }
        } else if (v instanceof HashValue h) {
            if (h.isListpack()) {
                byte[] lp = h.listpack();
                out.writeString(lp, 0, lp.length);
            } else {
                out.writeLength(h.size());
                for (HashValue.Field f : h.table().nodes()) {
                    out.writeString(f.key, 0, f.key.length);
                    out.writeString(f.value(), 0, f.value().length);
                }
            }
        } else if (v instanceof SetValue s) {
            if (s.isIntset()) {
                byte[] is = s.intset();
                out.writeString(is, 0, is.length);
            } else {
                out.writeLength(s.size());
                for (SetValue.Member m : s.table().nodes()) out.writeString(m.key, 0, m.key.length);
            }
        } else if (v instanceof ZSetValue z) {
            if (z.isListpack()) {
                byte[] lp = z.listpack();
                out.writeString(lp, 0, lp.length);
            } else {
                // from the highest score down, as rdbSaveObject does (a loader inserting at the head of its
                // skiplist then walks no levels)
                ZTree t = z.skiplist();
                out.writeLength(t.size());
                for (ZTree.Cursor c = t.cursor(t.size() - 1); c.valid(); c.prev()) {
                    ZTree.Node n = c.node();
                    out.writeString(n.key, 0, n.key.length);
                    out.writeBinaryDouble(n.score);
                }
            }
        } else {
            throw new IllegalArgumentException("no RDB encoding for " + v.typeName());
        }
    }
}
