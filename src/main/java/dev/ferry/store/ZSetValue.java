package dev.ferry.store;

import dev.ferry.protocol.Reply;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A sorted set (Redis's OBJ_ZSET, t_zset.c) in Redis 7.0's two encodings.
 *
 * <p><b>listpack</b>: an immutable byte array in Redis's listpack layout ({@link Listpack}), member and score
 * entries alternating, ordered by score then member bytes; the score is written as Redis's zzlInsertAt writes
 * it (an integral score within 2^62 as an integer entry, -0 as 0, any other as its %.17g text), so
 * the array is what DUMP and the RDB writer put out (type 17). Every write builds a new array: a snapshot
 * captures a small sorted set by keeping the array the value holds when it passes.
 *
 * <p><b>skiplist</b> (Redis's name, kept for OBJECT ENCODING): {@link ZTree}, a counted B+tree whose nodes are
 * also the entries of a {@link HashTable} from member to node (type 5, ZSET_2). Redis converts a listpack past
 * zset-max-listpack-entries members or a member longer than zset-max-listpack-value bytes (zsetAdd checks
 * before inserting), and never back, except that a *STORE result is built in whichever encoding its size
 * calls for (zsetConvertToListpackIfNeeded). A snapshot captures a large sorted set incrementally by the hash
 * table's buckets, member and score of each node (the tree's order is not needed: a loader rebuilds it);
 * scores are final in the nodes (a score change replaces the node through {@link ZTree#updateScore}), and
 * every change to a large value goes through the methods of this class ({@link #add}, {@link #remove},
 * {@link #removeRange}, {@link #pop}) and reaches the table through {@link ZTree}'s insert, remove and
 * updateScore, whose {@link HashTable} add, remove and replace hand the touched bucket to a running capture
 * ({@link TableCapture}) first.
 */
public final class ZSetValue implements Value {

    /** zsetAdd's input flags. */
    public static final int IN_INCR = 1, IN_NX = 2, IN_XX = 4, IN_GT = 8, IN_LT = 16;
    /** zsetAdd's output flags. */
    public static final int OUT_NOP = 1, OUT_NAN = 2, OUT_ADDED = 4, OUT_UPDATED = 8;

    private byte[] lp;
    private int lpPairs;
    private ZTree zsl;
    /** The score zsetAdd set (its newscore out parameter). */
    private double newScore;

    private ZSetValue(byte[] lp, int pairs, ZTree zsl) {
        this.lp = lp;
        this.lpPairs = pairs;
        this.zsl = zsl;
    }

    public static ZSetValue emptyListpack() {
        return new ZSetValue(Listpack.empty(), 0, null);
    }

    public static ZSetValue emptySkiplist() {
        return new ZSetValue(null, 0, new ZTree());
    }

    /** A listpack as Redis wrote it (RDB type 17, RESTORE): the caller has checked it. */
    public static ZSetValue ofListpack(byte[] lp) {
        return new ZSetValue(lp, Listpack.count(lp) / 2, null);
    }

    /** A listpack read from an RDB file (checked, adopted), converted past maxEntries as Redis's loader does. */
    public static ZSetValue ofListpack(byte[] lp, long maxEntries) {
        ZSetValue z = ofListpack(lp);
        if (z.lpPairs > maxEntries) z.convertToSkiplist();
        return z;
    }

    /** What ZADD creates for a new key (zaddGenericCommand in 7.0): the first member's length decides. */
    public static ZSetValue forFirstMember(int memberLength, int maxEntries, int maxValue) {
        return maxEntries == 0 || memberLength > maxValue ? emptySkiplist() : emptyListpack();
    }

    public boolean isListpack() {
        return lp != null;
    }

    /** The listpack bytes (never changed once made), or null when skiplist-encoded. */
    public byte[] listpack() {
        return lp;
    }

    public ZTree skiplist() {
        return zsl;
    }

    public int size() {
        return lp != null ? lpPairs : zsl.size();
    }

    public double newScore() {
        return newScore;
    }

    @Override
    public String typeName() {
        return "zset";
    }

    @Override
    public String encodingName() {
        return lp != null ? "listpack" : "skiplist";
    }

    @Override
    public int rdbType() {
        return lp != null ? RdbType.ZSET_LISTPACK : RdbType.ZSET_2;
    }

    @Override
    public int objectType() {
        return 3;
    }

    /** xorObjectDigest for OBJ_ZSET in Redis 7.0: per member, mix(member) then mix(%.17g score), xored in. */
    @Override
    public void digest(Digest into) {
        forEach((b, off, len, score) -> {
            Digest e = into.element();
            e.mix(b, off, len);
            byte[] s = Reply.Doubles.format(score).getBytes(StandardCharsets.US_ASCII);
            e.mix(s, 0, s.length);
            into.xor(e);
        });
    }

    @Override
    public Value duplicate() {
        if (lp != null) return new ZSetValue(lp, lpPairs, null);
        ZTree copy = new ZTree();
        for (ZTree.Cursor x = zsl.cursor(0); x.valid(); x.next()) copy.insert(x.node().key, x.node().score);
        return new ZSetValue(null, 0, copy);
    }

    /** A listpack as it is (immutable), a skiplist by its table's buckets while commands go on ({@link TableCapture}). */
    @Override
    public Frozen frozen() {
        return lp != null ? new Frozen.Blob(RdbType.ZSET_LISTPACK, lp) : TableCapture.ofZSet(zsl.table());
    }

    // ---- scores as the listpack holds them ------------------------------------------------------------------

    static double lpScore(byte[] lp, int p) {
        if (!Listpack.isString(lp, p)) return Listpack.integer(lp, p);
        int off = Listpack.stringOffset(lp, p), len = Listpack.stringLength(lp, p);
        return parseStoredScore(lp, off, len);
    }

    private static double parseStoredScore(byte[] b, int off, int len) {
        String s = new String(b, off, len, StandardCharsets.US_ASCII);
        return switch (s) {
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }

    /**
     * Whether zzlInsertAt writes the score as an integer entry (Redis 7.0's double2ll: integral and within
     * LLONG_MAX/2, which as a double is 2^62; -0 included, so it reads back as 0).
     */
    public static boolean storedAsInteger(double v) {
        return v >= -0x1p62 && v <= 0x1p62 && v == (long) v;
    }

    /** Appends a score as zzlInsertAt writes it: an integer entry, else the %.17g text. */
    static void appendScore(Listpack l, double v) {
        if (storedAsInteger(v)) l.appendInteger((long) v);
        else l.appendString(Reply.Doubles.format(v).getBytes(StandardCharsets.US_ASCII));
    }

    private static int compareMember(byte[] lp, int p, byte[] m) {
        if (Listpack.isString(lp, p)) {
            int off = Listpack.stringOffset(lp, p);
            return Arrays.compareUnsigned(lp, off, off + Listpack.stringLength(lp, p), m, 0, m.length);
        }
        byte[] digits = Long.toString(Listpack.integer(lp, p)).getBytes(StandardCharsets.US_ASCII);
        return Arrays.compareUnsigned(digits, m);
    }

    /** Offset of the member entry equal to m, or -1. */
    private int lpFind(byte[] m) {
        long[] asLong = new long[1];
        boolean isLong = Listpack.parseCanonicalLong(m, asLong);
        byte[] lp = this.lp;
        for (int p = Listpack.FIRST; !Listpack.atEnd(lp, p); ) {
            if (Listpack.isString(lp, p)) {
                if (!isLong) {
                    int off = Listpack.stringOffset(lp, p), len = Listpack.stringLength(lp, p);
                    if (len == m.length && Arrays.equals(lp, off, off + len, m, 0, len)) return p;
                }
            } else if (isLong && Listpack.integer(lp, p) == asLong[0]) {
                return p;
            }
            p = Listpack.skip(lp, Listpack.skip(lp, p));
        }
        return -1;
    }

    private void lpInsert(byte[] m, double score) {
        byte[] lp = this.lp;
        int p = Listpack.FIRST;
        while (!Listpack.atEnd(lp, p)) {
            int sp = Listpack.skip(lp, p);
            double s = lpScore(lp, sp);
            if (s > score || (s == score && compareMember(lp, p, m) > 0)) break;
            p = Listpack.skip(lp, sp);
        }
        Listpack ins = new Listpack();
        ins.append(m);
        appendScore(ins, score);
        this.lp = Listpack.splice(lp, p, p, 0, ins);
        lpPairs++;
    }

    private void lpDeletePairs(int from, int to, int pairs) {
        lp = Listpack.splice(lp, from, to, pairs * 2, null);
        lpPairs -= pairs;
    }

    /** Offsets of the member entries, in order. */
    private int[] lpOffsets() {
        int[] off = new int[lpPairs];
        int i = 0;
        for (int p = Listpack.FIRST; !Listpack.atEnd(lp, p); p = Listpack.skip(lp, Listpack.skip(lp, p))) off[i++] = p;
        return off;
    }

    /**
     * This sorted set in the skiplist encoding: itself when it has it, else a converted copy (SORT converts a
     * listpack sorted set for good, as Redis's sortCommandGeneric does; the caller stores the copy).
     */
    public ZSetValue asSkiplist() {
        if (lp == null) return this;
        ZSetValue copy = new ZSetValue(lp, lpPairs, null);
        copy.convertToSkiplist();
        return copy;
    }

    private void convertToSkiplist() {
        ZTree z = new ZTree();
        for (int p = Listpack.FIRST; !Listpack.atEnd(lp, p); ) {
            int sp = Listpack.skip(lp, p);
            z.insert(Listpack.text(lp, p), lpScore(lp, sp));
            p = Listpack.skip(lp, sp);
        }
        zsl = z;
        lp = null;
        lpPairs = 0;
    }

    // ---- reads --------------------------------------------------------------------------------------------

    /** The member's score, or NaN when absent (a score is never NaN). */
    public double score(byte[] member) {
        if (lp != null) {
            int p = lpFind(member);
            return p < 0 ? Double.NaN : lpScore(lp, Listpack.skip(lp, p));
        }
        ZTree.Node n = zsl.find(member);
        return n == null ? Double.NaN : n.score;
    }

    /** The member's 0-based rank (from the highest score when reverse), or -1 when absent. */
    public long rank(byte[] member, boolean reverse) {
        long r;
        if (lp != null) {
            int p = lpFind(member);
            if (p < 0) return -1;
            r = 0;
            for (int q = Listpack.FIRST; q != p; q = Listpack.skip(lp, Listpack.skip(lp, q))) r++;
        } else {
            ZTree.Node n = zsl.find(member);
            if (n == null) return -1;
            r = zsl.rank(n) - 1;
        }
        return reverse ? size() - 1 - r : r;
    }

    /** Receives members with their scores. A member is {@code len} bytes of {@code b} from {@code off}. */
    public interface Sink {
        void accept(byte[] b, int off, int len, double score);
    }

    private void emitLp(int p, Sink sink) {
        double score = lpScore(lp, Listpack.skip(lp, p));
        if (Listpack.isString(lp, p)) {
            sink.accept(lp, Listpack.stringOffset(lp, p), Listpack.stringLength(lp, p), score);
        } else {
            byte[] d = Long.toString(Listpack.integer(lp, p)).getBytes(StandardCharsets.US_ASCII);
            sink.accept(d, 0, d.length, score);
        }
    }

    /** Every member in ascending order. */
    public void forEach(Sink sink) {
        if (lp != null) {
            for (int p = Listpack.FIRST; !Listpack.atEnd(lp, p); p = Listpack.skip(lp, Listpack.skip(lp, p))) emitLp(p, sink);
        } else {
            for (ZTree.Cursor x = zsl.cursor(0); x.valid(); x.next()) {
                ZTree.Node n = x.node();
                sink.accept(n.key, 0, n.key.length, n.score);
            }
        }
    }

    /** Members with 0-based ranks start..end (valid, inclusive), ascending, or descending ranks when reverse. */
    public void rangeByRank(long start, long end, boolean reverse, Sink sink) {
        long n = end - start + 1;
        if (lp != null) {
            int[] off = lpOffsets();
            for (long i = 0; i < n; i++) {
                int idx = (int) (reverse ? lpPairs - 1 - start - i : start + i);
                emitLp(off[idx], sink);
            }
            return;
        }
        ZTree.Cursor x = zsl.cursor(reverse ? zsl.size() - 1 - start : start);
        for (long i = 0; i < n && x.valid(); i++) {
            ZTree.Node m = x.node();
            sink.accept(m.key, 0, m.key.length, m.score);
            x.step(reverse);
        }
    }

    /** A member predicate over one entry, for the range walks of both encodings. */
    private interface InRange {
        boolean test(byte[] b, int off, int len, double score);
    }

    private static InRange of(ZScoreRange r, boolean upper) {
        return upper ? (b, off, len, s) -> r.lteMax(s) : (b, off, len, s) -> r.gteMin(s);
    }

    private static InRange of(ZLexRange r, boolean upper) {
        return upper ? (b, off, len, s) -> r.lteMax(b, off, len) : (b, off, len, s) -> r.gteMin(b, off, len);
    }

    /**
     * Members in a score range, ascending (descending from the top when reverse), after skipping offset of them
     * (a negative offset: none), at most limit (negative: all): genericZrangebyscoreCommand.
     */
    public void rangeByScore(ZScoreRange r, boolean reverse, long offset, long limit, Sink sink) {
        if (r.empty()) return;
        InRange lower = of(r, false), upper = of(r, true);
        if (zsl != null) {
            if (!zslInRange(lower, upper)) return;
            walk(zsl.cursor(reverse ? zsl.lastBelow(r.max, r.maxex) : zsl.firstAbove(r.min, r.minex)), reverse, offset, limit, lower, upper, sink);
        } else {
            walkLp(reverse, offset, limit, lower, upper, sink);
        }
    }

    /**
     * Members in a lex range, as {@link #rangeByScore}. Lex ranges assume equal scores; with mixed scores the
     * walks are Redis's own (a listpack's linear search, a skiplist's descent), as deterministic as Redis's.
     */
    public void rangeByLex(ZLexRange r, boolean reverse, long offset, long limit, Sink sink) {
        if (r.empty()) return;
        InRange lower = of(r, false), upper = of(r, true);
        if (zsl != null) {
            if (!zslInRange(lower, upper)) return;
            walk(zsl.cursor(reverse ? zsl.lastLexBelow(r) : zsl.firstLexAbove(r)), reverse, offset, limit, lower, upper, sink);
        } else {
            walkLp(reverse, offset, limit, lower, upper, sink);
        }
    }

    private static boolean test(InRange t, ZTree.Node x) {
        return t.test(x.key, 0, x.key.length, x.score);
    }

    /** zslIsInRange / zslIsInLexRange: the tail is at or above min and the head at or below max. */
    private boolean zslInRange(InRange lower, InRange upper) {
        ZTree.Node tail = zsl.last(), head = zsl.first();
        return tail != null && test(lower, tail) && test(upper, head);
    }

    /** zslFirstInRange's and zslLastInRange's final check, then the offset skip and the bounded walk. */
    private static void walk(ZTree.Cursor x, boolean reverse, long offset, long limit, InRange lower, InRange upper, Sink sink) {
        InRange start = reverse ? lower : upper, end = reverse ? lower : upper;
        if (!x.valid() || !test(start, x.node())) return;
        if (offset < 0) return;
        while (x.valid() && offset-- > 0) x.step(reverse);
        while (x.valid() && limit-- != 0) {
            ZTree.Node n = x.node();
            if (!test(end, n)) break;
            sink.accept(n.key, 0, n.key.length, n.score);
            x.step(reverse);
        }
    }

    private boolean lpTest(InRange t, int p) {
        boolean[] in = new boolean[1];
        emitLp(p, (b, o, len, s) -> in[0] = t.test(b, o, len, s));
        return in[0];
    }

    /** zzlFirstInRange / zzlFirstInLexRange: index of the first member at or above min, if at or below max; -1. */
    private int lpFirstIn(int[] off, InRange lower, InRange upper) {
        int n = off.length;
        if (n == 0 || !lpTest(lower, off[n - 1]) || !lpTest(upper, off[0])) return -1;
        for (int i = 0; i < n; i++) {
            if (lpTest(lower, off[i])) return lpTest(upper, off[i]) ? i : -1;
        }
        return -1;
    }

    /** zzlLastInRange / zzlLastInLexRange. */
    private int lpLastIn(int[] off, InRange lower, InRange upper) {
        int n = off.length;
        if (n == 0 || !lpTest(lower, off[n - 1]) || !lpTest(upper, off[0])) return -1;
        for (int i = n - 1; i >= 0; i--) {
            if (lpTest(upper, off[i])) return lpTest(lower, off[i]) ? i : -1;
        }
        return -1;
    }

    private void walkLp(boolean reverse, long offset, long limit, InRange lower, InRange upper, Sink sink) {
        int[] off = lpOffsets();
        int i = reverse ? lpLastIn(off, lower, upper) : lpFirstIn(off, lower, upper);
        if (i < 0 || offset < 0) return;
        InRange end = reverse ? lower : upper;
        int step = reverse ? -1 : 1;
        while (i >= 0 && i < off.length && offset-- > 0) i += step;
        while (i >= 0 && i < off.length && limit-- != 0) {
            if (!lpTest(end, off[i])) break;
            emitLp(off[i], sink);
            i += step;
        }
    }

    /** How many members a score range holds (zcountCommand). */
    public long count(ZScoreRange r) {
        if (r.empty()) return 0;
        InRange lower = of(r, false), upper = of(r, true);
        if (zsl != null) {
            if (!zslInRange(lower, upper)) return 0;
            return zslCount(zsl.firstAbove(r.min, r.minex), zsl.lastBelow(r.max, r.maxex), lower, upper);
        }
        return lpCount(lower, upper);
    }

    /** zlexcountCommand. */
    public long count(ZLexRange r) {
        if (r.empty()) return 0;
        InRange lower = of(r, false), upper = of(r, true);
        if (zsl != null) {
            if (!zslInRange(lower, upper)) return 0;
            return zslCount(zsl.firstLexAbove(r), zsl.lastLexBelow(r), lower, upper);
        }
        return lpCount(lower, upper);
    }

    /** zslGetRank of the first and the last member in range, by their indexes in the tree. */
    private long zslCount(long first, long last, InRange lower, InRange upper) {
        long size = zsl.size();
        if (first >= size || !test(upper, zsl.byRank(first + 1))) return 0;
        long count = size - first;
        if (last >= 0 && test(lower, zsl.byRank(last + 1))) count -= size - (last + 1);
        return count;
    }

    private long lpCount(InRange lower, InRange upper) {
        int[] off = lpOffsets();
        int i = lpFirstIn(off, lower, upper);
        if (i < 0) return 0;
        long c = 0;
        for (; i < off.length && lpTest(upper, off[i]); i++) c++;
        return c;
    }

    /** A random member (ZRANDMEMBER), uniform over members in the listpack, by hash bucket in the skiplist. */
    public void random(Sink sink) {
        if (lp != null) {
            int[] off = lpOffsets();
            emitLp(off[java.util.concurrent.ThreadLocalRandom.current().nextInt(off.length)], sink);
        } else {
            ZTree.Node n = zsl.table().random();
            sink.accept(n.key, 0, n.key.length, n.score);
        }
    }

    /** Every member, in a listpack's order or the skiplist's (ZRANDMEMBER's whole-set case). */
    public void randomDistinct(int count, Sink sink) {
        int n = size();
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        for (int i = 0; i < count; i++) {
            int j = i + r.nextInt(n - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        int[] chosen = Arrays.copyOf(idx, count);
        if (lp != null) {
            int[] off = lpOffsets();
            for (int c : chosen) emitLp(off[c], sink);
        } else {
            for (int c : chosen) {
                ZTree.Node x = zsl.byRank(c + 1);
                sink.accept(x.key, 0, x.key.length, x.score);
            }
        }
    }

    /** ZSCAN's walk: a listpack whole (cursor 0), a skiplist by hash buckets. Returns the next cursor. */
    public long scan(long cursor, Sink sink) {
        if (lp != null) {
            forEach(sink);
            return 0;
        }
        return zsl.table().scan(cursor, n -> sink.accept(n.key, 0, n.key.length, n.score));
    }

    // ---- writes: the only paths that change a sorted set -----------------------------------------------------

    /**
     * Redis's zsetAdd: adds or updates a member per the flags; returns false (OUT_NAN in the flags) when an
     * increment makes NaN. The resulting score is in {@link #newScore()}; the flags are returned in bits of the
     * result shifted: {@code outFlags()}.
     */
    public int add(byte[] member, double score, int in, int maxEntries, int maxValue) {
        boolean incr = (in & IN_INCR) != 0, nx = (in & IN_NX) != 0, xx = (in & IN_XX) != 0;
        boolean gt = (in & IN_GT) != 0, lt = (in & IN_LT) != 0;
        if (Double.isNaN(score)) return OUT_NAN;
        if (lp != null) {
            int p = lpFind(member);
            if (p >= 0) {
                if (nx) return OUT_NOP;
                double cur = lpScore(lp, Listpack.skip(lp, p));
                if (incr) {
                    score += cur;
                    if (Double.isNaN(score)) return OUT_NAN;
                }
                if ((lt && score >= cur) || (gt && score <= cur)) return OUT_NOP;
                newScore = score;
                if (score != cur) {
                    lpDeletePairs(p, Listpack.skip(lp, Listpack.skip(lp, p)), 1);
                    lpInsert(member, score);
                    return OUT_UPDATED;
                }
                return 0;
            } else if (!xx) {
                if (lpPairs + 1 > maxEntries || member.length > maxValue) {
                    convertToSkiplist();
                } else {
                    lpInsert(member, score);
                    newScore = score;
                    return OUT_ADDED;
                }
            } else {
                return OUT_NOP;
            }
        }
        ZTree.Node n = zsl.find(member);
        if (n != null) {
            if (nx) return OUT_NOP;
            double cur = n.score;
            if (incr) {
                score += cur;
                if (Double.isNaN(score)) return OUT_NAN;
            }
            if ((lt && score >= cur) || (gt && score <= cur)) return OUT_NOP;
            newScore = score;
            if (score != cur) {
                zsl.updateScore(n, score);
                return OUT_UPDATED;
            }
            return 0;
        } else if (!xx) {
            zsl.insert(member, score);
            newScore = score;
            return OUT_ADDED;
        }
        return OUT_NOP;
    }

    /** Removes a member; true when it was there. */
    public boolean remove(byte[] member) {
        if (lp != null) {
            int p = lpFind(member);
            if (p < 0) return false;
            lpDeletePairs(p, Listpack.skip(lp, Listpack.skip(lp, p)), 1);
            return true;
        }
        return zsl.remove(member) != null;
    }

    /** Removes the members with 0-based ranks start..end (valid, inclusive); returns how many. */
    public long removeRange(long start, long end) {
        long n = end - start + 1;
        if (lp != null) {
            int[] off = lpOffsets();
            int from = off[(int) start];
            int to = end + 1 < lpPairs ? off[(int) end + 1] : lp.length - 1;
            lpDeletePairs(from, to, (int) n);
            return n;
        }
        removeAll(zsl.cursor(start), n, null);
        return n;
    }

    /** Removes the members of a score range; returns how many. */
    public long removeRange(ZScoreRange r) {
        return removeMatching(of(r, false), of(r, true), r.empty());
    }

    public long removeRange(ZLexRange r) {
        return removeMatching(of(r, false), of(r, true), r.empty());
    }

    private long removeMatching(InRange lower, InRange upper, boolean empty) {
        if (lp != null) {
            // zzlDeleteRangeByScore / ByLex: from zzlFirstIn*Range while at or below max
            if (empty) return 0;
            int[] off = lpOffsets();
            int first = lpFirstIn(off, lower, upper);
            if (first < 0) return 0;
            int last = first;
            while (last + 1 < off.length && lpTest(upper, off[last + 1])) last++;
            return removeRange(first, last);
        }
        // zslDeleteRangeByScore / ByLex: past the members below min, then while at or below max
        if (empty) return 0;
        ZTree.Cursor x = zsl.cursor(zsl.firstIndex((s, m) -> !lower.test(m, 0, m.length, s)));
        return removeAll(x, Long.MAX_VALUE, upper);
    }

    /** Removes up to n members from the cursor on, while they are within upper (null: no bound); returns how many. */
    private long removeAll(ZTree.Cursor x, long n, InRange upper) {
        // the cursor is not valid across removals: collect the nodes, then remove them
        java.util.ArrayList<ZTree.Node> doomed = new java.util.ArrayList<>();
        for (long i = 0; i < n && x.valid(); i++, x.next()) {
            ZTree.Node m = x.node();
            if (upper != null && !test(upper, m)) break;
            doomed.add(m);
        }
        for (ZTree.Node m : doomed) zsl.remove(m);
        return doomed.size();
    }

    /**
     * Pops the lowest (or highest) member: hands it to the sink, then removes it. Empty: nothing. The hot path
     * of ZPOPMIN: on a skiplist the member's bytes are handed over straight from the node.
     */
    public void pop(boolean max, Sink sink) {
        if (lp != null) {
            if (lpPairs == 0) return;
            int p;
            if (max) {
                int[] off = lpOffsets();
                p = off[off.length - 1];
            } else {
                p = Listpack.FIRST;
            }
            emitLp(p, sink);
            lpDeletePairs(p, Listpack.skip(lp, Listpack.skip(lp, p)), 1);
            return;
        }
        ZTree.Node x = max ? zsl.last() : zsl.first();
        if (x == null) return;
        sink.accept(x.key, 0, x.key.length, x.score);
        zsl.remove(x);
    }

    /**
     * A sorted set holding the given members in the encoding a *STORE result gets (zsetConvertToListpackIfNeeded):
     * listpack when it has at most maxEntries members none longer than maxValue bytes. Members are distinct.
     */
    public static ZSetValue build(ZTree members, int maxEntries, int maxValue) {
        int maxLen = 0;
        for (ZTree.Cursor x = members.cursor(0); x.valid(); x.next()) maxLen = Math.max(maxLen, x.node().key.length);
        if (members.size() <= maxEntries && maxLen <= maxValue) {
            Listpack l = new Listpack();
            for (ZTree.Cursor x = members.cursor(0); x.valid(); x.next()) {
                ZTree.Node n = x.node();
                l.append(n.key);
                appendScore(l, n.score);
            }
            return new ZSetValue(l.toBytes(), members.size(), null);
        }
        return new ZSetValue(null, 0, members);
    }
}
