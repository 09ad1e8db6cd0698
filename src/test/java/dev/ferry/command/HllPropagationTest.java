package dev.ferry.command;

import dev.ferry.support.FerryPort;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the HyperLogLog commands send to replicas, compared with a real redis-server 7.0 replica stream (SYNC):
 * PFADD and PFMERGE as themselves when they changed something, and PFCOUNT of one key as itself when it
 * stored a recomputed cardinality (Redis 7.0 counts that as a write); nothing for PFADD that changes no
 * register, PFCOUNT answered from the cache or of several keys, and errors. Keys start with "sp:" for the
 * shared stream reader of {@link StringPropagationTest}.
 */
@QuarkusTest
class HllPropagationTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    static String[][] script() {
        List<String[]> s = new ArrayList<>(List.of(
            new String[] {"PFADD", "sp:h1", "a", "b", "c"},
            new String[] {"PFADD", "sp:h1", "a"},
            new String[] {"PFCOUNT", "sp:h1"},
            new String[] {"PFCOUNT", "sp:h1"},
            new String[] {"PFADD", "sp:h2", "x"},
            new String[] {"PFCOUNT", "sp:h1", "sp:h2"},
            new String[] {"PFMERGE", "sp:h3", "sp:h1", "sp:h2"},
            new String[] {"PFMERGE", "sp:h3"},
            new String[] {"PFCOUNT", "sp:h3"},
            new String[] {"PFADD", "sp:h4"},
            new String[] {"PFADD", "sp:h4"},
            new String[] {"PFCOUNT", "sp:h4"},
            new String[] {"SET", "sp:h5", "not an hll, sorry, no"},
            new String[] {"PFADD", "sp:h5", "x"},
            new String[] {"PFCOUNT", "sp:h5"},
            new String[] {"PFMERGE", "sp:h5", "sp:h1"},
            new String[] {"PFCOUNT", "sp:hmissing"},
            new String[] {"PFCOUNT", "sp:hmissing", "sp:h1"},
            new String[] {"PFMERGE", "sp:h6", "sp:hmissing"}));
        List<String> big = new ArrayList<>(List.of("PFADD", "sp:h7"));
        for (int i = 0; i < 2000; i++) big.add("e" + i);
        s.add(big.toArray(String[]::new));
        s.add(new String[] {"PFCOUNT", "sp:h7"});
        s.add(new String[] {"PFCOUNT", "sp:h7"});
        s.add(new String[] {"PFMERGE", "sp:h1", "sp:h7"});
        s.add(new String[] {"PFCOUNT", "sp:h1", "sp:h7"});
        s.add(new String[] {"PFCOUNT", "sp:h1"});
        s.add(new String[] {"GET", "sp:h1"});
        return s.toArray(String[][]::new);
    }

    private static String brief(List<List<String>> cmds) {
        return cmds.stream().map(c -> c.get(0) + " " + c.get(1) + "/" + c.size()).toList().toString();
    }

    @Test
    void streamsMatchRedis() throws Exception {
        String[][] script = script();
        List<List<String>> fromRedis;
        try (StringPropagationTest.RedisTap tap = new StringPropagationTest.RedisTap(redis.port());
             RawClient client = new RawClient(redis.port())) {
            for (String[] cmd : script) client.call(cmd);
            client.call("SET", "sp:hend", "1");
            fromRedis = tap.until("sp:hend");
        }

        List<List<String>> fromFerry;
        try (RawClient client = new RawClient(FerryPort.get())) {
            // Ferry's keyspace is shared by the test classes (HashPropagationTest also writes sp:h* keys):
            // clean up first, outside the captured stream
            client.call("DEL", "sp:h1", "sp:h2", "sp:h3", "sp:h4", "sp:h5", "sp:h6", "sp:h7", "sp:hend");
            try (FerryStreamCapture capture = new FerryStreamCapture()) {
                for (String[] cmd : script) client.call(cmd);
                client.call("SET", "sp:hend", "1");
                fromFerry = capture.until("sp:hend");
            }
        }
        // commands shortened to name, key and length in the message (PFADD of 2000 elements)
        assertEquals(fromRedis, fromFerry, () -> "redis " + brief(fromRedis) + "\nferry " + brief(fromFerry));
        // what this test is about, in case both servers agreed on something unexpected
        assertEquals(2, fromFerry.stream().filter(c -> c.equals(List.of("PFCOUNT", "sp:h1"))).count());
        assertEquals(1, fromFerry.stream().filter(c -> c.equals(List.of("PFCOUNT", "sp:h7"))).count());
        assertEquals(0, fromFerry.stream().filter(c -> c.size() > 2 && c.get(0).equals("PFCOUNT")).count());
    }
}
