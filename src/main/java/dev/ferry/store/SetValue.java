package dev.ferry.store;

import dev.ferry.protocol.Ascii;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * A set (Redis 7.0's OBJ_SET) in one of Redis 7.0's two encodings, as OBJECT ENCODING names them:
 * <ul>
 *   <li>"intset": every member is a canonical 64-bit integer and there are at most set-max-intset-entries of
 *       them; held as an immutable {@link Intset} byte array in Redis's layout (RDB type 11): every write
 *       builds a new array, so a snapshot captures it by keeping the reference;</li>
 *   <li>"hashtable": a {@link HashTable} of {@link Member} nodes (RDB type 2), mutable.</li>
 * </ul>
 * An intset becomes a hashtable when a non-integer member is added or when it grows past the limit
 * (setTypeAdd in t_set.c), and never goes back, as in Redis. Redis 7.0 has no listpack sets.
 *
 * <p>Every change goes through {@link #add}, {@link #remove}, {@link #removeIntsetAt}; readers use
 * {@link #intset()} or {@link #table()} read-only. A snapshot captures an intset by keeping its array and a
 * hashtable by its buckets ({@link TableCapture}), whose barrier is inside {@link HashTable}'s add and remove.
 */
public final class SetValue implements Value {

    /** A member of a hashtable-encoded set: its bytes, nothing else. */
    public static final class Member extends HashTable.Node {
        Member(byte[] key) {
            super(key);
        }
    }

    /** Redis caps the intset at 1G entries whatever set-max-intset-entries says (setTypeAdd). */
    private static final long INTSET_HARD_LIMIT = 1L << 30;

    private byte[] intset;
    private HashTable<Member> table;

    private SetValue(byte[] intset, HashTable<Member> table) {
        this.intset = intset;
        this.table = table;
    }

    /** createIntsetObject: an empty intset-encoded set (the start of every *STORE result). */
    public static SetValue emptyIntset() {
        return new SetValue(Intset.empty(), null);
    }

    /** createSetObject: an empty hashtable-encoded set. */
    public static SetValue emptyHashtable() {
        return new SetValue(null, new HashTable<>());
    }

    /** setTypeCreate: the set that can hold its first member (intset for an integer, else hashtable). */
    public static SetValue create(byte[] firstMember) {
        return Ascii.isLong(firstMember) ? emptyIntset() : emptyHashtable();
    }

    /** A set over an intset read from an RDB file or a DUMP payload (adopted, never changed). */
    public static SetValue ofIntset(byte[] intsetBytes) {
        return new SetValue(intsetBytes, null);
    }

    /** An intset read from an RDB file (checked, adopted), converted past maxIntsetEntries as Redis's loader does. */
    public static SetValue ofIntset(byte[] intsetBytes, long maxIntsetEntries) {
        SetValue s = new SetValue(intsetBytes, null);
        if (Intset.length(intsetBytes) > Math.min(maxIntsetEntries, INTSET_HARD_LIMIT)) s.convertToHashtable();
        return s;
    }

    /** An empty set for sizeHint members read one by one (rdbLoadObject's RDB_TYPE_SET: a table past the limit). */
    public static SetValue forLoading(long sizeHint, long maxIntsetEntries) {
        return sizeHint > maxIntsetEntries ? emptyHashtable() : emptyIntset();
    }

    public boolean isIntset() {
        return intset != null;
    }

    /** The intset bytes (intset encoding only): read them, never change them. */
    public byte[] intset() {
        return intset;
    }

    /** The member table (hashtable encoding only): read it, never change it from outside. */
    public HashTable<Member> table() {
        return table;
    }

    public int size() {
        return intset != null ? Intset.length(intset) : table.size();
    }

    /** setTypeIsMember. */
    public boolean contains(byte[] member) {
        if (intset != null) {
            if (!Ascii.isLong(member)) return false;
            return Intset.contains(intset, Ascii.parseLongOr(member, 0));
        }
        return table.find(member) != null;
    }

    /**
     * setTypeAdd: adds the member (the array is adopted: it must not change afterwards); false when it was
     * already there. Converts to a hashtable past {@code maxIntsetEntries} or for a non-integer member.
     */
    public boolean add(byte[] member, long maxIntsetEntries) {
        if (intset != null) {
            if (Ascii.isLong(member)) {
                byte[] next = Intset.add(intset, Ascii.parseLongOr(member, 0));
                if (next == intset) return false;
                intset = next;
                if (Intset.length(next) > Math.min(maxIntsetEntries, INTSET_HARD_LIMIT)) convertToHashtable();
                return true;
            }
            convertToHashtable();
            table.add(new Member(member));
            return true;
        }
        if (table.find(member) != null) return false;
        table.add(new Member(member));
        return true;
    }

    /** setTypeRemove: false when the member was not there. */
    public boolean remove(byte[] member) {
        if (intset != null) {
            if (!Ascii.isLong(member)) return false;
            byte[] next = Intset.remove(intset, Ascii.parseLongOr(member, 0));
            if (next == intset) return false;
            intset = next;
            return true;
        }
        return table.remove(member) != null;
    }

    /** Removes the intset member at position i (SPOP on an intset); returns it. */
    public long removeIntsetAt(int i) {
        long v = Intset.get(intset, i);
        intset = Intset.removeAt(intset, i);
        return v;
    }

    /** A random position in the intset (intsetRandom); the set must be an intset and not empty. */
    public int randomIntsetIndex() {
        return ThreadLocalRandom.current().nextInt(Intset.length(intset));
    }

    /** A random member node (dictGetFairRandomKey); the set must be a hashtable and not empty. */
    public Member randomMember() {
        return table.random();
    }

    /** setTypeConvert(OBJ_ENCODING_HT). */
    private void convertToHashtable() {
        HashTable<Member> t = new HashTable<>();
        byte[] is = intset;
        for (int i = 0, n = Intset.length(is); i < n; i++) t.add(new Member(Ascii.toBytes(Intset.get(is, i))));
        table = t;
        intset = null;
    }

    /**
     * Visits every member as bytes, in the set's own order (ascending for an intset; intset members are
     * formatted, so this allocates for them: for replies of whole sets and for *STORE, not hot paths).
     */
    public void forEachMember(Consumer<byte[]> fn) {
        if (intset != null) {
            for (int i = 0, n = Intset.length(intset); i < n; i++) fn.accept(Ascii.toBytes(Intset.get(intset, i)));
        } else {
            table.forEach(m -> fn.accept(m.key));
        }
    }

    @Override
    public String typeName() {
        return "set";
    }

    @Override
    public String encodingName() {
        return intset != null ? "intset" : "hashtable";
    }

    @Override
    public int rdbType() {
        return intset != null ? RdbType.SET_INTSET : RdbType.SET;
    }

    @Override
    public int objectType() {
        return 2;
    }

    /** xorObjectDigest for OBJ_SET: every member's bytes xored in (order-free). */
    @Override
    public void digest(Digest into) {
        forEachMember(m -> into.xor(m, 0, m.length));
    }

    /** An intset as it is (immutable), a hashtable by its buckets while commands go on ({@link TableCapture}). */
    @Override
    public Frozen frozen() {
        return intset != null ? new Frozen.Blob(RdbType.SET_INTSET, intset) : TableCapture.ofSet(table);
    }

    /** setTypeDup: the same encoding; the intset array is immutable and shared, the table copied. */
    @Override
    public Value duplicate() {
        if (intset != null) return new SetValue(intset, null);
        HashTable<Member> t = new HashTable<>();
        // member bytes never change once stored: the copy shares them
        table.forEach(m -> t.add(new Member(m.key)));
        return new SetValue(null, t);
    }
}
