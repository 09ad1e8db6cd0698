package dev.ferry.store;

/**
 * A Redis hash, in Redis 7.0's two encodings (t_hash.c):
 * <ul>
 *   <li>"listpack": field, value, field, value... in one immutable {@link Listpack} array, laid out byte for
 *   byte as Redis lays it out (RDB type 16). Every write builds a new array (copy-on-write), so a snapshot
 *   captures the value by keeping the reference. A small hash costs this object and that array.</li>
 *   <li>"hashtable": a {@link HashTable} of {@link Field} nodes, each holding its value's bytes (RDB type 4).</li>
 * </ul>
 * A hash starts as a listpack and converts to a hashtable where Redis converts (hashTypeTryConversion before
 * the arguments go in, hashTypeSet after an insert that passes hash-max-listpack-entries or with a field or
 * value longer than hash-max-listpack-value), and never back.
 *
 * <p>Every change goes through {@link #set}, {@link #delete} and {@link #tryConversion}. Field and value arrays
 * are adopted, never written: a hashtable node's value is replaced by another array, never changed in place,
 * and only after {@link HashTable#findForWrite}, so a running snapshot's capture of the table
 * ({@link TableCapture}) gets the node's bucket before the change.
 */
public final class HashValue implements Value {

    /** A field of the hashtable encoding and its value. */
    public static final class Field extends HashTable.Node {
        private byte[] value;

        Field(byte[] field, byte[] value) {
            super(field);
            this.value = value;
        }

        public byte[] value() {
            return value;
        }
    }

    /** The listpack, or null when the encoding is hashtable. */
    private byte[] lp;
    private HashTable<Field> table;
    /** Fields (pairs) in the listpack; the table counts its own. */
    private int pairs;

    private HashValue(byte[] lp, int pairs, HashTable<Field> table) {
        this.lp = lp;
        this.pairs = pairs;
        this.table = table;
    }

    /** A new empty hash, listpack-encoded (createHashObject). */
    public static HashValue create() {
        return new HashValue(Listpack.empty(), 0, null);
    }

    /**
     * A listpack of field, value pairs read from an RDB file or a DUMP payload (checked by the reader, adopted,
     * never changed); converted as Redis's loader converts one with more than maxEntries fields.
     */
    public static HashValue ofListpack(byte[] lp, long maxEntries) {
        HashValue h = new HashValue(lp, Listpack.count(lp) / 2, null);
        if (h.pairs > maxEntries) h.convert();
        return h;
    }

    /** An empty hash for sizeHint fields read one by one (rdbLoadObject's RDB_TYPE_HASH: a table past maxEntries). */
    public static HashValue forLoading(long sizeHint, long maxEntries) {
        return sizeHint > maxEntries ? new HashValue(null, 0, new HashTable<>()) : create();
    }

    public boolean isListpack() {
        return lp != null;
    }

    public int size() {
        return lp != null ? pairs : table.size();
    }

    /** The listpack itself (read-only: elements by {@link Listpack}'s offset readers); null for a hashtable. */
    public byte[] listpack() {
        return lp;
    }

    /** The table of a hashtable-encoded hash (read-only for callers); null for a listpack. */
    public HashTable<Field> table() {
        return table;
    }

    /** Offset in {@link #listpack()} of the value of field, -1 when absent. Listpack encoding only. */
    public int findInListpack(byte[] field) {
        int f = Listpack.find(lp, Listpack.first(lp), field, 1);
        return f < 0 ? -1 : Listpack.next(lp, f);
    }

    public boolean contains(byte[] field) {
        return lp != null ? findInListpack(field) >= 0 : table.find(field) != null;
    }

    /**
     * The value of field, null when absent: from a listpack a new array (integers as their decimal text), from
     * a hashtable the stored array itself (read-only).
     */
    public byte[] get(byte[] field) {
        if (lp != null) {
            int v = findInListpack(field);
            return v < 0 ? null : Listpack.text(lp, v);
        }
        Field f = table.find(field);
        return f == null ? null : f.value;
    }

    // ---- writes --------------------------------------------------------------------------------------------

    /**
     * hashTypeTryConversion: a listpack hash converts when one of the arguments argv[from..to] (fields and
     * values about to go in) is longer than maxValue.
     */
    public void tryConversion(byte[][] argv, int from, int to, long maxValue) {
        if (lp == null) return;
        for (int i = from; i <= to; i++) {
            if (argv[i].length > maxValue) {
                convert();
                return;
            }
        }
    }

    /**
     * hashTypeSet: sets field to value (adopting both arrays); returns true when the field existed (an update).
     * A listpack converts first when either is longer than maxValue, and after an insert that makes more than
     * maxEntries fields.
     */
    public boolean set(byte[] field, byte[] value, long maxEntries, long maxValue) {
        if (lp != null) {
            if (field.length > maxValue || value.length > maxValue) {
                convert();
            } else {
                int f = Listpack.find(lp, Listpack.first(lp), field, 1);
                if (f >= 0) {
                    lp = Listpack.replace(lp, Listpack.next(lp, f), value);
                    return true;
                }
                lp = Listpack.append2(lp, field, value);
                pairs++;
                if (pairs > maxEntries) convert();
                return false;
            }
        }
        Field f = table.findForWrite(field);
        if (f != null) {
            f.value = value;
            return true;
        }
        table.add(new Field(field, value));
        return false;
    }

    /** hashTypeDelete: removes field; true when it was there. */
    public boolean delete(byte[] field) {
        if (lp != null) {
            int f = Listpack.find(lp, Listpack.first(lp), field, 1);
            if (f < 0) return false;
            lp = Listpack.delete(lp, f, 2);
            pairs--;
            return true;
        }
        return table.remove(field) != null;
    }

    /** hashTypeConvertListpack: every pair into a new table, integers as their decimal text. */
    private void convert() {
        HashTable<Field> t = new HashTable<>();
        for (int p = Listpack.first(lp); p >= 0; ) {
            int v = Listpack.next(lp, p);
            t.add(new Field(Listpack.text(lp, p), Listpack.text(lp, v)));
            p = Listpack.next(lp, v);
        }
        table = t;
        lp = null;
        pairs = 0;
    }

    // ---- Value ---------------------------------------------------------------------------------------------

    @Override
    public String typeName() {
        return "hash";
    }

    @Override
    public String encodingName() {
        return lp != null ? "listpack" : "hashtable";
    }

    @Override
    public int rdbType() {
        return lp != null ? RdbType.HASH_LISTPACK : RdbType.HASH;
    }

    @Override
    public int objectType() {
        return 4; // OBJ_HASH
    }

    /** xorObjectDigest for a hash: each field and its value mixed into a digest of their own, xored in. */
    @Override
    public void digest(Digest into) {
        if (lp != null) {
            for (int p = Listpack.first(lp); p >= 0; ) {
                int v = Listpack.next(lp, p);
                Digest d = into.element();
                d.mix(Listpack.text(lp, p));
                d.mix(Listpack.text(lp, v));
                into.xor(d);
                p = Listpack.next(lp, v);
            }
        } else {
            table.forEach(f -> {
                Digest d = into.element();
                d.mix(f.key);
                d.mix(f.value);
                into.xor(d);
            });
        }
    }

    /** hashTypeDup: the same encoding; a listpack is immutable, so the copy shares it. */
    @Override
    public HashValue duplicate() {
        if (lp != null) return new HashValue(lp, pairs, null);
        HashTable<Field> t = new HashTable<>();
        table.forEach(f -> t.add(new Field(f.key, f.value)));
        return new HashValue(null, 0, t);
    }

    /** A listpack as it is (immutable), a hashtable by its buckets while commands go on ({@link TableCapture}). */
    @Override
    public Frozen frozen() {
        return lp != null ? new Frozen.Blob(RdbType.HASH_LISTPACK, lp) : TableCapture.ofHash(table);
    }

    @Override
    public String toString() {
        return "HashValue[" + encodingName() + ", " + size() + " fields]";
    }

    /** Test helper: the fields and values as text, field, value, ... in encoding order. */
    byte[][] flatten() {
        byte[][] out = new byte[2 * size()][];
        int[] i = {0};
        if (lp != null) {
            for (int p = Listpack.first(lp); p >= 0; p = Listpack.next(lp, p)) out[i[0]++] = Listpack.text(lp, p);
        } else {
            table.forEach(f -> {
                out[i[0]++] = f.key;
                out[i[0]++] = f.value;
            });
        }
        return out;
    }
}
