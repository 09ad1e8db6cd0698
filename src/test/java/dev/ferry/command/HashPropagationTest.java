package dev.ferry.command;

import dev.ferry.support.FerryPort;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What hash commands send to replicas, compared with a real redis-server 7.0's replication stream (see
 * {@link StringPropagationTest}): HINCRBYFLOAT becomes HSET key field result, a no-op (HSETNX on an existing
 * field, HDEL of absent fields, failed increments) sends nothing, an HDEL that empties the key is sent as is.
 */
@QuarkusTest
class HashPropagationTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    static final String[][] SCRIPT = {
        {"HSET", "sp:h1", "a", "1", "b", "2"},
        {"HSET", "sp:h1", "a", "1"},
        {"hmset", "sp:h1", "c", "3"},
        {"HSETNX", "sp:h1", "a", "9"},
        {"HSETNX", "sp:h1", "d", "4"},
        {"HINCRBY", "sp:h1", "a", "10"},
        {"HINCRBY", "sp:h1", "c", "x"},
        {"HINCRBYFLOAT", "sp:h1", "b", "0.5"},
        {"HINCRBYFLOAT", "sp:h1", "b", "1e3"},
        {"HINCRBYFLOAT", "sp:h1", "n", "3"},
        {"HINCRBYFLOAT", "sp:h1", "n", "abc"},
        {"HINCRBYFLOAT", "sp:h1", "n", "inf"},
        {"HGET", "sp:h1", "a"},
        {"HGETALL", "sp:h1"},
        {"HRANDFIELD", "sp:h1", "2"},
        {"HDEL", "sp:h1", "nope"},
        {"HDEL", "sp:h1", "a", "nope", "b"},
        {"HDEL", "sp:h1", "c", "d", "n", "more"},
        {"EXISTS", "sp:h1"},
        {"HDEL", "sp:h1", "c"},
        {"HSET", "sp:h2", "f", "v"},
        {"HSET", "sp:h2", "f"},
        {"SET", "sp:hs", "x"},
        {"HSET", "sp:hs", "f", "v"},
        {"HINCRBYFLOAT", "sp:h3", "f", "1.1"},
    };

    @Test
    void streamsMatchRedis() throws Exception {
        List<List<String>> fromRedis;
        try (StringPropagationTest.RedisTap tap = new StringPropagationTest.RedisTap(redis.port());
             RawClient client = new RawClient(redis.port())) {
            for (String[] cmd : SCRIPT) client.call(cmd);
            client.call("SET", "sp:hend", "1");
            fromRedis = tap.until("sp:hend");
        }

        List<List<String>> fromFerry;
        try (FerryStreamCapture capture = new FerryStreamCapture(); RawClient client = new RawClient(FerryPort.get())) {
            for (String[] cmd : SCRIPT) client.call(cmd);
            client.call("SET", "sp:hend", "1");
            fromFerry = capture.until("sp:hend");
        }
        assertEquals(fromRedis, fromFerry);
        // the rewrites this test is about, in case both servers agreed on something unexpected
        assertTrue(fromFerry.contains(List.of("HSET", "sp:h1", "b", "2.5")), fromFerry::toString);
        assertTrue(fromFerry.contains(List.of("HDEL", "sp:h1", "c", "d", "n", "more")), fromFerry::toString);
        assertEquals(1, fromFerry.stream().filter(c -> c.get(0).equals("HSETNX")).count(), fromFerry::toString);
    }
}
