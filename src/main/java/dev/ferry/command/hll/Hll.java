package dev.ferry.command.hll;

import dev.ferry.store.StringValue;

import java.util.Arrays;

/**
 * A HyperLogLog in Redis 7.0's own layout (hyperloglog.c), held in a Redis string, so that GET answers the
 * same bytes as Redis after the same commands:
 * <pre>
 *   "HYLL" | encoding (0 dense, 1 sparse) | 3 unused bytes | 8-byte cached cardinality, little endian,
 *   whose most significant bit (byte 15) is set while the cache is stale | registers
 * </pre>
 * Dense registers: 16384 counters of 6 bits, packed from the least significant bit of each byte up (12288
 * bytes, 12304 in all). Sparse registers: a run-length code of opcodes ZERO (00xxxxxx: 1..64 zero registers),
 * XZERO (01xxxxxx yyyyyyyy: 1..16384 zero registers) and VAL (1vvvvvxx: 1..4 registers of value 1..32).
 *
 * <p>An instance is a private working copy of a value's bytes (the stored string is never written: the
 * command stores a new raw string when the copy changed; a dense value is read in place until its first
 * write). Where Redis's code reads the byte after the string (sds's zero terminator: the last dense
 * register's neighbour, the second byte of an XZERO opcode cut short), this code reads 0. The algorithms are
 * Redis's, step for step, including what they do with a corrupted sparse code, except where Redis 7.0.15
 * would write past the string (PFADD splitting an XZERO cut short: refused here as a corrupted value).
 */
public final class Hll {
    public static final int P = 14;
    public static final int Q = 64 - P;
    public static final int REGISTERS = 1 << P;
    private static final int P_MASK = REGISTERS - 1;
    public static final int HDR_SIZE = 16;
    public static final int DENSE_SIZE = HDR_SIZE + (REGISTERS * 6 + 7) / 8;
    public static final int DENSE = 0, SPARSE = 1;
    private static final int MAX_ENCODING = 1;

    private static final int VAL_MAX_VALUE = 32, VAL_MAX_LEN = 4, ZERO_MAX_LEN = 64, XZERO_MAX_LEN = 16384;
    private static final int SEED = 0xadc83b19;
    private static final double ALPHA_INF = 0.721347520444481703680; // 0.5 / ln(2)

    /** The bytes are b[0, len); b[len] is always 0 (sds's terminator). */
    private byte[] b;
    private int len;
    /** b is the stored value's own array (a dense value not yet written): copy before writing. */
    private boolean borrowed;

    private Hll(byte[] b, int len) {
        this.b = b;
        this.len = len;
    }

    // ---- values --------------------------------------------------------------------------------------

    /** Redis's createHLLObject: an empty sparse HLL (one XZERO of 16384 registers), cache valid at 0. */
    public static Hll empty() {
        byte[] b = new byte[HDR_SIZE + 2 + 8];
        header(b, SPARSE);
        int p = HDR_SIZE;
        for (int aux = REGISTERS; aux > 0; ) {
            int xzero = Math.min(XZERO_MAX_LEN, aux);
            setXzero(b, p, xzero);
            p += 2;
            aux -= xzero;
        }
        return new Hll(b, p);
    }

    private static void header(byte[] b, int encoding) {
        b[0] = 'H';
        b[1] = 'Y';
        b[2] = 'L';
        b[3] = 'L';
        b[4] = (byte) encoding;
    }

    /**
     * A working copy of a value that passed {@link #isHll}: a sparse one is copied at once (with spare room); a
     * dense one is borrowed, read from the stored array and copied on its first write, so that PFADD changing
     * nothing copies nothing.
     */
    public static Hll copyOf(StringValue v) {
        int n = v.length();
        if ((v.array()[4] & 0xff) == DENSE) {
            Hll h = new Hll(v.array(), n);
            h.borrowed = true;
            return h;
        }
        byte[] b = new byte[n + 16];
        System.arraycopy(v.array(), 0, b, 0, n);
        return new Hll(b, n);
    }

    /** Makes b this HLL's own array before a write (a dense copy is exactly its length: no terminator). */
    private void writable() {
        if (borrowed) {
            b = Arrays.copyOf(b, len);
            borrowed = false;
        }
    }

    /** This HLL as the raw string to store; adopts the working array when it is exactly the string. */
    public StringValue toValue() {
        if (!borrowed && b.length == len) return StringValue.ofRaw(b);
        return StringValue.ofRaw(Arrays.copyOf(b, len));
    }

    /**
     * Redis's isHLLObjectOrReply, after the type check: a string (not an integer encoding) of at least a header,
     * with the magic, a known encoding, and the exact dense size when dense.
     */
    public static boolean isHll(StringValue v) {
        if (v.encodingName().equals("int")) return false;
        int n = v.length();
        if (n < HDR_SIZE) return false;
        byte[] a = v.array();
        if (a[0] != 'H' || a[1] != 'Y' || a[2] != 'L' || a[3] != 'L') return false;
        int enc = a[4] & 0xff;
        if (enc > MAX_ENCODING) return false;
        return enc != DENSE || n == DENSE_SIZE;
    }

    public static int encoding(StringValue v) {
        return v.array()[4] & 0xff;
    }

    public int encoding() {
        return b[4] & 0xff;
    }

    // ---- the cached cardinality ------------------------------------------------------------------------

    /** HLL_VALID_CACHE: the most significant bit of the cardinality's last byte is clear. */
    public static boolean validCache(StringValue v) {
        return (v.array()[15] & 0x80) == 0;
    }

    public static long cachedCardinality(StringValue v) {
        byte[] a = v.array();
        long card = 0;
        for (int i = 7; i >= 0; i--) card = card << 8 | (a[8 + i] & 0xffL);
        return card;
    }

    public void setCachedCardinality(long card) {
        writable();
        for (int i = 0; i < 8; i++) b[8 + i] = (byte) (card >>> (8 * i));
    }

    /** HLL_INVALIDATE_CACHE. */
    public void invalidateCache() {
        writable();
        b[15] |= (byte) 0x80;
    }

    // ---- hashing -----------------------------------------------------------------------------------------

    /**
     * Redis's hllPatLen: the register index is the low 14 bits of the hash, the count the length of the
     * "000..1" pattern in the remaining 50 bits (1..51). Returns index << 8 | count.
     */
    static int patLen(byte[] ele) {
        long hash = MurmurHash64A.hash(ele, SEED);
        int index = (int) (hash & P_MASK);
        hash >>>= P;
        hash |= 1L << Q;
        int count = Long.numberOfTrailingZeros(hash) + 1;
        return index << 8 | count;
    }

    // ---- adding -----------------------------------------------------------------------------------------

    /**
     * Redis's hllAdd: 1 when a register changed, 0 when not, -1 for a corrupted sparse code; a sparse HLL
     * turns dense past sparseMaxBytes (hll-sparse-max-bytes).
     */
    public int add(byte[] ele, long sparseMaxBytes) {
        int pl = patLen(ele);
        int index = pl >>> 8, count = pl & 0xff;
        return switch (encoding()) {
            case DENSE -> denseSet(index, count);
            case SPARSE -> sparseSet(index, count, sparseMaxBytes);
            default -> -1;
        };
    }

    /** Sets register index to count if larger, in either encoding (PFMERGE); -1 for a corrupted sparse code. */
    public int set(int index, int count, long sparseMaxBytes) {
        return encoding() == DENSE ? denseSet(index, count) : sparseSet(index, count, sparseMaxBytes);
    }

    // ---- dense -------------------------------------------------------------------------------------------

    /** HLL_DENSE_GET_REGISTER on the array holding a whole dense HLL (header included). */
    static int denseGet(byte[] a, int regnum) {
        int bit = regnum * 6;
        int at = HDR_SIZE + (bit >>> 3), fb = bit & 7;
        int b0 = a[at] & 0xff;
        int b1 = at + 1 < DENSE_SIZE ? a[at + 1] & 0xff : 0;  // past the end: sds's terminator
        return ((b0 >>> fb) | (b1 << (8 - fb))) & 63;
    }

    /** HLL_DENSE_SET_REGISTER. */
    static void denseSetRegister(byte[] a, int regnum, int val) {
        int bit = regnum * 6;
        int at = HDR_SIZE + (bit >>> 3), fb = bit & 7, fb8 = 8 - fb;
        a[at] = (byte) ((a[at] & ~(63 << fb)) | (val << fb));
        if (at + 1 < DENSE_SIZE) a[at + 1] = (byte) ((a[at + 1] & ~(63 >>> fb8)) | (val >>> fb8));
    }

    /** hllDenseSet: 1 when the register grew. */
    private int denseSet(int index, int count) {
        if (count > denseGet(b, index)) {
            writable();
            denseSetRegister(b, index, count);
            return 1;
        }
        return 0;
    }

    // ---- sparse ------------------------------------------------------------------------------------------

    private static boolean isZero(int op) {
        return (op & 0xc0) == 0;
    }

    private static boolean isXzero(int op) {
        return (op & 0xc0) == 0x40;
    }

    private static boolean isVal(int op) {
        return (op & 0x80) != 0;
    }

    private static int zeroLen(int op) {
        return (op & 0x3f) + 1;
    }

    private static int xzeroLen(int op, int next) {
        return ((op & 0x3f) << 8 | next) + 1;
    }

    private static int valValue(int op) {
        return ((op >>> 2) & 0x1f) + 1;
    }

    private static int valLen(int op) {
        return (op & 0x3) + 1;
    }

    private static void setXzero(byte[] a, int p, int len) {
        int l = len - 1;
        a[p] = (byte) ((l >>> 8) | 0x40);
        a[p + 1] = (byte) (l & 0xff);
    }

    private static void setZero(byte[] a, int p, int len) {
        a[p] = (byte) (len - 1);
    }

    private static void setVal(byte[] a, int p, int val, int len) {
        a[p] = (byte) (((val - 1) << 2 | (len - 1)) | 0x80);
    }

    /** The byte at i, or 0 past the end (the terminator Redis reads there). */
    private int at(int i) {
        return i < len ? b[i] & 0xff : 0;
    }

    private void ensureRoom(int extra) {
        if (len + extra + 1 > b.length) b = Arrays.copyOf(b, Math.max(len + extra + 1, b.length * 2));
    }

    /**
     * Redis's hllSparseSet: sets register index to count when count is larger, splitting the opcode that covers
     * it and merging equal neighbours; promotes to dense when count does not fit a VAL opcode or the code would
     * grow past sparseMaxBytes. Returns 1 when changed, 0 when not, -1 for a corrupted code.
     */
    private int sparseSet(int index, int count, long sparseMaxBytes) {
        if (count > VAL_MAX_VALUE) return promote(index, count);
        ensureRoom(5);

        // step 1: the opcode covering index
        int sparse = HDR_SIZE, p = sparse, end = len;
        long first = 0, span = 0;
        int prev = -1;
        while (p < end) {
            int op = b[p] & 0xff, oplen = 1;
            if (isZero(op)) span = zeroLen(op);
            else if (isVal(op)) span = valLen(op);
            else {
                span = xzeroLen(op, at(p + 1));
                oplen = 2;
            }
            if (index <= first + span - 1) break;
            prev = p;
            p += oplen;
            first += span;
        }
        if (span == 0 || p >= end) return -1;

        int op = b[p] & 0xff;
        // an XZERO cut short by the end of the string: Redis would write its split past the string's end
        if (isXzero(op) && p + 1 >= end) return -1;
        int next = isXzero(op) ? p + 2 : p + 1;
        if (next >= end) next = -1;
        boolean isZeroOp = false, isXzeroOp = false, isValOp = false;
        long runlen;
        if (isZero(op)) {
            isZeroOp = true;
            runlen = zeroLen(op);
        } else if (isXzero(op)) {
            isXzeroOp = true;
            runlen = xzeroLen(op, at(p + 1));
        } else {
            isValOp = true;
            runlen = valLen(op);
        }

        // step 2: trivial cases
        boolean updated = false;
        if (isValOp) {
            int oldcount = valValue(op);
            if (oldcount >= count) return 0;
            if (runlen == 1) {
                setVal(b, p, count, 1);
                updated = true;
            }
        }
        if (!updated && isZeroOp && runlen == 1) {
            setVal(b, p, count, 1);
            updated = true;
        }

        if (!updated) {
            // general case: split the opcode into up to three
            byte[] seq = new byte[5];
            int n = 0;
            long last = first + span - 1;
            if (isZeroOp || isXzeroOp) {
                if (index != first) {
                    int l = (int) (index - first);
                    if (l > ZERO_MAX_LEN) {
                        setXzero(seq, n, l);
                        n += 2;
                    } else {
                        setZero(seq, n, l);
                        n++;
                    }
                }
                setVal(seq, n++, count, 1);
                if (index != last) {
                    int l = (int) (last - index);
                    if (l > ZERO_MAX_LEN) {
                        setXzero(seq, n, l);
                        n += 2;
                    } else {
                        setZero(seq, n, l);
                        n++;
                    }
                }
            } else {
                int curval = valValue(op);
                if (index != first) setVal(seq, n++, curval, (int) (index - first));
                setVal(seq, n++, count, 1);
                if (index != last) setVal(seq, n++, curval, (int) (last - index));
            }

            // step 3: put the sequence in place of the opcode
            int seqlen = n, oldlen = isXzeroOp ? 2 : 1, deltalen = seqlen - oldlen;
            if (deltalen > 0 && (long) len + deltalen > sparseMaxBytes) return promote(index, count);
            if (deltalen != 0 && next >= 0) System.arraycopy(b, next, b, next + deltalen, end - next);
            len += deltalen;
            b[len] = 0;
            System.arraycopy(seq, 0, b, p, seqlen);
            end += deltalen;
        }

        // step 4: merge adjacent VAL opcodes of equal value, scanning up to 5 opcodes from prev
        p = prev >= 0 ? prev : sparse;
        int scanlen = 5;
        while (p < end && scanlen-- > 0) {
            int o = b[p] & 0xff;
            if (isXzero(o)) {
                p += 2;
                continue;
            } else if (isZero(o)) {
                p++;
                continue;
            }
            if (p + 1 < end && isVal(b[p + 1] & 0xff)) {
                int o2 = b[p + 1] & 0xff;
                int v1 = valValue(o), v2 = valValue(o2);
                if (v1 == v2) {
                    int l = valLen(o) + valLen(o2);
                    if (l <= VAL_MAX_LEN) {
                        setVal(b, p + 1, v1, l);
                        System.arraycopy(b, p + 1, b, p, end - p);  // memmove(p, p+1, end-p)
                        len--;
                        b[len] = 0;
                        end--;
                        continue;
                    }
                }
            }
            p++;
        }
        invalidateCache();
        return 1;
    }

    /** The promote label of hllSparseSet: to dense, then set the register; -1 when the code is corrupted. */
    private int promote(int index, int count) {
        if (!sparseToDense()) return -1;
        denseSet(index, count);  // Redis asserts it returns 1: the register needed the update
        return 1;
    }

    /**
     * Redis's hllSparseToDense: this HLL in the dense encoding (the header, cached cardinality included,
     * copied). False, leaving it unchanged, when the code does not cover exactly 16384 registers.
     */
    public boolean sparseToDense() {
        if (encoding() == DENSE) return true;
        byte[] dense = new byte[DENSE_SIZE];
        System.arraycopy(b, 0, dense, 0, HDR_SIZE);
        dense[4] = DENSE;
        long idx = 0;
        int p = HDR_SIZE, end = len;
        while (p < end) {
            int op = b[p] & 0xff;
            if (isZero(op)) {
                idx += zeroLen(op);
                p++;
            } else if (isXzero(op)) {
                idx += xzeroLen(op, at(p + 1));
                p += 2;
            } else {
                int runlen = valLen(op), regval = valValue(op);
                if (runlen + idx > REGISTERS) break;
                while (runlen-- > 0) denseSetRegister(dense, (int) idx++, regval);
                p++;
            }
        }
        if (idx != REGISTERS) return false;
        b = dense;
        len = DENSE_SIZE;
        return true;
    }

    // ---- merging and counting -------------------------------------------------------------------------

    /**
     * Redis's hllMerge: max[i] = MAX(max[i], register i) for a value that passed {@link #isHll}; false for a
     * sparse code that does not cover exactly 16384 registers.
     */
    public static boolean merge(byte[] max, StringValue v) {
        byte[] a = v.array();
        int n = v.length();
        if ((a[4] & 0xff) == DENSE) {
            for (int i = 0; i < REGISTERS; i++) {
                int val = denseGet(a, i);
                if (val > (max[i] & 0xff)) max[i] = (byte) val;
            }
            return true;
        }
        long i = 0;
        int p = HDR_SIZE;
        while (p < n) {
            int op = a[p] & 0xff;
            if (isZero(op)) {
                i += zeroLen(op);
                p++;
            } else if (isXzero(op)) {
                i += xzeroLen(op, p + 1 < n ? a[p + 1] & 0xff : 0);
                p += 2;
            } else {
                int runlen = valLen(op), regval = valValue(op);
                if (runlen + i > REGISTERS) break;
                while (runlen-- > 0) {
                    if (regval > (max[(int) i] & 0xff)) max[(int) i] = (byte) regval;
                    i++;
                }
                p++;
            }
        }
        return i == REGISTERS;
    }

    /** hllCount of a stored HLL value; -1 when its sparse code is invalid. */
    public static long count(StringValue v) {
        byte[] a = v.array();
        int n = v.length();
        int[] histo = new int[64];
        if ((a[4] & 0xff) == DENSE) {
            denseHisto(a, histo);
        } else {
            long idx = 0;
            int p = HDR_SIZE;
            while (p < n) {
                int op = a[p] & 0xff;
                if (isZero(op)) {
                    int runlen = zeroLen(op);
                    idx += runlen;
                    histo[0] += runlen;
                    p++;
                } else if (isXzero(op)) {
                    int runlen = xzeroLen(op, p + 1 < n ? a[p + 1] & 0xff : 0);
                    idx += runlen;
                    histo[0] += runlen;
                    p += 2;
                } else {
                    int runlen = valLen(op);
                    idx += runlen;
                    histo[valValue(op)] += runlen;
                    p++;
                }
            }
            if (idx != REGISTERS) return -1;
        }
        return estimate(histo);
    }

    /** hllDenseRegHisto: 16 registers from each 12 bytes. */
    private static void denseHisto(byte[] a, int[] histo) {
        for (int r = HDR_SIZE, j = 0; j < REGISTERS / 16; j++, r += 12) {
            for (int k = 0; k < 12; k += 3) {
                int b0 = a[r + k] & 0xff, b1 = a[r + k + 1] & 0xff, b2 = a[r + k + 2] & 0xff;
                histo[b0 & 63]++;
                histo[(b0 >>> 6 | b1 << 2) & 63]++;
                histo[(b1 >>> 4 | b2 << 4) & 63]++;
                histo[b2 >>> 2]++;
            }
        }
    }

    /** hllCount of raw registers, one byte each (PFCOUNT of several keys). */
    public static long countRaw(byte[] registers) {
        int[] histo = new int[64];
        for (int i = 0; i < REGISTERS; i++) histo[registers[i]]++;
        return estimate(histo);
    }

    /** The estimator of Redis 7.0's hllCount (Otmar Ertl's improved estimator, arXiv:1702.01284). */
    static long estimate(int[] histo) {
        double m = REGISTERS;
        double z = m * tau((m - histo[Q + 1]) / m);
        for (int j = Q; j >= 1; --j) {
            z += histo[j];
            z *= 0.5;
        }
        z += m * sigma(histo[0] / m);
        return Math.round(ALPHA_INF * m * m / z);
    }

    static double sigma(double x) {
        if (x == 1.) return Double.POSITIVE_INFINITY;
        double zPrime, y = 1, z = x;
        do {
            x *= x;
            zPrime = z;
            z += x * y;
            y += y;
        } while (zPrime != z);
        return z;
    }

    static double tau(double x) {
        if (x == 0. || x == 1.) return 0.;
        double zPrime, y = 1.0, z = 1 - x;
        do {
            x = Math.sqrt(x);
            zPrime = z;
            y *= 0.5;
            double d = 1 - x;
            z -= d * d * y;
        } while (zPrime != z);
        return z / 3;
    }

    public int length() {
        return len;
    }
}
