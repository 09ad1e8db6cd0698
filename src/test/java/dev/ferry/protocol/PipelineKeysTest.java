package dev.ferry.protocol;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PipelineKeysTest {

    private static List<String> keys(String resp, int max) {
        byte[] a = resp.getBytes(StandardCharsets.ISO_8859_1);
        int[] offs = new int[max], lens = new int[max];
        int n = PipelineKeys.firstKeys(a, 0, a.length, offs, lens);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new String(a, offs[i], lens[i], StandardCharsets.ISO_8859_1));
        return out;
    }

    @Test
    void findsTheSecondArgumentOfEachWholeCommand() {
        String pipeline = "*3\r\n$3\r\nSET\r\n$2\r\nk1\r\n$5\r\nhello\r\n"
                + "*1\r\n$4\r\nPING\r\n" // no key: skipped
                + "*2\r\n$3\r\nGET\r\n$0\r\n\r\n" // an empty key is a key
                + "*2\r\n$3\r\nGET\r\n$2\r\nk3\r\n"
                + "*3\r\n$3\r\nSET\r\n$2\r\nk4\r\n$5\r\nhel"; // incomplete: not counted
        assertEquals(List.of("k1", "", "k3"), keys(pipeline, 32));
        assertEquals(List.of("k1", ""), keys(pipeline, 2));
    }

    @Test
    void allSameTellsAPipelineOnOneKey() {
        byte[] a = ("*3\r\n$5\r\nLPUSH\r\n$6\r\nmylist\r\n$1\r\nx\r\n".repeat(2)
                + "*2\r\n$4\r\nLPOP\r\n$6\r\nmylisu\r\n").getBytes(StandardCharsets.US_ASCII);
        int[] offs = new int[3], lens = new int[3];
        int n = PipelineKeys.firstKeys(a, 0, a.length, offs, lens);
        assertEquals(3, n);
        assertTrue(PipelineKeys.allSame(a, offs, lens, 2));
        assertFalse(PipelineKeys.allSame(a, offs, lens, 3)); // same length, last byte differs
        byte[] b = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*2\r\n$3\r\nGET\r\n$2\r\nkk\r\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(2, PipelineKeys.firstKeys(b, 0, b.length, offs, lens));
        assertFalse(PipelineKeys.allSame(b, offs, lens, 2)); // a prefix is not the same key
        int[] all = new int[32], allLens = new int[32];
        byte[] queue = "*3\r\n$5\r\nLPUSH\r\n$6\r\nmylist\r\n$1\r\nx\r\n".repeat(16).getBytes(StandardCharsets.US_ASCII);
        assertEquals(0, PipelineKeys.lookaheadKeys(queue, 0, queue.length, all, allLens)); // one key: no lookahead
        assertEquals(3, PipelineKeys.lookaheadKeys(a, 0, a.length, all, allLens)); // the third key differs
        assertEquals(2, PipelineKeys.lookaheadKeys(b, 0, b.length, all, allLens));
    }

    @Test
    void stopsAtWhatIsNotAWellFormedMultibulk() {
        assertEquals(List.of(), keys("PING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", 8)); // inline first
        assertEquals(List.of("a"), keys("*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$-1\r\n", 8));
        assertEquals(List.of(), keys("*2\r\n$3\r\nGET\r\n$99999999999\r\nk\r\n", 8));
        assertEquals(List.of(), keys("*0\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", 8));
        assertEquals(List.of(), keys("*2\n$3\r\nGET\r\n$1\r\nk\r\n", 8));
    }

    /** Pipelines cut anywhere and with bytes changed: never a throw, and every key found lies in the range. */
    @Test
    void cutAndMangledPipelinesNeverThrowAndKeysStayInTheRange() {
        Random rnd = new Random(7);
        String alphabet = "*$\r\n0123456789k";
        int[] offs = new int[16], lens = new int[16];
        int found = 0;
        for (int round = 0; round < 50_000; round++) {
            StringBuilder sb = new StringBuilder();
            for (int c = rnd.nextInt(6); c >= 0; c--) {
                int argc = rnd.nextInt(4);
                sb.append('*').append(argc).append("\r\n");
                for (int i = 0; i < argc; i++) {
                    String arg = "k".repeat(rnd.nextInt(12));
                    sb.append('$').append(arg.length()).append("\r\n").append(arg).append("\r\n");
                }
            }
            byte[] a = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
            for (int m = rnd.nextInt(3); m > 0; m--) a[rnd.nextInt(a.length)] = (byte) alphabet.charAt(rnd.nextInt(alphabet.length()));
            int to = rnd.nextInt(a.length + 1);
            int n = PipelineKeys.firstKeys(a, 0, to, offs, lens);
            found += n;
            for (int i = 0; i < n; i++) {
                assertTrue(offs[i] >= 0 && lens[i] >= 0 && offs[i] + lens[i] <= to, "key " + i + " outside the range");
            }
        }
        assertTrue(found > 10_000, "the pipelines held keys: " + found);
    }
}
