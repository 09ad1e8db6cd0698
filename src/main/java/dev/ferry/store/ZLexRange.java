package dev.ferry.store;

import java.util.Arrays;

/** A lex interval (zlexrangespec): a bound is a value, or "-" (inf -1) or "+" (inf 1), both exclusive. */
public final class ZLexRange {
    public byte[] min, max;
    public int minInf, maxInf;
    public boolean minex, maxex;

    private static int cmp(byte[] b, int off, int len, byte[] bound, int inf) {
        if (inf < 0) return 1;
        if (inf > 0) return -1;
        return Arrays.compareUnsigned(b, off, off + len, bound, 0, bound.length);
    }

    public boolean gteMin(byte[] b, int off, int len) {
        int c = cmp(b, off, len, min, minInf);
        return minex ? c > 0 : c >= 0;
    }

    public boolean lteMax(byte[] b, int off, int len) {
        int c = cmp(b, off, len, max, maxInf);
        return maxex ? c < 0 : c <= 0;
    }

    /** sdscmplex(min, max) > 0, or equal with an exclusive end. */
    public boolean empty() {
        int c;
        if (minInf != 0 && minInf == maxInf) c = 0;
        else if (minInf < 0 || maxInf > 0) c = -1;
        else if (minInf > 0 || maxInf < 0) c = 1;
        else c = Arrays.compareUnsigned(min, max);
        return c > 0 || (c == 0 && (minex || maxex));
    }
}
