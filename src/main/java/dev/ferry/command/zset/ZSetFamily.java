package dev.ferry.command.zset;

import dev.ferry.command.keys.KeyFamily;
import dev.ferry.command.keys.ScanOptions;
import dev.ferry.engine.*;
import dev.ferry.protocol.Ascii;
import dev.ferry.protocol.Reply;
import dev.ferry.store.Database;
import dev.ferry.store.Dict;
import dev.ferry.store.Glob;
import dev.ferry.store.SetValue;
import dev.ferry.store.ZLexRange;
import dev.ferry.store.ZScoreRange;
import dev.ferry.store.ZSetValue;
import dev.ferry.store.ZTree;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.ferry.engine.CommandFlags.*;

/**
 * The sorted-set commands (Redis 7.0's t_zset.c), with its argument order, error words, reply shapes in RESP2
 * and RESP3, each propagated as itself. The pops are in {@link ZPopFamily}; union, intersection and difference
 * (which read sorted sets and plain sets, every member scoring 1) in {@link ZSetAlgebraFamily}.
 */
public final class ZSetFamily implements CommandFamily {

    private static final String NAN_ERR = "ERR resulting score is not a number (NaN)";
    static final ReplyError POSITIVE = new ReplyError("ERR value is out of range, must be positive");

    private static final int RANK = 0, SCORE = 1, LEX = 2, AUTO = -1;

    /** Writes popped or ranged members to the reply; reused (one executing thread), so popping allocates nothing. */
    private final ReplySink out = new ReplySink();

    @Override
    public void register(CommandTable t) {
        t.add("zadd", -4, WRITE | DENYOOM | FAST, 1, 1, 1, "sorted-set", c -> zadd(c, 0));
        t.add("zincrby", 4, WRITE | DENYOOM | FAST, 1, 1, 1, "sorted-set", c -> zadd(c, ZSetValue.IN_INCR));
        t.add("zrem", -3, WRITE | FAST, 1, 1, 1, "sorted-set", this::zrem);
        t.add("zcard", 2, READONLY | FAST, 1, 1, 1, "sorted-set", this::zcard);
        t.add("zcount", 4, READONLY | FAST, 1, 1, 1, "sorted-set", this::zcount);
        t.add("zlexcount", 4, READONLY | FAST, 1, 1, 1, "sorted-set", this::zlexcount);
        t.add("zscore", 3, READONLY | FAST, 1, 1, 1, "sorted-set", this::zscore);
        t.add("zmscore", -3, READONLY | FAST, 1, 1, 1, "sorted-set", this::zmscore);
        t.add("zrank", 3, READONLY | FAST, 1, 1, 1, "sorted-set", c -> zrank(c, false));
        t.add("zrevrank", 3, READONLY | FAST, 1, 1, 1, "sorted-set", c -> zrank(c, true));
        t.add("zrange", -4, READONLY, 1, 1, 1, "sorted-set", c -> zrange(c, 1, false, AUTO, false));
        t.add("zrangestore", -5, WRITE | DENYOOM, 1, 2, 1, "sorted-set", c -> zrange(c, 2, true, AUTO, false));
        t.add("zrevrange", -4, READONLY, 1, 1, 1, "sorted-set", c -> zrange(c, 1, false, RANK, true));
        t.add("zrangebyscore", -4, READONLY, 1, 1, 1, "sorted-set", c -> zrange(c, 1, false, SCORE, false));
        t.add("zrevrangebyscore", -4, READONLY, 1, 1, 1, "sorted-set", c -> zrange(c, 1, false, SCORE, true));
        t.add("zrangebylex", -4, READONLY, 1, 1, 1, "sorted-set", c -> zrange(c, 1, false, LEX, false));
        t.add("zrevrangebylex", -4, READONLY, 1, 1, 1, "sorted-set", c -> zrange(c, 1, false, LEX, true));
        t.add("zremrangebyrank", 4, WRITE, 1, 1, 1, "sorted-set", c -> zremrange(c, RANK));
        t.add("zremrangebyscore", 4, WRITE, 1, 1, 1, "sorted-set", c -> zremrange(c, SCORE));
        t.add("zremrangebylex", 4, WRITE, 1, 1, 1, "sorted-set", c -> zremrange(c, LEX));
        t.add("zrandmember", -2, READONLY, 1, 1, 1, "sorted-set", this::zrandmember);
        t.add("zscan", -3, READONLY, 1, 1, 1, "sorted-set", this::zscan);
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    private static int maxEntries(Call c) {
        return (int) Math.min(Integer.MAX_VALUE, c.server.settings().zsetMaxListpackEntries);
    }

    private static int maxValue(Call c) {
        return (int) Math.min(Integer.MAX_VALUE, c.server.settings().zsetMaxListpackValue);
    }

    /** The sorted set under key for reading; null when absent; WRONGTYPE for another type. */
    static ZSetValue read(Call c, byte[] key) {
        Dict.Entry e = c.db().lookupRead(key);
        if (e == null) return null;
        if (e.value() instanceof ZSetValue z) return z;
        throw Errors.wrongType();
    }

    /** A reply sink: member, then the score when asked, as a pair array in RESP3 when pairs is set. */
    static final class ReplySink implements ZSetValue.Sink {
        Reply reply;
        boolean withScores, pairs;

        ReplySink to(Reply r, boolean withScores, boolean pairs) {
            this.reply = r;
            this.withScores = withScores;
            this.pairs = pairs;
            return this;
        }

        @Override
        public void accept(byte[] b, int off, int len, double score) {
            if (pairs) reply.array(2);
            reply.bulk(b, off, len);
            if (withScores) reply.dbl(score);
        }
    }

    /** Collects members (copied) and scores, for replies whose length is known only at the end. */
    static final class Collector implements ZSetValue.Sink {
        final List<byte[]> members = new ArrayList<>();
        double[] scores = new double[16];

        @Override
        public void accept(byte[] b, int off, int len, double score) {
            if (members.size() == scores.length) scores = Arrays.copyOf(scores, scores.length * 2);
            scores[members.size()] = score;
            members.add(Arrays.copyOfRange(b, off, off + len));
        }

        int size() {
            return members.size();
        }

        void reply(Reply r, boolean withScores) {
            int n = members.size();
            boolean pairs = withScores && r.resp3();
            r.array(withScores && !pairs ? n * 2 : n);
            for (int i = 0; i < n; i++) {
                if (pairs) r.array(2);
                r.bulk(members.get(i));
                if (withScores) r.dbl(scores[i]);
            }
        }
    }

    // ---- ZADD / ZINCRBY ----------------------------------------------------------------------------------

    private void zadd(Call c, int flags) {
        int scoreIdx = 2;
        boolean ch = false;
        while (scoreIdx < c.argc()) {
            if (c.argIs(scoreIdx, "nx")) flags |= ZSetValue.IN_NX;
            else if (c.argIs(scoreIdx, "xx")) flags |= ZSetValue.IN_XX;
            else if (c.argIs(scoreIdx, "ch")) ch = true;
            else if (c.argIs(scoreIdx, "incr")) flags |= ZSetValue.IN_INCR;
            else if (c.argIs(scoreIdx, "gt")) flags |= ZSetValue.IN_GT;
            else if (c.argIs(scoreIdx, "lt")) flags |= ZSetValue.IN_LT;
            else break;
            scoreIdx++;
        }
        boolean incr = (flags & ZSetValue.IN_INCR) != 0, nx = (flags & ZSetValue.IN_NX) != 0;
        boolean xx = (flags & ZSetValue.IN_XX) != 0, gt = (flags & ZSetValue.IN_GT) != 0, lt = (flags & ZSetValue.IN_LT) != 0;
        int elements = c.argc() - scoreIdx;
        if (elements % 2 != 0 || elements == 0) throw Errors.syntax();
        elements /= 2;
        if (nx && xx) throw new ReplyError("ERR XX and NX options at the same time are not compatible");
        if ((gt && nx) || (lt && nx) || (gt && lt)) {
            throw new ReplyError("ERR GT, LT, and/or NX options at the same time are not compatible");
        }
        if (incr && elements > 1) throw new ReplyError("ERR INCR option supports a single increment-element pair");
        double first = ZScores.parseScore(c.arg(scoreIdx));
        double[] scores = null;
        if (elements > 1) {
            scores = new double[elements];
            scores[0] = first;
            for (int j = 1; j < elements; j++) scores[j] = ZScores.parseScore(c.arg(scoreIdx + j * 2));
        }
        byte[] key = c.arg(1);
        Database db = c.db();
        Dict.Entry e = db.lookupForWrite(key);
        ZSetValue z;
        long added = 0, updated = 0, processed = 0;
        double score = first;
        if (e == null) {
            if (xx) {
                replyZadd(c, incr, ch, 0, 0, 0, score);
                return;
            }
            z = ZSetValue.forFirstMember(c.arg(scoreIdx + 1).length, maxEntries(c), maxValue(c));
            e = db.add(key, z);
        } else {
            if (!(e.value() instanceof ZSetValue v)) throw Errors.wrongType();
            z = v;
        }
        int maxEntries = maxEntries(c), maxValue = maxValue(c);
        for (int j = 0; j < elements; j++) {
            double s = scores == null ? first : scores[j];
            int r = z.add(c.arg(scoreIdx + 1 + j * 2), s, flags, maxEntries, maxValue);
            if ((r & ZSetValue.OUT_NAN) != 0) {
                if (added + updated > 0) {
                    db.replaceValue(e, z);
                    c.keyspace().dirty(added + updated);
                }
                throw new ReplyError(NAN_ERR);
            }
            if ((r & ZSetValue.OUT_ADDED) != 0) added++;
            if ((r & ZSetValue.OUT_UPDATED) != 0) updated++;
            if ((r & ZSetValue.OUT_NOP) == 0) processed++;
            score = z.newScore();
        }
        if (added + updated > 0) db.replaceValue(e, z);
        c.keyspace().dirty(added + updated);
        replyZadd(c, incr, ch, added, updated, processed, score);
    }

    private static void replyZadd(Call c, boolean incr, boolean ch, long added, long updated, long processed, double score) {
        if (incr) {
            if (processed > 0) c.reply.dbl(score);
            else c.reply.nullBulk();
        } else {
            c.reply.integer(ch ? added + updated : added);
        }
    }

    // ---- simple reads and ZREM ------------------------------------------------------------------------------

    private void zrem(Call c) {
        byte[] key = c.arg(1);
        Database db = c.db();
        Dict.Entry e = db.lookupForWrite(key);
        if (e == null) {
            c.reply.integer(0);
            return;
        }
        if (!(e.value() instanceof ZSetValue z)) throw Errors.wrongType();
        long deleted = 0;
        boolean keyRemoved = false;
        for (int j = 2; j < c.argc(); j++) {
            if (z.remove(c.arg(j))) deleted++;
            if (z.size() == 0) {
                db.delete(key);
                keyRemoved = true;
                break;
            }
        }
        if (deleted > 0 && !keyRemoved) db.replaceValue(e, z);
        c.keyspace().dirty(deleted);
        c.reply.integer(deleted);
    }

    private void zcard(Call c) {
        ZSetValue z = read(c, c.arg(1));
        c.reply.integer(z == null ? 0 : z.size());
    }

    private void zcount(Call c) {
        ZScoreRange r = ZScores.parseScoreRange(c.arg(2), c.arg(3));
        ZSetValue z = read(c, c.arg(1));
        c.reply.integer(z == null ? 0 : z.count(r));
    }

    private void zlexcount(Call c) {
        ZLexRange r = ZScores.parseLexRange(c.arg(2), c.arg(3));
        ZSetValue z = read(c, c.arg(1));
        c.reply.integer(z == null ? 0 : z.count(r));
    }

    private void zscore(Call c) {
        ZSetValue z = read(c, c.arg(1));
        double s = z == null ? Double.NaN : z.score(c.arg(2));
        if (Double.isNaN(s)) c.reply.nullBulk();
        else c.reply.dbl(s);
    }

    private void zmscore(Call c) {
        ZSetValue z = read(c, c.arg(1));
        c.reply.array(c.argc() - 2);
        for (int j = 2; j < c.argc(); j++) {
            double s = z == null ? Double.NaN : z.score(c.arg(j));
            if (Double.isNaN(s)) c.reply.nullBulk();
            else c.reply.dbl(s);
        }
    }

    private void zrank(Call c, boolean reverse) {
        ZSetValue z = read(c, c.arg(1));
        long r = z == null ? -1 : z.rank(c.arg(2), reverse);
        if (r < 0) c.reply.nullBulk();
        else c.reply.integer(r);
    }

    // ---- ZRANGE and its variants ------------------------------------------------------------------------------

    /** zrangeGenericCommand: argStart is the source key's index. */
    private void zrange(Call c, int argStart, boolean store, int type, boolean reverseFixed) {
        int minIdx = argStart + 1, maxIdx = argStart + 2;
        boolean withScores = false;
        long offset = 0, limit = -1;
        boolean autoDirection = !reverseFixed && type == AUTO;
        boolean reverse = reverseFixed;
        boolean autoType = type == AUTO;
        for (int j = argStart + 3; j < c.argc(); j++) {
            int left = c.argc() - j - 1;
            if (!store && c.argIs(j, "withscores")) {
                withScores = true;
            } else if (c.argIs(j, "limit") && left >= 2) {
                offset = c.longArg(j + 1);
                limit = c.longArg(j + 2);
                j += 2;
            } else if (autoDirection && c.argIs(j, "rev")) {
                reverse = true;
            } else if (autoType && type == AUTO && c.argIs(j, "bylex")) {
                type = LEX;
            } else if (autoType && type == AUTO && c.argIs(j, "byscore")) {
                type = SCORE;
            } else {
                throw Errors.syntax();
            }
        }
        if (type == AUTO) type = RANK;
        if (limit != -1 && type == RANK) {
            throw new ReplyError("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
        }
        if (withScores && type == LEX) {
            throw new ReplyError("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        }
        if (reverse && type != RANK) {
            int t = maxIdx;
            maxIdx = minIdx;
            minIdx = t;
        }
        long start = 0, end = 0;
        ZScoreRange sr = null;
        ZLexRange lr = null;
        if (type == RANK) {
            start = c.longArg(minIdx);
            end = c.longArg(maxIdx);
        } else if (type == SCORE) {
            sr = ZScores.parseScoreRange(c.arg(minIdx), c.arg(maxIdx));
        } else {
            lr = ZScores.parseLexRange(c.arg(minIdx), c.arg(maxIdx));
        }
        ZSetValue z = read(c, c.arg(argStart));
        if (store) {
            // zrangeResultBeginStore: a listpack unless a rank range is known to be longer than the threshold,
            // then zsetAdd member by member, converting where it would (a -0 score written to the listpack
            // before a conversion reads back as 0, as in Redis)
            int entries = maxEntries(c), value = maxValue(c);
            long hint = -1;
            if (z != null && type == RANK) hint = rankLength(z.size(), start, end);
            ZSetValue dst = hint > entries ? ZSetValue.emptySkiplist() : ZSetValue.emptyListpack();
            if (z != null) collect(z, type, start, end, reverse, sr, lr, offset, limit, (b, off, len, s) ->
                dst.add(Arrays.copyOfRange(b, off, off + len), s, 0, entries, value));
            Database db = c.db();
            if (dst.size() > 0) {
                db.set(c.arg(1), dst, false);
                c.keyspace().dirty(1);
                c.reply.integer(dst.size());
            } else {
                if (db.delete(c.arg(1))) c.keyspace().dirty(1);
                c.reply.integer(0);
            }
            return;
        }
        if (z == null) {
            c.reply.array(0);
            return;
        }
        if (type == RANK) {
            long llen = z.size();
            if (start < 0) start = llen + start;
            if (end < 0) end = llen + end;
            if (start < 0) start = 0;
            if (start > end || start >= llen) {
                c.reply.array(0);
                return;
            }
            if (end >= llen) end = llen - 1;
            long n = end - start + 1;
            boolean pairs = withScores && c.reply.resp3();
            c.reply.array((int) (withScores && !pairs ? n * 2 : n));
            z.rangeByRank(start, end, reverse, out.to(c.reply, withScores, pairs));
            return;
        }
        Collector col = new Collector();
        collect(z, type, start, end, reverse, sr, lr, offset, limit, col);
        col.reply(c.reply, withScores);
    }

    private static long rankLength(long llen, long start, long end) {
        if (start < 0) start = llen + start;
        if (end < 0) end = llen + end;
        if (start < 0) start = 0;
        if (start > end || start >= llen) return 0;
        if (end >= llen) end = llen - 1;
        return end - start + 1;
    }

    private static void collect(ZSetValue z, int type, long start, long end, boolean reverse, ZScoreRange sr,
                                ZLexRange lr, long offset, long limit, ZSetValue.Sink sink) {
        if (type == RANK) {
            long llen = z.size();
            if (start < 0) start = llen + start;
            if (end < 0) end = llen + end;
            if (start < 0) start = 0;
            if (start > end || start >= llen) return;
            if (end >= llen) end = llen - 1;
            z.rangeByRank(start, end, reverse, sink);
        } else if (type == SCORE) {
            z.rangeByScore(sr, reverse, offset, limit, sink);
        } else {
            z.rangeByLex(lr, reverse, offset, limit, sink);
        }
    }

    /** A *STORE result: the destination is replaced (TTL dropped), or deleted when the result is empty. */
    static void storeResult(Call c, byte[] dst, ZTree result) {
        Database db = c.db();
        if (result.size() > 0) {
            db.set(dst, ZSetValue.build(result, maxEntries(c), maxValue(c)), false);
            c.keyspace().dirty(1);
            c.reply.integer(result.size());
        } else {
            if (db.delete(dst)) c.keyspace().dirty(1);
            c.reply.integer(0);
        }
    }

    // ---- ZREMRANGEBY* -------------------------------------------------------------------------------------------

    private void zremrange(Call c, int type) {
        long start = 0, end = 0;
        ZScoreRange sr = null;
        ZLexRange lr = null;
        if (type == RANK) {
            start = c.longArg(2);
            end = c.longArg(3);
        } else if (type == SCORE) {
            sr = ZScores.parseScoreRange(c.arg(2), c.arg(3));
        } else {
            lr = ZScores.parseLexRange(c.arg(2), c.arg(3));
        }
        byte[] key = c.arg(1);
        Database db = c.db();
        Dict.Entry e = db.lookupForWrite(key);
        if (e == null) {
            c.reply.integer(0);
            return;
        }
        if (!(e.value() instanceof ZSetValue z)) throw Errors.wrongType();
        long deleted;
        if (type == RANK) {
            long llen = z.size();
            if (start < 0) start = llen + start;
            if (end < 0) end = llen + end;
            if (start < 0) start = 0;
            if (start > end || start >= llen) {
                c.reply.integer(0);
                return;
            }
            if (end >= llen) end = llen - 1;
            deleted = z.removeRange(start, end);
        } else if (type == SCORE) {
            deleted = z.removeRange(sr);
        } else {
            deleted = z.removeRange(lr);
        }
        if (deleted > 0) {
            if (z.size() == 0) db.delete(key);
            else db.replaceValue(e, z);
        }
        c.keyspace().dirty(deleted);
        c.reply.integer(deleted);
    }

    // ---- ZRANDMEMBER, ZSCAN -------------------------------------------------------------------------------------

    private void zrandmember(Call c) {
        if (c.argc() >= 3) {
            long l = c.longArg(2);
            if (l == Long.MIN_VALUE) {
                throw new ReplyError("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
            }
            boolean withScores = false;
            if (c.argc() > 4 || (c.argc() == 4 && !c.argIs(3, "withscores"))) throw Errors.syntax();
            if (c.argc() == 4) {
                withScores = true;
                if (l < -Long.MAX_VALUE / 2 || l > Long.MAX_VALUE / 2) throw new ReplyError("ERR value is out of range");
            }
            withCount(c, l, withScores);
            return;
        }
        ZSetValue z = read(c, c.arg(1));
        if (z == null) {
            c.reply.nullBulk();
            return;
        }
        z.random(out.to(c.reply, false, false));
    }

    private void withCount(Call c, long l, boolean withScores) {
        ZSetValue z = read(c, c.arg(1));
        if (z == null) {
            c.reply.array(0);
            return;
        }
        long size = z.size();
        boolean uniq = l >= 0;
        long count = uniq ? l : -l;
        if (count == 0) {
            c.reply.array(0);
            return;
        }
        boolean pairs = withScores && c.reply.resp3();
        ReplySink sink = out.to(c.reply, withScores, pairs);
        if (!uniq || count == 1) {
            c.reply.array((int) (withScores && !pairs ? count * 2 : count));
            for (long i = 0; i < count; i++) z.random(sink);
            return;
        }
        long n = Math.min(count, size);
        c.reply.array((int) (withScores && !pairs ? n * 2 : n));
        // the whole set, from the highest score down, as Redis 7.0 answers it
        if (count >= size) z.rangeByRank(0, size - 1, true, sink);
        else z.randomDistinct((int) n, sink);
    }

    /** ZSCAN key cursor [MATCH pattern] [COUNT count]: scores as bulk strings (%.17g), in RESP3 too. */
    private void zscan(Call c) {
        long cursor = KeyFamily.parseCursor(c.arg(2));
        ZSetValue z = read(c, c.arg(1));
        if (z == null) {
            ScanOptions.replyEmpty(c.reply);
            return;
        }
        ScanOptions options = ScanOptions.parse(c, 3, false);
        long count = options.count;
        byte[] pattern = options.pattern;
        Collector found = new Collector();
        long maxIterations = count * 10;
        do {
            cursor = z.scan(cursor, found);
        } while (cursor != 0 && maxIterations-- != 0 && found.size() < count);
        List<byte[]> items = new ArrayList<>();
        for (int i = 0; i < found.size(); i++) {
            byte[] m = found.members.get(i);
            if (pattern != null && !Glob.matches(pattern, m)) continue;
            items.add(m);
            // a listpack hands out its score entry as stored (an integer's digits), a skiplist formats %.17g
            double sc = found.scores[i];
            items.add(z.isListpack() && ZSetValue.storedAsInteger(sc) ? Ascii.toBytes((long) sc)
                : Ascii.bytes(Reply.Doubles.format(sc)));
        }
        c.reply.array(2);
        c.reply.bulk(Ascii.toBytes(cursor));
        c.reply.bulks(items);
    }
}
