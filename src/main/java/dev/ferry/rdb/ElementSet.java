package dev.ferry.rdb;

import java.util.Arrays;

/**
 * The elements of one blob seen so far, to find a duplicate hash field, set member or sorted-set member
 * (lpValidateIntegrityAndDups, ziplistPairsConvertAndValidateIntegrity): a blob with one is corrupt. Elements
 * are remembered by reference, as offset and length in the blob's array, or as integer values; a string that
 * is a canonical integer equals that integer, as Redis compares their text. Open addressing over int slots:
 * no object per element. Reused from blob to blob.
 */
final class ElementSet {
    private byte[] src;
    /** Per element: offset in src of a string, or -1 for an integer held in values. */
    private int[] offsets = new int[16];
    private int[] lengths = new int[16];
    private long[] values = new long[16];
    private int size;
    /** Slots hold element index + 1; 0 is empty. */
    private int[] slots = new int[32];
    private final long[] parsed = new long[1];

    /**
     * Forgets every element; the next ones are strings of {@code src} (or integers), about n of them (a hint the
     * caller bounds by the blob's size: every element takes at least 2 bytes).
     */
    void reset(byte[] src, int n) {
        this.src = src;
        size = 0;
        int want = Integer.highestOneBit(Math.max(16, n) * 2 - 1) << 1;
        // a table left big by an earlier big blob is not cleared whole for every small one after it
        if (slots.length < want || slots.length > 4 * want) slots = new int[want];
        else Arrays.fill(slots, 0);
        if (offsets.length > 4 * Math.max(16, n)) {
            offsets = new int[16];
            lengths = new int[16];
            values = new long[16];
        }
    }

    /** Adds the string of len bytes at off in src; false when an equal element is already there. */
    boolean addString(int off, int len) {
        if (len > 0 && len <= 20 && Canonical.parseLong(src, off, len, parsed)) return addInteger(parsed[0]);
        int h = hashBytes(src, off, len);
        return add(h, off, len, 0);
    }

    boolean addInteger(long v) {
        return add(hashLong(v), -1, 0, v);
    }

    private boolean add(int h, int off, int len, long v) {
        int mask = slots.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            int s = slots[i];
            if (s == 0) {
                if (size == offsets.length) grow();
                offsets[size] = off;
                lengths[size] = len;
                values[size] = v;
                slots[i] = ++size;
                if (size * 2 > slots.length) rehash();
                return true;
            }
            int e = s - 1;
            if (off < 0 ? offsets[e] < 0 && values[e] == v
                : offsets[e] >= 0 && lengths[e] == len && Arrays.equals(src, off, off + len, src, offsets[e], offsets[e] + len)) {
                return false;
            }
        }
    }

    private void grow() {
        int n = offsets.length * 2;
        offsets = Arrays.copyOf(offsets, n);
        lengths = Arrays.copyOf(lengths, n);
        values = Arrays.copyOf(values, n);
    }

    private void rehash() {
        int[] old = slots;
        slots = new int[old.length * 2];
        int mask = slots.length - 1;
        for (int s : old) {
            if (s == 0) continue;
            int e = s - 1;
            int h = offsets[e] < 0 ? hashLong(values[e]) : hashBytes(src, offsets[e], lengths[e]);
            int i = h & mask;
            while (slots[i] != 0) i = (i + 1) & mask;
            slots[i] = s;
        }
    }

    private static int hashLong(long v) {
        long h = v * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    private static int hashBytes(byte[] b, int off, int len) {
        int h = 0x811C9DC5;
        for (int i = off; i < off + len; i++) h = (h ^ (b[i] & 0xFF)) * 0x01000193;
        return h ^ (h >>> 16) ^ 0x5bd1e995;
    }
}
