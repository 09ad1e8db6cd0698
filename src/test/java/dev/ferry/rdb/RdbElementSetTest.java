package dev.ferry.rdb;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ElementSet, the duplicate finder of blob checks, against a HashSet of the elements' text. */
class RdbElementSetTest {
    @Test
    void findsExactlyTheDuplicates() {
        Random rnd = new Random(21);
        ElementSet set = new ElementSet();
        for (int round = 0; round < 200; round++) {
            int n = rnd.nextInt(round < 190 ? 300 : 50_000);
            // one array of concatenated strings; elements are slices of it, some of them integer text
            StringBuilder all = new StringBuilder();
            int[] off = new int[n], len = new int[n];
            long[] ints = new long[n];
            boolean[] isInt = new boolean[n];
            for (int i = 0; i < n; i++) {
                String e;
                switch (rnd.nextInt(4)) {
                    case 0 -> e = Integer.toString(rnd.nextInt(2000) - 1000);
                    case 1 -> e = "s" + rnd.nextInt(3000);
                    case 2 -> e = "0" + rnd.nextInt(50); // not canonical: a string, never equal to an integer
                    default -> e = "";
                }
                if (rnd.nextInt(5) == 0) {
                    isInt[i] = true;
                    ints[i] = rnd.nextInt(2000) - 1000;
                }
                off[i] = all.length();
                len[i] = e.length();
                all.append(e);
            }
            byte[] src = all.toString().getBytes(StandardCharsets.ISO_8859_1);
            set.reset(src, rnd.nextBoolean() ? n : 1);
            Set<String> oracle = new HashSet<>();
            for (int i = 0; i < n; i++) {
                String text = isInt[i] ? Long.toString(ints[i]) : new String(src, off[i], len[i], StandardCharsets.ISO_8859_1);
                boolean fresh = oracle.add(text);
                boolean added = isInt[i] ? set.addInteger(ints[i]) : set.addString(off[i], len[i]);
                assertEquals(fresh, added, "round " + round + " element " + i + " '" + text + "'");
            }
        }
    }

    @Test
    void aBigBlobDoesNotSlowTheSmallOnesAfterIt() {
        ElementSet set = new ElementSet();
        byte[] src = new byte[0];
        set.reset(src, 1_000_000);
        for (int i = 0; i < 1_000_000; i++) assertTrue(set.addInteger(i));
        assertFalse(set.addInteger(5));
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (int k = 0; k < 1_000_000; k++) {
                set.reset(src, 4);
                assertTrue(set.addInteger(k));
                assertFalse(set.addInteger(k));
            }
        });
    }
}
