package dev.ferry.command.string;

import dev.ferry.engine.*;

import dev.ferry.protocol.Reply;
import dev.ferry.store.StringValue;
import dev.ferry.store.Value;

/**
 * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the longest common subsequence by the
 * textbook dynamic programming table, walked back from the end exactly as Redis's lcsCommand walks it,
 * so that the ranges come out in the same order and with the same tie-breaking.
 */
final class Lcs {
    private Lcs() {}

    static final ReplyError NOT_STRINGS = new ReplyError("ERR The specified keys must contain string values");
    static final ReplyError LEN_AND_IDX =
        new ReplyError("ERR If you want both the length and indexes, please just use IDX.");
    static final ReplyError TABLE_TOO_BIG =
        new ReplyError("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    static final ReplyError ALLOCATION_FAILED =
        new ReplyError("ERR Insufficient memory, failed allocating transient memory for LCS");

    static void execute(Call c) {
        Value oa = value(c, c.arg(1));
        Value ob = value(c, c.arg(2));
        // Redis checks the types before it parses the options
        if ((oa != null && !(oa instanceof StringValue)) || (ob != null && !(ob instanceof StringValue))) throw NOT_STRINGS;
        // the stored buffers themselves, read up to their lengths
        byte[] a = oa == null ? StringFamily.EMPTY : ((StringValue) oa).array();
        byte[] b = ob == null ? StringFamily.EMPTY : ((StringValue) ob).array();
        int alen = oa == null ? 0 : ((StringValue) oa).length();
        int blen = ob == null ? 0 : ((StringValue) ob).length();

        boolean getLen = false, getIdx = false, withMatchLen = false;
        long minMatchLen = 0;
        for (int j = 3; j < c.argc(); j++) {
            boolean moreArgs = j < c.argc() - 1;
            if (c.argIs(j, "idx")) {
                getIdx = true;
            } else if (c.argIs(j, "len")) {
                getLen = true;
            } else if (c.argIs(j, "withmatchlen")) {
                withMatchLen = true;
            } else if (c.argIs(j, "minmatchlen") && moreArgs) {
                minMatchLen = Math.max(0, c.longArg(j + 1));
                j++;
            } else {
                throw Errors.syntax();
            }
        }
        if (getLen && getIdx) throw LEN_AND_IDX;

        long cells = (long) (alen + 1) * (blen + 1);
        // the table is uint32 cells in Redis; its size is capped by proto-max-bulk-len there too
        if (cells * Integer.BYTES > c.server.settings().protoMaxBulkLen) throw TABLE_TOO_BIG;
        int[] lcs = allocate(cells);
        int w = blen + 1;
        for (int i = 1; i <= alen; i++) {
            int row = i * w, prev = row - w;
            byte ai = a[i - 1];
            for (int j = 1; j <= blen; j++) {
                if (ai == b[j - 1]) {
                    lcs[row + j] = lcs[prev + j - 1] + 1;
                } else {
                    int up = lcs[prev + j], left = lcs[row + j - 1];
                    lcs[row + j] = up > left ? up : left;
                }
            }
        }
        int total = lcs[alen * w + blen];
        Reply r = c.reply;
        if (getLen) {
            r.integer(total);
            return;
        }

        byte[] result = new byte[total];
        // ranges as (aStart, aEnd, bStart, bEnd) quadruples, in the order Redis emits them
        int[] ranges = getIdx ? new int[16] : null;
        int rangeCount = 0;
        int idx = total;
        int i = alen, j = blen;
        int aStart = alen, aEnd = 0, bStart = 0, bEnd = 0;  // aStart == alen: no range open
        while (i > 0 && j > 0) {
            boolean emit = false;
            if (a[i - 1] == b[j - 1]) {
                result[idx - 1] = a[i - 1];
                if (aStart == alen) {
                    aStart = i - 1;
                    aEnd = i - 1;
                    bStart = j - 1;
                    bEnd = j - 1;
                } else if (aStart == i && bStart == j) {
                    // contiguous with the open range: extend it backwards
                    aStart--;
                    bStart--;
                } else {
                    emit = true;
                }
                if (aStart == 0 || bStart == 0) emit = true;
                idx--;
                i--;
                j--;
            } else {
                int up = lcs[(i - 1) * w + j], left = lcs[i * w + j - 1];
                if (up > left) i--;
                else j--;
                if (aStart != alen) emit = true;
            }
            if (emit) {
                int matchLen = aEnd - aStart + 1;
                if (getIdx && (minMatchLen == 0 || matchLen >= minMatchLen)) {
                    if (rangeCount * 4 + 4 > ranges.length) ranges = java.util.Arrays.copyOf(ranges, ranges.length * 2);
                    ranges[rangeCount * 4] = aStart;
                    ranges[rangeCount * 4 + 1] = aEnd;
                    ranges[rangeCount * 4 + 2] = bStart;
                    ranges[rangeCount * 4 + 3] = bEnd;
                    rangeCount++;
                }
                aStart = alen;
            }
        }
        if (!getIdx) {
            r.bulk(result);
            return;
        }
        r.map(2);
        r.bulk(MATCHES);
        r.array(rangeCount);
        for (int k = 0; k < rangeCount; k++) {
            int aS = ranges[k * 4], aE = ranges[k * 4 + 1];
            r.array(withMatchLen ? 3 : 2);
            r.array(2);
            r.integer(aS);
            r.integer(aE);
            r.array(2);
            r.integer(ranges[k * 4 + 2]);
            r.integer(ranges[k * 4 + 3]);
            if (withMatchLen) r.integer(aE - aS + 1);
        }
        r.bulk(LEN);
        r.integer(total);
    }

    private static final byte[] MATCHES = {'m', 'a', 't', 'c', 'h', 'e', 's'};
    private static final byte[] LEN = {'l', 'e', 'n'};

    private static Value value(Call c, byte[] key) {
        var e = c.db().lookupRead(key);
        return e == null ? null : e.value();
    }

    private static int[] allocate(long cells) {
        if (cells > Integer.MAX_VALUE - 8) throw ALLOCATION_FAILED;
        try {
            return new int[(int) cells];
        } catch (OutOfMemoryError e) {
            throw ALLOCATION_FAILED;
        }
    }
}
