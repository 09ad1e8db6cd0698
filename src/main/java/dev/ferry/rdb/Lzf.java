package dev.ferry.rdb;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import java.util.zip.DataFormatException;

/**
 * LZF, the compression of RDB strings (lzf_c.c, lzf_d.c). A compressed stream is a sequence of control bytes:
 * below 32, a literal run of c + 1 bytes that follow; else a back-reference of (c >> 5) + 2 bytes (c >> 5 of 7
 * takes one more length byte), starting ((c &amp; 31) &lt;&lt; 8 | next byte) + 1 bytes back in the output.
 *
 * <p>Decompression reads what a file claims: every run and reference is checked against the input left, the
 * output written and the declared output size, so that a corrupt stream is a {@link DataFormatException} and
 * never a read or write out of bounds. Compression follows lzf_c.c's format (a hash of the next three bytes
 * finds the previous position where they occurred; matches of 3 to 264 bytes within 8 KiB); its output need
 * not be byte-identical to Redis's, only decodable by lzf_d.c.
 *
 * <p>An instance holds the compressor's hash table (256 KiB) for reuse across strings; it is not thread-safe.
 */
public final class Lzf {
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int HLOG = 16;
    private static final int HSIZE = 1 << HLOG;
    private static final int MAX_LIT = 1 << 5;
    private static final int MAX_OFF = 1 << 13;
    private static final int MAX_REF = (1 << 8) + (1 << 3);
    /** Most output a byte of input can give: a 3-byte back-reference copies 264 bytes. */
    public static final int MAX_RATIO = 88;
    /** Misses in a row (as a shift: 1 << SKIP_SHIFT) before each lookup steps over one more byte. */
    private static final int SKIP_SHIFT = 6;

    /**
     * Positions of earlier 3-byte sequences, as base + position + 1: an entry at or below base is from an
     * earlier string (or none), so the table needs no clearing between strings (lzf_c.c does not clear it
     * either, unless INIT_HTAB).
     */
    private final int[] htab = new int[HSIZE];
    private int base;

    /**
     * Decompresses {@code inLen} bytes of {@code in} from {@code inOff} into exactly {@code outLen} bytes of
     * {@code out} from {@code outOff}. Throws when the stream is corrupt or does not give exactly outLen
     * bytes (rdbLoadLzfStringObject requires the declared length).
     */
    public static void decompress(byte[] in, int inOff, int inLen, byte[] out, int outOff, int outLen) throws DataFormatException {
        if (inOff < 0 || inLen < 0 || inOff + inLen > in.length || outOff < 0 || outLen < 0 || outOff + outLen > out.length) {
            throw new IllegalArgumentException("LZF buffer bounds");
        }
        int ip = inOff, inEnd = inOff + inLen;
        int op = outOff, outEnd = outOff + outLen;
        while (ip < inEnd) {
            int ctrl = in[ip++] & 0xFF;
            if (ctrl < 32) {
                int run = ctrl + 1;
                if (op + run > outEnd) throw new DataFormatException("LZF literal run past the declared length");
                if (ip + run > inEnd) throw new DataFormatException("LZF literal run past the input");
                System.arraycopy(in, ip, out, op, run);
                ip += run;
                op += run;
            } else {
                int len = ctrl >>> 5;
                if (len == 7) {
                    if (ip >= inEnd) throw new DataFormatException("LZF back-reference length past the input");
                    len += in[ip++] & 0xFF;
                }
                if (ip >= inEnd) throw new DataFormatException("LZF back-reference offset past the input");
                int ref = op - ((ctrl & 0x1F) << 8) - 1 - (in[ip++] & 0xFF);
                len += 2;
                if (op + len > outEnd) throw new DataFormatException("LZF back-reference past the declared length");
                if (ref < outOff) throw new DataFormatException("LZF back-reference before the output start");
                if (ref + len <= op) {
                    System.arraycopy(out, ref, out, op, len);
                    op += len;
                } else {
                    // overlapping: byte by byte, so that a short distance repeats a pattern
                    for (int i = 0; i < len; i++) out[op++] = out[ref++];
                }
            }
        }
        if (op != outEnd) throw new DataFormatException("LZF data gives " + (op - outOff) + " bytes, not the declared " + outLen);
    }

    /** Decompresses a whole array to a new one of exactly {@code outLen} bytes. */
    public static byte[] decompress(byte[] in, int outLen) throws DataFormatException {
        if (outLen < 0 || (long) outLen > (long) in.length * MAX_RATIO) {
            throw new DataFormatException("LZF declared length " + outLen + " impossible for " + in.length + " compressed bytes");
        }
        byte[] out = new byte[outLen];
        decompress(in, 0, in.length, out, 0, outLen);
        return out;
    }

    /**
     * Compresses {@code len} bytes of {@code in} from {@code off} into {@code out} from {@code outOff}, using at
     * most {@code outMax} bytes there. Returns the compressed length, or 0 when it does not fit in outMax (or
     * len is 0), as lzf_compress does: the caller then stores the string raw.
     */
    public int compress(byte[] in, int off, int len, byte[] out, int outOff, int outMax) {
        if (len == 0) return 0;
        if (outOff < 0 || outMax < 0 || outOff + outMax > out.length || off < 0 || off + len > in.length) {
            throw new IllegalArgumentException("LZF buffer bounds");
        }
        if (base > Integer.MAX_VALUE - len - 2) {
            java.util.Arrays.fill(htab, 0);
            base = 0;
        }
        try {
            return compressRuns(in, off, len, out, outOff, outMax);
        } finally {
            base += len + 2; // every entry this string made is now at or below base
        }
    }

    private int compressRuns(byte[] in, int off, int len, byte[] out, int outOff, int outMax) {
        final int b = base - off; // htab entry = b + index in `in` + 1
        final int inEnd = off + len;
        final int outEnd = outOff + outMax;
        int ip = off;
        int op = outOff;
        int lit = 0;
        op++; // room for the first literal run's control byte
        if (op > outEnd) return 0;
        int hval = len >= 2 ? ((in[ip] & 0xFF) << 8) | (in[ip + 1] & 0xFF) : 0;
        int misses = 0;
        while (ip < inEnd - 2) {
            hval = (hval << 8) | (in[ip + 2] & 0xFF);
            int slot = idx(hval);
            int entry = htab[slot];
            htab[slot] = b + ip + 1;
            int ref = entry - b - 1;
            int dist;
            if (entry > base && ref >= off && (dist = ip - ref - 1) < MAX_OFF && dist >= 0
                && in[ref] == in[ip] && in[ref + 1] == in[ip + 1] && in[ref + 2] == in[ip + 2]) {
                int maxLen = Math.min(inEnd - ip - 2, MAX_REF);
                // the pending run's control byte is dropped when the run is empty; the reference takes 3 bytes
                // at most and the next run's control byte 1
                if (op - (lit == 0 ? 1 : 0) + 3 + 1 > outEnd) return 0;
                out[op - lit - 1] = (byte) (lit - 1);
                if (lit == 0) op--;
                int l = matchLength(in, ref, ip, maxLen);
                l -= 2; // stored as the match length - 2
                if (l < 7) {
                    out[op++] = (byte) ((dist >>> 8) + (l << 5));
                } else {
                    out[op++] = (byte) ((dist >>> 8) + (7 << 5));
                    out[op++] = (byte) (l - 7);
                }
                out[op++] = (byte) dist;
                lit = 0;
                op++; // start the next run
                ip += l + 2;
                if (ip >= inEnd - 2) break;
                // hash the last two positions of the match, so later data can refer to them
                hval = ((in[ip - 2] & 0xFF) << 16) | ((in[ip - 1] & 0xFF) << 8) | (in[ip] & 0xFF);
                htab[idx(hval)] = b + ip - 1; // position ip - 2, stored + 1
                hval = (hval << 8) | (in[ip + 1] & 0xFF);
                htab[idx(hval)] = b + ip; // position ip - 1
                hval = ((in[ip] & 0xFF) << 8) | (in[ip + 1] & 0xFF);
                misses = 0;
            } else {
                if (op >= outEnd) return 0;
                lit++;
                out[op++] = in[ip++];
                if (lit == MAX_LIT) {
                    out[op - lit - 1] = (byte) (lit - 1);
                    lit = 0;
                    op++;
                }
                // After 64 lookups in a row without a match, the input is likely incompressible (random bytes,
                // compressed values): each lookup then steps over one more byte per 64 misses, as LZ4 does. The
                // bytes stepped over go out as literals and are not hashed. The output is LZF all the same; a
                // match that starts inside a stepped-over stretch is missed, which costs little on data with
                // matches (misses start again from 0 at every match).
                if (++misses >= 2 << SKIP_SHIFT) {
                    int n = Math.min((misses >>> SKIP_SHIFT) - 1, inEnd - 2 - ip);
                    if (n > 0) {
                        long r = literals(in, ip, n, out, op, lit, outEnd);
                        if (r < 0) return 0;
                        ip += n;
                        op = (int) (r >>> 32);
                        lit = (int) r;
                        hval = ((in[ip] & 0xFF) << 8) | (in[ip + 1] & 0xFF);
                    }
                }
            }
        }
        if (op + 3 > outEnd) return 0;
        while (ip < inEnd) {
            lit++;
            out[op++] = in[ip++];
            if (lit == MAX_LIT) {
                if (op + 1 > outEnd && ip < inEnd) return 0;
                out[op - lit - 1] = (byte) (lit - 1);
                lit = 0;
                op++;
            }
        }
        out[op - lit - 1] = (byte) (lit - 1);
        if (lit == 0) op--;
        if (op > outEnd) return 0;
        return op - outOff;
    }

    /**
     * How far the bytes at ref and ip agree, knowing the first three do: at least 3, at most maxLen (or 3 when
     * maxLen is smaller), as lzf_c.c's byte loop finds it. Eight bytes a step while eight are left: a write-heavy
     * replication stream repeats long runs (the same command words, similar values), and comparing them a byte at a
     * time was most of what archiving it cost.
     */
    private static int matchLength(byte[] in, int ref, int ip, int maxLen) {
        int l = 3;
        while (l + 8 <= maxLen) {
            long diff = (long) LONG_LE.get(in, ref + l) ^ (long) LONG_LE.get(in, ip + l);
            if (diff != 0) return l + (Long.numberOfTrailingZeros(diff) >>> 3);
            l += 8;
        }
        while (l < maxLen && in[ref + l] == in[ip + l]) l++;
        return l;
    }

    /**
     * Appends n bytes of in from ip as literals to the open run (lit bytes so far, its control byte before them at
     * op - lit - 1): returns the new op (high half) and lit (low half), or -1 past outEnd. Out of the main loop, so
     * that the loop stays small for the compiler.
     */
    private static long literals(byte[] in, int ip, int n, byte[] out, int op, int lit, int outEnd) {
        for (int end = ip + n; ip < end; ) {
            int k = Math.min(end - ip, MAX_LIT - lit);
            if (op + k > outEnd) return -1;
            System.arraycopy(in, ip, out, op, k);
            ip += k;
            op += k;
            lit += k;
            if (lit == MAX_LIT) {
                out[op - lit - 1] = (byte) (lit - 1);
                lit = 0;
                op++;
            }
        }
        return (long) op << 32 | lit;
    }

    /** The hash slot of three bytes (lzf_c.c's IDX in its default "very fast" mode). */
    private static int idx(int h) {
        h &= 0xFFFFFF;
        return ((h >>> (3 * 8 - HLOG)) - h * 5) & (HSIZE - 1);
    }
}
