package dev.ferry.command;

import dev.ferry.support.FerryPort;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What SORT and SORT_RO send to replicas, compared with a real redis-server 7.0 replica stream (SYNC): SORT ...
 * STORE as itself when it stored a list or deleted the destination, nothing for a sort that only answers or a
 * STORE that had nothing to delete. Keys start with "sp:" for the shared stream reader of
 * {@link StringPropagationTest}.
 */
@QuarkusTest
class SortPropagationTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    static String[][] script() {
        return new String[][] {
            {"RPUSH", "sp:so1", "3", "1", "2", "10"},
            {"SORT", "sp:so1"},
            {"SORT_RO", "sp:so1", "DESC"},
            {"SORT", "sp:so1", "STORE", "sp:so2"},
            {"SORT", "sp:so1", "DESC", "LIMIT", "0", "2", "STORE", "sp:so2"},
            {"SORT", "sp:somissing", "STORE", "sp:so2"},
            {"SORT", "sp:somissing", "STORE", "sp:so2"},
            {"SADD", "sp:so3", "b", "a", "c"},
            {"SORT", "sp:so3", "BY", "nosort", "STORE", "sp:so4"},
            {"ZADD", "sp:so5", "2", "x", "1", "y"},
            {"SORT", "sp:so5", "ALPHA"},
            {"SORT", "sp:so5", "BY", "nosort", "STORE", "sp:so6"},
            {"SORT", "sp:so1", "ALPHA", "STORE"},
        };
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
        try (FerryStreamCapture capture = new FerryStreamCapture(); RawClient client = new RawClient(FerryPort.get())) {
            for (String[] cmd : script) client.call(cmd);
            client.call("SET", "sp:hend", "1");
            fromFerry = capture.until("sp:hend");
        }
        assertEquals(fromRedis, fromFerry, () -> "redis " + brief(fromRedis) + "\nferry " + brief(fromFerry));
        // what this test is about, in case both servers agreed on something unexpected: the stores and the
        // deletion of the destination reach replicas, the reads do not
        assertEquals(5, fromFerry.stream().filter(c -> c.get(0).equalsIgnoreCase("SORT")).count(), fromFerry::toString);
    }
}
