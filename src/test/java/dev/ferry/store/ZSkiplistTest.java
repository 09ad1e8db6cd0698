package dev.ferry.store;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The skiplist with spans against a model: a java.util.TreeMap ordered by (score, member bytes). After random
 * inserts, removes and score changes, every member's rank, every rank's member, the backward links, the score
 * range walks and the member lookups agree with the model.
 */
class ZSkiplistTest {

    record Key(double score, byte[] member) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = Double.compare(score, o.score);
            if (score == o.score) c = 0;
            return c != 0 ? c : Arrays.compareUnsigned(member, o.member);
        }
    }

    @Test
    void ranksAgreeWithASortedModel() {
        long seed = 20261201L;
        System.out.println("ZSkiplistTest seed " + seed);
        Random rnd = new Random(seed);
        ZSkiplist z = new ZSkiplist();
        TreeMap<Key, Boolean> model = new TreeMap<>();
        Map<String, Double> scores = new HashMap<>();
        for (int step = 0; step < 20000; step++) {
            String m = "m" + rnd.nextInt(600);
            byte[] mb = m.getBytes(StandardCharsets.US_ASCII);
            double score = rnd.nextInt(50) + (rnd.nextBoolean() ? 0.5 : 0);
            int op = rnd.nextInt(10);
            Double cur = scores.get(m);
            if (op < 5) {
                if (cur == null) {
                    z.insert(mb, score);
                    model.put(new Key(score, mb), true);
                    scores.put(m, score);
                } else {
                    ZSkiplist.Node n = z.find(mb);
                    ZSkiplist.Node replaced = z.updateScore(n, score);
                    assertEquals(score, replaced.score);
                    model.remove(new Key(cur, mb));
                    model.put(new Key(score, mb), true);
                    scores.put(m, score);
                }
            } else if (op < 8) {
                ZSkiplist.Node n = z.remove(mb);
                if (cur == null) {
                    assertNull(n);
                } else {
                    assertNotNull(n);
                    model.remove(new Key(cur, mb));
                    scores.remove(m);
                }
            } else if (op == 8 && z.size() > 0) {
                // remove a node by reference, as the range deletions do
                ZSkiplist.Node n = z.byRank(1 + rnd.nextInt(z.size()));
                z.remove(n);
                model.remove(new Key(n.score, n.key));
                scores.remove(new String(n.key, StandardCharsets.US_ASCII));
            }
            assertEquals(model.size(), z.size());
            if (step % 500 == 0 || step == 19999) verify(z, model, rnd);
        }
    }

    private static void verify(ZSkiplist z, TreeMap<Key, Boolean> model, Random rnd) {
        List<Key> sorted = new ArrayList<>(model.keySet());
        ZSkiplist.Node x = z.first();
        ZSkiplist.Node prev = null;
        for (int i = 0; i < sorted.size(); i++) {
            Key k = sorted.get(i);
            assertNotNull(x);
            assertEquals(k.score, x.score);
            assertEquals(new String(k.member), new String(x.key));
            assertSame(prev, x.prev());
            assertEquals(i + 1, z.rank(x), "rank of " + new String(x.key));
            assertSame(x, z.byRank(i + 1));
            assertSame(x, z.find(k.member));
            prev = x;
            x = x.next();
        }
        assertNull(x);
        assertSame(prev, z.last());
        assertNull(z.byRank(0));
        assertNull(z.byRank(sorted.size() + 1));
        for (int t = 0; t < 20; t++) {
            double min = rnd.nextInt(52) - 1 + (rnd.nextBoolean() ? 0.5 : 0);
            boolean ex = rnd.nextBoolean();
            ZSkiplist.Node a = z.firstAbove(min, ex);
            Key expectFirst = null;
            for (Key k : sorted) if (ex ? k.score > min : k.score >= min) { expectFirst = k; break; }
            if (expectFirst == null) assertNull(a);
            else assertEquals(new String(expectFirst.member), new String(a.key));
            ZSkiplist.Node b = z.lastBelow(min, ex);
            Key expectLast = null;
            for (Key k : sorted) if (ex ? k.score < min : k.score <= min) expectLast = k;
            if (expectLast == null) assertNull(b);
            else assertEquals(new String(expectLast.member), new String(b.key));
        }
    }
}
