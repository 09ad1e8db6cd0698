package dev.ferry.protocol;

/**
 * Finds, without consuming or allocating anything, the second argument (the first key of almost every
 * command) of each complete multibulk command at the start of a buffer. A pipeline's keys are then looked up
 * in the keyspace together before its commands run one by one ({@link RespParser.Sink#prefetch}): the cache
 * misses of sixteen independent lookups overlap, where run one after another each waits for memory alone.
 *
 * <p>A hint only: it stops at the first byte that is not what a well-formed multibulk frame holds, and what it
 * finds is never used for anything but reading the keyspace.
 */
public final class PipelineKeys {
    private PipelineKeys() {
    }

    /**
     * Fills offs/lens with the extent of up to offs.length keys in a[from, to); returns how many were found.
     * Commands with a single argument have no key and are skipped over.
     */
    public static int firstKeys(byte[] a, int from, int to, int[] offs, int[] lens) {
        return firstKeys(a, from, to, offs, lens, offs.length);
    }

    /**
     * The keys worth looking up ahead for a client's pipeline: {@link #firstKeys}, or 0 when its first three commands
     * all name one key (a queue's pushes, a counter's increments), which leaves one lookup to make and nothing to
     * overlap; the rest of such a pipeline is not scanned.
     */
    public static int lookaheadKeys(byte[] a, int from, int to, int[] offs, int[] lens) {
        int n = firstKeys(a, from, to, offs, lens, Math.min(3, offs.length));
        if (n == 3 && allSame(a, offs, lens, n)) return 0;
        return n < 3 ? n : firstKeys(a, from, to, offs, lens);
    }

    private static int firstKeys(byte[] a, int from, int to, int[] offs, int[] lens, int max) {
        int n = 0, p = from;
        while (n < max && p < to && a[p] == '*') {
            long r = number(a, p + 1, to);
            if (r < 0) return n;
            long argc = r >>> 32;
            if (argc == 0 || argc > 1024 * 1024) return n;
            p = (int) r;
            int keyOff = -1, keyLen = 0;
            for (int i = 0; i < argc; i++) {
                if (p >= to || a[p] != '$') return n;
                r = number(a, p + 1, to);
                if (r < 0) return n;
                long len = r >>> 32;
                int data = (int) r;
                if (data + len + 2 > to) return n;
                if (i == 1) {
                    keyOff = data;
                    keyLen = (int) len;
                }
                p = (int) (data + len + 2);
            }
            if (keyOff >= 0) {
                offs[n] = keyOff;
                lens[n] = keyLen;
                n++;
            }
        }
        return n;
    }

    /** Whether the n keys found by {@link #firstKeys} are all the same bytes. */
    static boolean allSame(byte[] a, int[] offs, int[] lens, int n) {
        for (int i = 1; i < n; i++) {
            if (!java.util.Arrays.equals(a, offs[0], offs[0] + lens[0], a, offs[i], offs[i] + lens[i])) return false;
        }
        return true;
    }

    /**
     * The decimal number at a[p] ended by CR LF: its value in the high 32 bits and the index after the LF in the
     * low ones; -1 when malformed, too long or incomplete.
     */
    private static long number(byte[] a, int p, int to) {
        long v = 0;
        int start = p;
        while (p < to && a[p] >= '0' && a[p] <= '9') {
            if (p - start == 10) return -1;
            v = v * 10 + (a[p] - '0');
            p++;
        }
        if (p == start || v > Integer.MAX_VALUE || p + 1 >= to || a[p] != '\r' || a[p + 1] != '\n') return -1;
        return v << 32 | (p + 2);
    }
}
