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
import dev.ferry.store.ZSetValue;
import dev.ferry.store.ZTree;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.ferry.engine.CommandFlags.*;

/**
 * ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD (Redis 7.0's zunionInterDiffGenericCommand): sorted
 * sets and plain sets (every member scoring 1) as sources, WEIGHTS, AGGREGATE SUM/MIN/MAX, WITHSCORES, LIMIT.
 */
public final class ZSetAlgebraFamily implements CommandFamily {
    private static final int UNION = 0, INTER = 1, DIFF = 2;
    /** Reused for every reply: the executing loop runs one command at a time. */
    private final ZSetFamily.ReplySink out = new ZSetFamily.ReplySink();

    @Override
    public void register(CommandTable t) {
        t.add("zunion", -3, READONLY, 0, 0, 0, "sorted-set", c -> setop(c, 1, UNION, false, false));
        t.add("zinter", -3, READONLY, 0, 0, 0, "sorted-set", c -> setop(c, 1, INTER, false, false));
        t.add("zdiff", -3, READONLY, 0, 0, 0, "sorted-set", c -> setop(c, 1, DIFF, false, false));
        t.add("zunionstore", -4, WRITE | DENYOOM, 1, 1, 1, "sorted-set", c -> setop(c, 2, UNION, true, false));
        t.add("zinterstore", -4, WRITE | DENYOOM, 1, 1, 1, "sorted-set", c -> setop(c, 2, INTER, true, false));
        t.add("zdiffstore", -4, WRITE | DENYOOM, 1, 1, 1, "sorted-set", c -> setop(c, 2, DIFF, true, false));
        t.add("zintercard", -3, READONLY, 0, 0, 0, "sorted-set", c -> setop(c, 1, INTER, false, true));
    }

    // ---- ---------------------------------------------------------

    private void setop(Call c, int numkeysIdx, int op, boolean store, boolean cardinalityOnly) {
        long setnum = c.longArg(numkeysIdx);
        if (setnum < 1) {
            throw new ReplyError("ERR at least 1 input key is needed for '" + c.spec().fullName + "' command");
        }
        if (setnum > c.argc() - (numkeysIdx + 1)) throw Errors.syntax();
        int n = (int) setnum;
        Source[] src = new Source[n];
        double[] weight = new double[n];
        int j = numkeysIdx + 1;
        for (int i = 0; i < n; i++, j++) {
            src[i] = source(c, c.arg(j));
            weight[i] = 1.0;
        }
        int aggregate = 0; // 0 sum, 1 min, 2 max
        boolean withScores = false;
        long limit = 0;
        int remaining = c.argc() - j;
        while (remaining > 0) {
            if (op != DIFF && !cardinalityOnly && remaining >= n + 1 && c.argIs(j, "weights")) {
                j++;
                remaining--;
                for (int i = 0; i < n; i++, j++, remaining--) {
                    byte[] a = c.arg(j);
                    double w;
                    try {
                        w = ZScores.parseScore(a);
                    } catch (ReplyError err) {
                        throw new ReplyError("ERR weight value is not a float");
                    }
                    weight[i] = w;
                }
            } else if (op != DIFF && !cardinalityOnly && remaining >= 2 && c.argIs(j, "aggregate")) {
                j++;
                remaining--;
                if (c.argIs(j, "sum")) aggregate = 0;
                else if (c.argIs(j, "min")) aggregate = 1;
                else if (c.argIs(j, "max")) aggregate = 2;
                else throw Errors.syntax();
                j++;
                remaining--;
            } else if (remaining >= 1 && !store && !cardinalityOnly && c.argIs(j, "withscores")) {
                j++;
                remaining--;
                withScores = true;
            } else if (cardinalityOnly && remaining >= 2 && c.argIs(j, "limit")) {
                j++;
                remaining--;
                limit = c.longArg(j, "ERR LIMIT can't be negative");
                if (limit < 0) throw new ReplyError("ERR LIMIT can't be negative");
                j++;
                remaining--;
            } else {
                throw Errors.syntax();
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (op != DIFF) Arrays.sort(order, (a, b) -> Integer.compare(size(src[a]), size(src[b])));

        ZTree dst = new ZTree();
        long cardinality = 0;
        if (op == INTER) {
            Source first = src[order[0]];
            if (size(first) > 0) {
                ZSetFamily.Collector all = new ZSetFamily.Collector();
                first.forEach(all);
                for (int k = 0; k < all.size(); k++) {
                    byte[] m = all.members.get(k);
                    double score = weight[order[0]] * all.scores[k];
                    if (Double.isNaN(score)) score = 0;
                    int i;
                    for (i = 1; i < n; i++) {
                        Source other = src[order[i]];
                        double v = other.value() == first.value() ? all.scores[k] : other.score(m);
                        if (Double.isNaN(v)) break;
                        score = aggregate(score, v * weight[order[i]], aggregate);
                    }
                    if (i < n) continue;
                    if (cardinalityOnly) {
                        cardinality++;
                        if (limit > 0 && cardinality >= limit) break;
                    } else {
                        dst.insert(m, score);
                    }
                }
            }
        } else if (op == UNION) {
            for (int i = 0; i < n; i++) {
                Source s = src[order[i]];
                if (s == null) continue;
                double w = weight[order[i]];
                ZSetFamily.Collector all = new ZSetFamily.Collector();
                s.forEach(all);
                for (int k = 0; k < all.size(); k++) {
                    byte[] m = all.members.get(k);
                    double score = w * all.scores[k];
                    if (Double.isNaN(score)) score = 0;
                    ZTree.Node existing = dst.find(m);
                    if (existing == null) {
                        dst.insert(m, score);
                    } else {
                        double agg = aggregate(existing.score, score, aggregate);
                        if (agg != existing.score || Double.doubleToRawLongBits(agg) != Double.doubleToRawLongBits(existing.score)) {
                            dst.updateScore(existing, agg);
                        }
                    }
                }
            }
        } else {
            Source first = src[0];
            if (size(first) > 0) {
                ZSetFamily.Collector all = new ZSetFamily.Collector();
                first.forEach(all);
                for (int k = 0; k < all.size(); k++) {
                    byte[] m = all.members.get(k);
                    boolean found = false;
                    for (int i = 1; i < n && !found; i++) {
                        if (src[i] != null && !Double.isNaN(src[i].score(m))) found = true;
                    }
                    if (!found) dst.insert(m, all.scores[k]);
                }
            }
        }
        if (store) {
            ZSetFamily.storeResult(c, c.arg(1), dst);
        } else if (cardinalityOnly) {
            c.reply.integer(cardinality);
        } else {
            long len = dst.size();
            boolean pairs = withScores && c.reply.resp3();
            c.reply.array((int) (withScores && !pairs ? len * 2 : len));
            ZSetFamily.ReplySink sink = out.to(c.reply, withScores, pairs);
            for (ZTree.Cursor x = dst.cursor(0); x.valid(); x.next()) {
                ZTree.Node m = x.node();
                sink.accept(m.member(), 0, m.member().length, m.score);
            }
        }
    }

    private static int size(Source z) {
        return z == null ? 0 : z.size();
    }

    /**
     * A source of union, intersection or difference: a sorted set, or a plain set whose members all score 1
     * (Redis 7.0's zuiInitIterator over OBJ_SET, intset or hashtable).
     */
    private interface Source {
        int size();

        /** Visits every member with its score. */
        void forEach(ZSetValue.Sink sink);

        /** The member's score, NaN when absent. */
        double score(byte[] member);

        /** The stored value (the same key given twice is the same source). */
        Object value();
    }

    private record ZSetSource(ZSetValue value) implements Source {
        public int size() { return value.size(); }
        public void forEach(ZSetValue.Sink sink) { value.forEach(sink); }
        public double score(byte[] member) { return value.score(member); }
    }

    private record SetSource(SetValue value) implements Source {
        public int size() { return value.size(); }
        public void forEach(ZSetValue.Sink sink) { value.forEachMember(m -> sink.accept(m, 0, m.length, 1.0)); }
        public double score(byte[] member) { return value.contains(member) ? 1.0 : Double.NaN; }
    }

    /** A source key for reading: null when absent; WRONGTYPE unless a sorted set or a set. */
    private static Source source(Call c, byte[] key) {
        Dict.Entry e = c.db().lookupRead(key);
        if (e == null) return null;
        if (e.value() instanceof ZSetValue z) return new ZSetSource(z);
        if (e.value() instanceof SetValue s) return new SetSource(s);
        throw Errors.wrongType();
    }

    private static double aggregate(double target, double val, int aggregate) {
        if (aggregate == 0) {
            double r = target + val;
            return Double.isNaN(r) ? 0.0 : r;
        }
        if (aggregate == 1) return val < target ? val : target;
        return val > target ? val : target;
    }
}
