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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The counted B+tree against a model: a java.util.TreeMap ordered by (score, member bytes). After random
 * inserts, removes and score changes, every member's rank, every rank's member, the walks both ways, the score
 * range bounds and the member lookups agree with the model; sizes from one leaf to three levels, and a mass
 * removal that merges leaves and shrinks the tree back to its root.
 */
class ZTreeTest {

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
        run(20261201L, 600, 20000, 500);
    }

    @Test
    void threeLevelsAgreeWithASortedModel() {
        // past 64 x 64 members the root's children are inner nodes
        run(20261202L, 12000, 120000, 30000);
    }

    private static void run(long seed, int members, int steps, int verifyEvery) {
        System.out.println("ZTreeTest seed " + seed);
        Random rnd = new Random(seed);
        ZTree z = new ZTree();
        TreeMap<Key, Boolean> model = new TreeMap<>();
        Map<String, Double> scores = new HashMap<>();
        for (int step = 0; step < steps; step++) {
            String m = "m" + rnd.nextInt(members);
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
                    ZTree.Node n = z.find(mb);
                    ZTree.Node replaced = z.updateScore(n, score);
                    assertEquals(score, replaced.score);
                    model.remove(new Key(cur, mb));
                    model.put(new Key(score, mb), true);
                    scores.put(m, score);
                }
            } else if (op < 8) {
                ZTree.Node n = z.remove(mb);
                if (cur == null) {
                    assertNull(n);
                } else {
                    assertNotNull(n);
                    model.remove(new Key(cur, mb));
                    scores.remove(m);
                }
            } else if (op == 8 && z.size() > 0) {
                // remove a node by reference, as the range deletions do
                ZTree.Node n = z.byRank(1 + rnd.nextInt(z.size()));
                z.remove(n);
                model.remove(new Key(n.score, n.key));
                scores.remove(new String(n.key, StandardCharsets.US_ASCII));
            }
            assertEquals(model.size(), z.size());
            if (step % verifyEvery == 0 || step == steps - 1) verify(z, model, rnd);
        }
        // empty it in random order: leaves merge, inner nodes go, the root shrinks back to a leaf
        List<String> left = new ArrayList<>(scores.keySet());
        java.util.Collections.shuffle(left, rnd);
        for (int i = 0; i < left.size(); i++) {
            String m = left.get(i);
            byte[] mb = m.getBytes(StandardCharsets.US_ASCII);
            assertNotNull(z.remove(mb));
            model.remove(new Key(scores.get(m), mb));
            if (i % (left.size() / 7 + 1) == 0) verify(z, model, rnd);
        }
        verify(z, model, rnd);
        assertEquals(0, z.size());
        assertNull(z.first());
        assertNull(z.last());
        z.insert("again".getBytes(StandardCharsets.US_ASCII), 1);
        assertEquals(1, z.rank(z.first()));
    }

    private static void verify(ZTree z, TreeMap<Key, Boolean> model, Random rnd) {
        List<Key> sorted = new ArrayList<>(model.keySet());
        ZTree.Cursor cur = z.cursor(0);
        ZTree.Node prev = null;
        for (int i = 0; i < sorted.size(); i++) {
            Key k = sorted.get(i);
            assertTrue(cur.valid());
            ZTree.Node x = cur.node();
            assertEquals(k.score, x.score);
            assertEquals(new String(k.member), new String(x.key));
            assertEquals(i + 1, z.rank(x), "rank of " + new String(x.key));
            assertSame(x, z.byRank(i + 1));
            assertSame(x, z.find(k.member));
            prev = x;
            cur.next();
        }
        assertFalse(cur.valid());
        assertSame(prev, z.last());
        // and back down from the last
        ZTree.Cursor back = z.cursor(sorted.size() - 1);
        for (int i = sorted.size() - 1; i >= 0; i--) {
            assertTrue(back.valid());
            assertEquals(new String(sorted.get(i).member), new String(back.node().key));
            back.prev();
        }
        assertFalse(back.valid());
        assertNull(z.byRank(0));
        assertNull(z.byRank(sorted.size() + 1));
        for (int t = 0; t < 20; t++) {
            double min = rnd.nextInt(52) - 1 + (rnd.nextBoolean() ? 0.5 : 0);
            boolean ex = rnd.nextBoolean();
            long first = sorted.size();
            for (int i = 0; i < sorted.size(); i++) if (ex ? sorted.get(i).score > min : sorted.get(i).score >= min) { first = i; break; }
            assertEquals(first, z.firstAbove(min, ex), "first above " + min + (ex ? " exclusive" : ""));
            long last = -1;
            for (int i = 0; i < sorted.size(); i++) if (ex ? sorted.get(i).score < min : sorted.get(i).score <= min) last = i;
            assertEquals(last, z.lastBelow(min, ex), "last below " + min + (ex ? " exclusive" : ""));
        }
    }
}
