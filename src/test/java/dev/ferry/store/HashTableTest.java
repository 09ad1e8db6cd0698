package dev.ferry.store;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class HashTableTest {
    static final class Member extends HashTable.Node {
        Member(String key) {
            super(key.getBytes(StandardCharsets.UTF_8));
        }
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Growth, shrinking and lookups against a java.util.HashSet, with rehashing interleaved. */
    @Test
    void behavesAsASetThroughResizes() {
        HashTable<Member> t = new HashTable<>();
        Set<String> model = new HashSet<>();
        Random rnd = new Random(7);
        for (int i = 0; i < 200_000; i++) {
            String k = "m" + rnd.nextInt(i < 100_000 ? 50_000 : 500);
            if (rnd.nextInt(3) > 0 || i >= 100_000) {
                boolean present = t.find(b(k)) != null;
                assertEquals(model.contains(k), present, k);
                if (i >= 100_000) {
                    assertEquals(model.remove(k), t.remove(b(k)) != null);
                } else if (!present) {
                    t.add(new Member(k));
                    model.add(k);
                }
            } else {
                assertEquals(model.remove(k), t.remove(b(k)) != null);
            }
            assertEquals(model.size(), t.size());
        }
        model.add("x");
        t.add(new Member("x"));
        for (String k : new HashSet<>(model)) if (!k.equals("x")) assertNotNull(t.remove(b(k)), k);
        // each operation moves a bucket (or skips up to 9 empty ones): lookups finish the pending shrinks. How many
        // it takes depends on the hash seed, random per process: a shrink of a 2^18-bucket table that began late in
        // the removals needs ~30k steps; 50k operations bound it, and the loop stops as soon as the table is small
        for (int i = 0; i < 25_000 && t.buckets() > 8; i++) {
            assertNotNull(t.find(b("x")));
            t.remove(b("absent"));
        }
        assertEquals(1, t.size());
        assertTrue(t.buckets() <= 8, "a table emptied by removals shrinks: " + t.buckets());
    }

    /** A SCAN walk reports every member present for the whole walk, while the table grows under it. */
    @Test
    void scanSeesEveryMemberAcrossGrowth() {
        HashTable<Member> t = new HashTable<>();
        for (int i = 0; i < 1000; i++) t.add(new Member("a" + i));
        Set<String> seen = new HashSet<>();
        long cursor = 0;
        int added = 0;
        do {
            cursor = t.scan(cursor, m -> seen.add(new String(m.key, StandardCharsets.UTF_8)));
            for (int j = 0; j < 5 && added < 5000; j++) t.add(new Member("b" + added++));
        } while (cursor != 0);
        for (int i = 0; i < 1000; i++) assertTrue(seen.contains("a" + i), "a" + i);
        Set<String> all = new HashSet<>();
        t.forEach(m -> all.add(new String(m.key, StandardCharsets.UTF_8)));
        assertEquals(t.size(), all.size());
        for (int i = 0; i < 200; i++) assertNotNull(t.random());
    }
}
